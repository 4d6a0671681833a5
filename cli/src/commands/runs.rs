//! `tether runs NAME`: the run history.

use std::process::ExitCode;

use tether_core::store::Store;

use crate::context::{Context, Global};
use crate::output::{Table, json_line, time};

#[derive(clap::Args)]
pub struct Args {
    /// The connection.
    pub name: String,
    /// How many runs, newest first.
    #[arg(long, default_value_t = 30)]
    pub limit: u64,
}

pub async fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let ctx = Context::open(global).await?;
    let connection = ctx.connection(&args.name).await?;
    let runs = ctx.store.runs(connection.id, args.limit).await?;
    if ctx.json {
        for run in &runs {
            json_line(run)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&[
        "RUN",
        "TYPE",
        "KIND",
        "STATUS",
        "STARTED",
        "SECONDS",
        "FETCHED",
        "QUARANTINED",
        "MARKED DELETED",
        "API CALLS",
        "ERROR",
    ]);
    for run in &runs {
        let seconds = run
            .finished_at
            .map(|f| {
                format!(
                    "{:.2}",
                    (f - run.started_at).num_milliseconds() as f64 / 1000.0
                )
            })
            .unwrap_or_else(|| "-".to_owned());
        table.row(vec![
            run.id.to_string(),
            run.run_type.as_str().to_owned(),
            run.kind.clone(),
            run.status.as_str().to_owned(),
            time(Some(run.started_at)),
            seconds,
            run.counts.fetched.to_string(),
            run.counts.quarantined.to_string(),
            run.counts.deleted.to_string(),
            run.counts.api_calls.to_string(),
            run.error.clone().unwrap_or_default(),
        ]);
    }
    table.print();
    Ok(ExitCode::SUCCESS)
}
