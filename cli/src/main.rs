//! `tether`: keeps an application's database and a SaaS provider in step.
//!
//! Every connector crate is linked here; `inventory` registers them, and
//! naming each crate below keeps the linker from dropping its registration.

mod commands;
mod context;
mod interrupt;
mod output;
mod progress;

use std::process::ExitCode;

use clap::Parser;
use tether_xero as _;

use crate::commands::Command;

/// Keep an application's database and a provider (Xero) in step.
#[derive(Parser)]
#[command(name = "tether", version, about, long_about = None)]
struct Cli {
    /// Database URL (`sqlite://PATH`, a plain file path, or `postgres://…`);
    /// defaults to a SQLite file under your data directory.
    #[arg(long, global = true, env = "TETHER_DATABASE_URL")]
    database: Option<String>,

    /// Print data as JSON (one object per line) instead of tables.
    #[arg(long, global = true)]
    json: bool,

    /// More log output on stderr (-v info, -vv debug); `TETHER_LOG` overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TETHER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let global = context::Global {
        database: cli.database,
        json: cli.json,
    };
    match cli.command.run(&global).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
