//! `tether sync NAME [--kind K]…`: the full pull, resumable.

use std::process::ExitCode;

use anyhow::bail;
use tether_core::ObjectKind;
use tether_core::store::RunStatus;
use tether_core::sync::{KindReport, Syncer};

use super::PARTIAL_FAILURE;
use crate::context::{Context, Global};
use crate::output::{Table, json_line};
use crate::progress::Bars;

#[derive(clap::Args)]
pub struct Args {
    /// The connection.
    pub name: String,
    /// A kind to sync (repeatable); all kinds when none is given.
    #[arg(long = "kind", short = 'k')]
    pub kinds: Vec<String>,
}

pub async fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let ctx = Context::open(global).await?;
    let session = ctx.session(&args.name).await?;
    let kinds = select_kinds(session.connector.kinds(), &args.kinds)?;
    let bars = Bars::new(ctx.json);
    let reports = Syncer::new(&ctx.store, &session.api, session.connection.id)
        .observer(&bars)
        .sync_kinds(&kinds)
        .await;
    print_reports(&reports, ctx.json)?;
    Ok(exit_code(&reports))
}

/// The kinds named, in the connector's order; an unknown name is an error listing the valid ones.
pub fn select_kinds(
    all: &'static [&'static dyn ObjectKind],
    wanted: &[String],
) -> anyhow::Result<Vec<&'static dyn ObjectKind>> {
    if wanted.is_empty() {
        return Ok(all.to_vec());
    }
    for name in wanted {
        if !all.iter().any(|k| k.name() == name) {
            let valid: Vec<_> = all.iter().map(|k| k.name()).collect();
            bail!(
                "unknown kind `{name}`; expected one of: {}",
                valid.join(", ")
            );
        }
    }
    Ok(all
        .iter()
        .copied()
        .filter(|k| wanted.iter().any(|w| w == k.name()))
        .collect())
}

pub fn print_reports(reports: &[KindReport], json: bool) -> anyhow::Result<()> {
    if json {
        for r in reports {
            json_line(&serde_json::json!({
                "kind": r.kind,
                "run": r.run,
                "status": r.status,
                "resumed": r.resumed,
                "counts": r.counts,
                "seconds": r.elapsed.as_secs_f64(),
                "error": r.error.as_ref().map(ToString::to_string),
            }))?;
        }
        return Ok(());
    }
    let mut table = Table::new(&[
        "KIND",
        "STATUS",
        "FETCHED",
        "STORED",
        "QUARANTINED",
        "DELETED",
        "PAGES",
        "API CALLS",
        "SECONDS",
    ]);
    for r in reports {
        let status = match (r.status, r.resumed) {
            (RunStatus::Succeeded, true) => "resumed, ok".to_owned(),
            (RunStatus::Succeeded, false) => "ok".to_owned(),
            (other, _) => other.as_str().to_owned(),
        };
        table.row(vec![
            r.kind.to_owned(),
            status,
            r.counts.fetched.to_string(),
            r.counts.stored.to_string(),
            r.counts.quarantined.to_string(),
            r.counts.deleted.to_string(),
            r.counts.pages.to_string(),
            r.counts.api_calls.to_string(),
            format!("{:.2}", r.elapsed.as_secs_f64()),
        ]);
    }
    table.print();
    for r in reports {
        if let Some(e) = &r.error {
            eprintln!("{} failed: {e}", r.kind);
        }
    }
    let quarantined: i64 = reports.iter().map(|r| r.counts.quarantined).sum();
    if quarantined > 0 {
        eprintln!(
            "{quarantined} object(s) could not be read and were quarantined; see `tether status`"
        );
    }
    Ok(())
}

/// Success, failure, or partial failure when only some kinds failed.
pub fn exit_code(reports: &[KindReport]) -> ExitCode {
    let failed = reports
        .iter()
        .filter(|r| r.status != RunStatus::Succeeded)
        .count();
    match failed {
        0 => ExitCode::SUCCESS,
        n if n == reports.len() => ExitCode::FAILURE,
        _ => ExitCode::from(PARTIAL_FAILURE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tether_core::store::RunCounts;

    fn report(status: RunStatus) -> KindReport {
        KindReport {
            kind: "invoices",
            run: None,
            resumed: false,
            status,
            counts: RunCounts::default(),
            elapsed: std::time::Duration::ZERO,
            error: None,
        }
    }

    #[test]
    fn exit_code_separates_partial_from_total_failure() {
        let ok = report(RunStatus::Succeeded);
        let failed = report(RunStatus::Failed);
        assert_eq!(
            exit_code(&[report(RunStatus::Succeeded)]),
            ExitCode::SUCCESS
        );
        assert_eq!(exit_code(&[ok, failed]), ExitCode::from(PARTIAL_FAILURE));
        assert_eq!(exit_code(&[report(RunStatus::Failed)]), ExitCode::FAILURE);
    }
}
