//! `tether sync NAME [--kind K]…`: the full pull, resumable; and
//! `tether resync NAME`: what changed since the last pull, deletions included.

use std::process::ExitCode;

use anyhow::bail;
use tether_core::ObjectKind;
use tether_core::lease::LeaseInfo;
use tether_core::store::RunStatus;
use tether_core::sync::{DeletionHold, SyncOptions, SyncOutcome, Syncer};

use super::{HELD, PARTIAL_FAILURE};
use crate::context::{Context, Global};
use crate::interrupt::{self, INTERRUPTED};
use crate::output::{Table, json_line, time};
use crate::progress::Bars;

#[derive(clap::Args)]
pub struct Args {
    /// The connection.
    pub name: String,
    /// A kind to sync (repeatable); all kinds when none is given.
    #[arg(long = "kind", short = 'k')]
    pub kinds: Vec<String>,
    #[command(flatten)]
    pub deletions: DeletionArgs,
}

/// `tether resync`.
#[derive(clap::Args)]
pub struct ResyncArgs {
    /// The connection.
    pub name: String,
    /// A kind to resync (repeatable); all kinds when none is given.
    #[arg(long = "kind", short = 'k')]
    pub kinds: Vec<String>,
    /// Pull every kind in full: a reconciliation that also catches changes
    /// the provider made without touching their modification time.
    #[arg(long)]
    pub full: bool,
    #[command(flatten)]
    pub deletions: DeletionArgs,
}

/// When deletions are held for a person.
#[derive(clap::Args)]
pub struct DeletionArgs {
    /// Apply deletions held by an earlier run (checked again with the
    /// provider first), and hold none this time.
    #[arg(long)]
    pub confirm_deletes: bool,
    /// Hold a run's deletions of a kind when they exceed this percentage of
    /// its live records...
    #[arg(long, default_value_t = 10.0, value_name = "PERCENT")]
    pub hold_above_percent: f64,
    /// ...and this many records.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub hold_above: u64,
}

impl DeletionArgs {
    fn options(&self) -> SyncOptions {
        SyncOptions {
            confirm_deletes: self.confirm_deletes,
            hold: DeletionHold {
                ratio: self.hold_above_percent / 100.0,
                min: self.hold_above,
            },
            ..SyncOptions::default()
        }
    }
}

pub async fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    pull(
        global,
        &args.name,
        &args.kinds,
        args.deletions.options(),
        false,
    )
    .await
}

pub async fn resync(args: ResyncArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let options = SyncOptions {
        full: args.full,
        ..args.deletions.options()
    };
    pull(global, &args.name, &args.kinds, options, true).await
}

async fn pull(
    global: &Global,
    name: &str,
    kinds: &[String],
    options: SyncOptions,
    resync: bool,
) -> anyhow::Result<ExitCode> {
    let ctx = Context::open(global).await?;
    let session = ctx.session(name).await?;
    let kinds = select_kinds(session.connector.kinds(), kinds)?;
    let bars = Bars::new(ctx.json);
    let _retries = bars.watch(session.api.stats_handle());
    let syncer = Syncer::new(&ctx.store, &session)
        .options(options)
        .observer(&bars)
        .cancel_on(interrupt::on_signal(ctx.json));
    let outcome = if resync {
        syncer.resync_kinds(&kinds).await?
    } else {
        syncer.sync_kinds(&kinds).await?
    };
    print_outcome(&outcome, ctx.json)?;
    if !ctx.json {
        say_held(&outcome, name);
    }
    Ok(exit_code(&outcome))
}

