//! `tether status [NAME]`: every connection, those that need a person
//! first, or one connection in detail. The next scheduled runs are the
//! worker's (`tether run`), read from the same config file.

mod all;
mod one;

use std::path::PathBuf;
use std::process::ExitCode;

use crate::context::{Context, Global};

#[derive(clap::Args)]
pub struct Args {
    /// The connection; every connection when left out.
    pub name: Option<String>,
    /// The worker's config file, for the next scheduled runs (default: as
    /// `tether run` finds it).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

pub async fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let ctx = Context::open(global).await?;
    let (schedules, _) = super::run::load_schedules(args.config.as_deref())?;
    match &args.name {
        Some(name) => one::run(&ctx, name, &schedules).await,
        None => all::run(&ctx, &schedules).await,
    }
}

/// A lag for people: `-` for never synced, else the largest unit.
fn lag(secs: Option<i64>) -> String {
    match secs {
        None => "-".to_owned(),
        Some(s) if s < 120 => format!("{s}s"),
        Some(s) if s < 2 * 3600 => format!("{}m", s / 60),
        Some(s) if s < 2 * 86_400 => format!("{}h", s / 3600),
        Some(s) => format!("{}d", s / 86_400),
    }
}
