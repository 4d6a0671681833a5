//! `tether status`: every connection on one line each, those that need a
//! person (re-auth, held deletions, conflicts, failing runs) first, then the
//! furthest behind; on PostgreSQL, with the workers' jobs queued and
//! running for it.

use std::collections::HashMap;
use std::process::ExitCode;

use tether_core::schedule::{Schedules, next_fire};
use tether_core::store::{Connection, ConnectionStatus, RunStatus, Store};

use crate::commands::run::{Jobs, jobs_by_connection};
use crate::context::Context;
use crate::output::{Table, json_line, time};

/// Runs in a row that failed before a connection is said to be failing.
const FAILING_AFTER: usize = 2;

/// How far back the run history is read for failures.
const RECENT_RUNS: u64 = 20;

/// One connection's line.
struct Line {
    connection: Connection,
    attention: Vec<String>,
    lag_secs: Option<i64>,
    next_run: Option<tether_core::Timestamp>,
    jobs: Jobs,
}

pub async fn run(ctx: &Context, schedules: &Schedules) -> anyhow::Result<ExitCode> {
    let now = chrono::Utc::now();
    let mut lines = Vec::new();
    let cursors: HashMap<_, _> = ctx
        .store
        .cursors(None)
        .await?
        .into_iter()
        .map(|(connection, kind, cursor)| ((connection, kind), cursor))
        .collect();
    // The job engine is PostgreSQL's (several workers); none on SQLite.
    let engine = ctx.store.postgres_pool();
    let mut jobs = match &engine {
        Some(pool) => jobs_by_connection(pool).await?,
        None => HashMap::new(),
    };
    for connection in ctx.store.connections().await? {
        let kinds: Vec<String> = match tether_core::connector(&connection.provider) {
            Some(c) => c.kinds().iter().map(|k| k.name().to_owned()).collect(),
            None => Vec::new(),
        };
        let mut oldest = None;
        let mut next_run = None;
        for kind in &kinds {
            if let Some(&c) = cursors.get(&(connection.id, kind.clone())) {
                oldest = Some(oldest.map_or(c, |o: tether_core::Timestamp| o.min(c)));
            }
            let plan = schedules.plan(&connection.name, kind);
            let at = next_fire(&plan.resync, plan.offset, now);
            next_run = Some(next_run.map_or(at, |n: tether_core::Timestamp| n.min(at)));
        }
        // The kinds it keeps, by their oldest cursor; none synced: no lag yet.
        let lag_secs = oldest.map(|c| (now - c).num_seconds());
        let attention = attention(ctx, &connection).await?;
        let next_run = (connection.status == ConnectionStatus::Active)
            .then_some(next_run)
            .flatten();
        let jobs = jobs.remove(&connection.name).unwrap_or_default();
        lines.push(Line {
            connection,
            attention,
            lag_secs,
            next_run,
            jobs,
        });
    }
    // Those a person must look at first, then the furthest behind (never
    // synced counts as furthest), then by name.
    lines.sort_by(|a, b| {
        a.attention
            .is_empty()
            .cmp(&b.attention.is_empty())
            .then_with(|| {
                let behind = |l: &Line| l.lag_secs.map_or(i64::MAX, |s| s);
                behind(b).cmp(&behind(a))
            })
            .then_with(|| a.connection.name.cmp(&b.connection.name))
    });
    if ctx.json {
        for line in &lines {
            let mut object = serde_json::json!({
                "name": line.connection.name,
                "provider": line.connection.provider,
                "tenant_name": line.connection.tenant_name,
                "status": line.connection.status,
                "attention": line.attention,
                "lag_secs": line.lag_secs,
                "next_run_at": line.next_run,
            });
            if engine.is_some() {
                object["jobs"] = serde_json::json!(line.jobs);
            }
            json_line(&object)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if lines.is_empty() {
        eprintln!("no connections yet: `tether connect PROVIDER NAME` makes one");
        return Ok(ExitCode::SUCCESS);
    }
    let mut header = vec!["NAME", "PROVIDER", "STATUS", "LAG", "NEXT RUN"];
    if engine.is_some() {
        header.push("JOBS");
    }
    header.push("NEEDS ATTENTION");
    let mut table = Table::new(&header);
    for line in &lines {
        let mut row = vec![
            line.connection.name.clone(),
            line.connection.provider.clone(),
            line.connection.status.as_str().to_owned(),
            super::lag(line.lag_secs),
            time(line.next_run),
        ];
        if engine.is_some() {
            row.push(jobs_said(line.jobs));
        }
        row.push(if line.attention.is_empty() {
            "-".to_owned()
        } else {
            line.attention.join("; ")
        });
        table.row(row);
    }
    table.print();
    Ok(ExitCode::SUCCESS)
}

/// `2 queued, 1 running`; `-` when the engine holds nothing for it.
fn jobs_said(jobs: Jobs) -> String {
    let said: Vec<String> = [
        (jobs.queued, "queued"),
        (jobs.running, "running"),
        (jobs.failed, "failed"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if said.is_empty() {
        "-".to_owned()
    } else {
        said.join(", ")
    }
}

/// What a person must do for `connection`, if anything.
async fn attention(ctx: &Context, connection: &Connection) -> anyhow::Result<Vec<String>> {
    let mut said = Vec::new();
    match connection.status {
        ConnectionStatus::Active => {}
        ConnectionStatus::NeedsReauth => said.push(format!(
            "needs `tether connect {} {}`",
            connection.provider, connection.name
        )),
        other => said.push(other.as_str().to_owned()),
    }
    let totals = ctx.store.totals(connection.id).await?;
    let held: i64 = totals.iter().map(|t| t.held).sum();
    if held > 0 {
        said.push(format!("{held} deletion(s) held"));
    }
    let conflicts: i64 = totals.iter().map(|t| t.conflicts).sum();
    if conflicts > 0 {
        said.push(format!("{conflicts} conflict(s)"));
    }
    let failed = ctx
        .store
        .runs(connection.id, RECENT_RUNS)
        .await?
        .iter()
        .take_while(|r| r.status == RunStatus::Failed)
        .count();
    if failed >= FAILING_AFTER {
        said.push(format!("last {failed} runs failed"));
    }
    Ok(said)
}