/// What a person must do about held deletions.
fn say_held(outcome: &SyncOutcome, name: &str) {
    for r in outcome.reports.iter().filter(|r| r.counts.held > 0) {
        eprintln!(
            "{}: {} deletion(s) held: the provider no longer has them, but that is more than the \
             threshold of the kind's live records; check, then run `tether resync {name} --kind {} \
             --confirm-deletes`",
            r.kind, r.counts.held, r.kind
        );
    }
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

/// The kind reports as a table (or JSON lines), then what a person should
/// know: failures, kinds another process holds, quarantined objects, and how
/// to resume an interrupted sync.
pub fn print_outcome(outcome: &SyncOutcome, json: bool) -> anyhow::Result<()> {
    let reports = &outcome.reports;
    if json {
        for r in reports {
            json_line(&serde_json::json!({
                "kind": r.kind,
                "run": r.run,
                "status": r.status,
                "pull": r.pull,
                "resumed": r.resumed,
                "counts": r.counts,
                "seconds": r.elapsed.as_secs_f64(),
                "error": r.error.as_ref().map(ToString::to_string),
            }))?;
        }
        for held in &outcome.held {
            json_line(&held_json(held))?;
        }
        for kind in &outcome.not_started {
            json_line(&serde_json::json!({"kind": kind, "status": "not_started"}))?;
        }
        return Ok(());
    }
    if !reports.is_empty() {
        let mut table = Table::new(&[
            "KIND",
            "STATUS",
            "FETCHED",
            "STORED",
            "QUARANTINED",
            "MARKED DELETED",
            "HELD",
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
                r.counts.held.to_string(),
                r.counts.pages.to_string(),
                r.counts.api_calls.to_string(),
                format!("{:.2}", r.elapsed.as_secs_f64()),
            ]);
        }
        table.print();
    }
    for r in reports {
        if let Some(e) = r.error.as_ref().filter(|_| r.status == RunStatus::Failed) {
            eprintln!("{} failed: {e}", r.kind);
        }
    }
    for held in &outcome.held {
        eprintln!(
            "{} is held by {} since {}: another tether process is working on it; \
             run this again once it is done (a holder that died is taken over within a minute)",
            held.kind,
            held.holder,
            time(Some(held.since))
        );
    }
    let quarantined: i64 = reports.iter().map(|r| r.counts.quarantined).sum();
    if quarantined > 0 {
        eprintln!(
            "{quarantined} object(s) could not be read and were quarantined; see `tether status`"
        );
    }
    if outcome.interrupted() {
        let pages: i64 = reports.iter().map(|r| r.counts.pages).sum();
        eprintln!("interrupted after {pages} page(s); run the same command to resume");
    }
    if !outcome.not_started.is_empty() {
        eprintln!("not started: {}", outcome.not_started.join(", "));
    }
    Ok(())
}

/// A held kind as a JSON line.
fn held_json(held: &LeaseInfo) -> serde_json::Value {
    serde_json::json!({
        "kind": held.kind,
        "status": "held",
        "held_by": {"host": held.holder.host, "pid": held.holder.pid},
        "since": held.since,
    })
}

/// 130 when interrupted; 1 when every kind that ran failed, 3 when some
/// did; 4 when the rest was held by another process; 0 otherwise.
pub fn exit_code(outcome: &SyncOutcome) -> ExitCode {
    if outcome.interrupted() {
        return ExitCode::from(INTERRUPTED);
    }
    let reports = &outcome.reports;
    let failed = reports
        .iter()
        .filter(|r| r.status != RunStatus::Succeeded)
        .count();
    match failed {
        0 if outcome.held.is_empty() => ExitCode::SUCCESS,
        0 => ExitCode::from(HELD),
        n if n == reports.len() => ExitCode::FAILURE,
        _ => ExitCode::from(PARTIAL_FAILURE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tether_core::store::RunCounts;
    use tether_core::sync::KindReport;

    fn report(status: RunStatus) -> KindReport {
        KindReport {
            kind: "invoices",
            run: None,
            resumed: false,
            pull: tether_core::store::Pull::Full,
            status,
            counts: RunCounts::default(),
            elapsed: std::time::Duration::ZERO,
            error: None,
        }
    }

    fn outcome(statuses: &[RunStatus], held: usize) -> SyncOutcome {
        let info = LeaseInfo {
            kind: "items".to_owned(),
            holder: tether_core::lease::Holder::this_process(),
            since: chrono::Utc::now(),
            expires_at: chrono::Utc::now(),
        };
        SyncOutcome {
            reports: statuses.iter().map(|s| report(*s)).collect(),
            held: vec![info; held],
            not_started: Vec::new(),
        }
    }

    #[test]
    fn exit_codes_say_what_happened() {
        use RunStatus::*;
        let code = |statuses: &[RunStatus], held| exit_code(&outcome(statuses, held));
        assert_eq!(code(&[Succeeded], 0), ExitCode::SUCCESS);
        assert_eq!(
            code(&[Succeeded, Failed], 0),
            ExitCode::from(PARTIAL_FAILURE)
        );
        assert_eq!(code(&[Failed], 0), ExitCode::FAILURE);
        assert_eq!(code(&[Succeeded], 1), ExitCode::from(HELD));
        assert_eq!(code(&[], 2), ExitCode::from(HELD));
        assert_eq!(
            code(&[Succeeded, Failed], 1),
            ExitCode::from(PARTIAL_FAILURE)
        );
        assert_eq!(
            code(&[Succeeded, Interrupted], 0),
            ExitCode::from(INTERRUPTED)
        );
    }
}
