//! `tether verify NAME [--kind K]…`: every record compared with the
//! provider (ids, versions, content, deletion) at list cost; exit 1 on drift.

use std::process::ExitCode;

use tether_core::verify::{Drift, verify_kind};

use super::sync::select_kinds;
use crate::context::{Context, Global};
use crate::output::{Table, json_line};

#[derive(clap::Args)]
pub struct Args {
    /// The connection.
    pub name: String,
    /// A kind to verify (repeatable); all kinds when none is given.
    #[arg(long = "kind", short = 'k')]
    pub kinds: Vec<String>,
}

pub async fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let ctx = Context::open(global).await?;
    let session = ctx.session(&args.name).await?;
    let kinds = select_kinds(session.connector.kinds(), &args.kinds)?;
    let mut drifts: Vec<Drift> = Vec::with_capacity(kinds.len());
    for kind in kinds {
        drifts.push(verify_kind(&ctx.store, &session.api, session.connection.id, kind).await?);
    }
    if ctx.json {
        for drift in &drifts {
            json_line(drift)?;
        }
    } else {
        let mut table = Table::new(&[
            "KIND",
            "COMPARED",
            "MISSING",
            "EXTRA",
            "CHANGED",
            "DELETION",
            "PENDING",
            "API CALLS",
        ]);
        for d in &drifts {
            table.row(vec![
                d.kind.to_owned(),
                d.compared.to_string(),
                d.missing.count.to_string(),
                d.extra.count.to_string(),
                d.changed.count.to_string(),
                d.deletion.count.to_string(),
                d.pending.to_string(),
                d.api_calls.to_string(),
            ]);
        }
        table.print();
        for d in drifts.iter().filter(|d| d.any()) {
            for (what, sample) in [
                ("missing here", &d.missing),
                ("not at the provider", &d.extra),
                ("changed", &d.changed),
                ("deleted on one side only", &d.deletion),
            ] {
                if sample.count > 0 {
                    eprintln!("{} {what}: {}", d.kind, sample.ids.join(", "));
                }
            }
        }
    }
    let drifted = drifts.iter().any(Drift::any);
    if drifted && !ctx.json {
        eprintln!(
            "drift found: `tether resync {} --full` brings the store back in step",
            args.name
        );
    }
    Ok(if drifted {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
