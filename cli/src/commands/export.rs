//! `tether export NAME [--kind K]… [--dry-run]`: sends pending local changes
//! to the provider, never over a newer provider version, never twice.

use std::process::ExitCode;

use tether_core::export::{Action, ExportOptions, ExportOutcome, Exporter};
use tether_core::store::RunStatus;
use tether_core::sync::Syncer;

use super::sync::select_kinds;
use super::{HELD, PARTIAL_FAILURE};
use crate::context::{Context, Global};
use crate::interrupt::{self, INTERRUPTED};
use crate::output::{Table, json_line, time};
use crate::progress::Bars;

#[derive(clap::Args)]
pub struct Args {
    /// The connection.
    pub name: String,
    /// A kind to export (repeatable); every writable kind when none is given.
    #[arg(long = "kind", short = 'k')]
    pub kinds: Vec<String>,
    /// Print the plan (creates, updates, deletes, conflicts, refusals) and
    /// change nothing, here or at the provider.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not resync the kinds first (by default an export starts with a
    /// resync of the kinds it touches, so it works from the provider's
    /// latest versions and conflicts show before anything is sent).
    #[arg(long)]
    pub no_resync: bool,
}

pub async fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let ctx = Context::open(global).await?;
    let session = ctx.session(&args.name).await?;
    let kinds: Vec<_> = select_kinds(session.connector.kinds(), &args.kinds)?
        .into_iter()
        .filter(|k| k.capabilities().write.is_some())
        .collect();
    let bars = Bars::new(ctx.json);
    let _retries = bars.watch(session.api.stats_handle());
    let cancel = interrupt::on_signal(ctx.json);
    if !args.no_resync && !args.dry_run {
        let resynced = Syncer::new(&ctx.store, &session)
            .observer(&bars)
            .cancel_on(cancel.clone())
            .resync_kinds(&kinds)
            .await?;
        for r in resynced.reports.iter().filter(|r| r.error.is_some()) {
            eprintln!(
                "{}: the resync before export failed ({}); its export still compares versions first",
                r.kind,
                r.error
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            );
        }
    }
    let outcome = Exporter::new(&ctx.store, &session.api, session.connection.id)
        .observer(&bars)
        .options(ExportOptions {
            dry_run: args.dry_run,
            ..ExportOptions::default()
        })
        .cancel_on(cancel)
        .export_kinds(&kinds)
        .await?;
    print_outcome(&outcome, args.dry_run, ctx.json)?;
    Ok(exit_code(&outcome))
}

fn print_outcome(outcome: &ExportOutcome, dry_run: bool, json: bool) -> anyhow::Result<()> {
    if json {
        for r in &outcome.reports {
            json_line(r)?;
        }
        for held in &outcome.held {
            json_line(&serde_json::json!({
                "kind": held.kind,
                "status": "held",
                "held_by": {"host": held.holder.host, "pid": held.holder.pid},
                "since": held.since,
            }))?;
        }
        let total = |a: Action| {
            outcome
                .reports
                .iter()
                .flat_map(|r| &r.items)
                .filter(|i| i.action == a)
                .count()
        };
        json_line(&serde_json::json!({
            "summary": {
                "dry_run": dry_run,
                "created": total(Action::Create),
                "updated": total(Action::Update),
                "deleted": total(Action::Delete),
                "voided": total(Action::Void),
                "linked": total(Action::Link),
                "conflicts": total(Action::Conflict) + total(Action::Unresolved),
                "refused": total(Action::Refused),
                "uncertain": outcome.reports.iter().map(|r| r.counts.uncertain).sum::<i64>(),
            }
        }))?;
        return Ok(());
    }
    if dry_run {
        println!("dry run: nothing is written, here or at the provider");
    }
    let mut table = Table::new(&[
        "KIND",
        "STATUS",
        "CREATE",
        "UPDATE",
        "DELETE",
        "VOID",
        "LINK",
        "CONFLICT",
        "REFUSED",
        "UNCERTAIN",
        "API CALLS",
    ]);
    for r in &outcome.reports {
        let n = |a: Action| r.items.iter().filter(|i| i.action == a).count().to_string();
        let status = match (r.status, dry_run) {
            (RunStatus::Succeeded, true) => "planned".to_owned(),
            (RunStatus::Succeeded, false) => "ok".to_owned(),
            (other, _) => other.as_str().to_owned(),
        };
        table.row(vec![
            r.kind.to_owned(),
            status,
            n(Action::Create),
            n(Action::Update),
            n(Action::Delete),
            n(Action::Void),
            n(Action::Link),
            (r.items
                .iter()
                .filter(|i| matches!(i.action, Action::Conflict | Action::Unresolved))
                .count())
            .to_string(),
            n(Action::Refused),
            r.counts.uncertain.to_string(),
            r.counts.api_calls.to_string(),
        ]);
    }
    table.print();
    for r in &outcome.reports {
        if let Some(e) = &r.error {
            eprintln!("{} failed: {e}", r.kind);
        }
        for item in r.items.iter().filter(|i| i.message.is_some()) {
            let what = match item.action {
                Action::Conflict | Action::Unresolved => "conflict",
                Action::Refused => "refused",
                _ => "uncertain",
            };
            eprintln!(
                "{} {} {what}: {}",
                r.kind,
                item.record,
                item.message.as_deref().unwrap_or_default()
            );
        }
    }
    if outcome.reports.iter().any(|r| {
        r.items
            .iter()
            .any(|i| matches!(i.action, Action::Conflict | Action::Unresolved))
    }) {
        eprintln!(
            "see `tether conflicts` and settle each with `tether resolve NAME ID --keep local|remote`"
        );
    }
    for held in &outcome.held {
        eprintln!(
            "{} is held by {} since {}: another tether process is working on it",
            held.kind,
            held.holder,
            time(Some(held.since))
        );
    }
    Ok(())
}

/// 0 when everything pending was exported, 3 when some records were
/// refused, conflicted or left uncertain, 1 when nothing could be done,
/// 4 when kinds were held, 130 when interrupted.
fn exit_code(outcome: &ExportOutcome) -> ExitCode {
    let reports = &outcome.reports;
    if reports.iter().any(|r| r.status == RunStatus::Interrupted) {
        return ExitCode::from(INTERRUPTED);
    }
    let failed = reports
        .iter()
        .filter(|r| r.status == RunStatus::Failed)
        .count();
    if !reports.is_empty() && failed == reports.len() {
        return ExitCode::FAILURE;
    }
    if failed > 0 || reports.iter().any(|r| !r.complete()) {
        return ExitCode::from(PARTIAL_FAILURE);
    }
    if !outcome.held.is_empty() {
        return ExitCode::from(HELD);
    }
    ExitCode::SUCCESS
}
