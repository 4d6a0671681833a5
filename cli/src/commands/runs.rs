//! `tether runs [NAME]`: the run history, of one connection or of all.

use std::collections::HashMap;
use std::process::ExitCode;

use tether_core::store::Store;

use crate::context::{Context, Global};
use crate::output::{Table, json_line, time};

#[derive(clap::Args)]
pub struct Args {
    /// The connection; every connection's runs when left out.
    pub name: Option<String>,
    /// How many runs, newest first.
    #[arg(long, default_value_t = 30)]
    pub limit: u64,
}

pub async fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let ctx = Context::open(global).await?;
    let runs = match &args.name {
        Some(name) => {
            let connection = ctx.connection(name).await?;
            ctx.store.runs(connection.id, args.limit).await?
        }
        None => ctx.store.recent_runs(args.limit).await?,
    };
    let names: HashMap<_, _> = ctx
        .store
        .connections()
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let name_of = |run: &tether_core::store::Run| {
        names
            .get(&run.connection_id)
            .cloned()
            .unwrap_or_else(|| run.connection_id.0.to_string())
    };
    if ctx.json {
        for run in &runs {
            let mut line = serde_json::to_value(run)?;
            line["connection"] = serde_json::Value::String(name_of(run));
            json_line(&line)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&[
        "RUN",
        "CONNECTION",
        "TYPE",
        "KIND",
        "STATUS",
        "STARTED",
        "ENDED",
        "SECONDS",
        "FETCHED",
        "QUARANTINED",
        "MARKED DELETED",
        "API CALLS",
        "WORKER",
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
            name_of(run),
            run.run_type.as_str().to_owned(),
            run.kind.clone(),
            run.status.as_str().to_owned(),
            time(Some(run.started_at)),
            time(run.finished_at),
            seconds,
            run.counts.fetched.to_string(),
            run.counts.quarantined.to_string(),
            run.counts.deleted.to_string(),
            run.counts.api_calls.to_string(),
            run.worker.clone().unwrap_or_default(),
            run.error.clone().unwrap_or_default(),
        ]);
    }
    table.print();
    Ok(ExitCode::SUCCESS)
}
