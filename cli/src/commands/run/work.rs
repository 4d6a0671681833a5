//! One job the scheduler handed out, run with the existing Syncer and
//! Exporter over the connection's shared session, and what it ended as.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use tether_core::ObjectKind;
use tether_core::export::Exporter;
use tether_core::pending::PendingState;
use tether_core::schedule::{Due, Job, PendingPrint};
use tether_core::store::{ConnectionId, Pull, RunStatus, RunType, Store};
use tether_core::sync::{SyncOptions, SyncOutcome, Syncer};
use tether_core::{Error, Session, Timestamp};
use tether_store::SeaStore;
use tokio_util::sync::CancellationToken;

use super::metrics::Metrics;
use super::sessions::{Sessions, Unavailable};

/// What every job of this process runs with, whichever way it was handed
/// out (a local task or the job engine).
#[derive(Clone)]
pub struct JobEnv {
    pub store: SeaStore,
    pub sessions: Sessions,
    pub metrics: Metrics,
    /// Fired by the first signal: runs stop at their next page.
    pub cancel: CancellationToken,
}

impl std::fmt::Debug for JobEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobEnv").finish_non_exhaustive()
    }
}

impl JobEnv {
    /// Runs `due` over its connection's session (opened on its first job in
    /// this process), counts it in the metrics and logs how it ended.
    pub async fn run(&self, due: Due) -> Result<(Finished, Arc<Session>), Unavailable> {
        let session = self.sessions.get_or_open(&due.key.connection).await?;
        self.metrics.in_progress.inc();
        let finished = execute(
            self.store.clone(),
            session.clone(),
            due,
            self.cancel.clone(),
        )
        .await;
        self.metrics.in_progress.dec();
        report(&self.metrics, &session.connection.provider, &finished);
        self.metrics.count_api_calls(&session);
        Ok((finished, session))
    }
}

/// A run as the run history recorded it.
pub struct Ended {
    pub run_type: RunType,
    pub status: RunStatus,
    /// Records stored, marked deleted, or written at the provider.
    pub changed: u64,
    pub error: Option<String>,
}

/// What a job did.
pub struct Finished {
    pub due: Due,
    pub runs: Vec<Ended>,
    /// Another process held the (connection, kind): left for the next slot.
    pub held: bool,
    /// What stopped it before any run started.
    pub error: Option<String>,
    pub started_at: Timestamp,
    pub seconds: f64,
}

impl Finished {
    /// `due` could not start: `why`.
    pub fn not_run(due: Due, why: String) -> Finished {
        Finished {
            due,
            runs: Vec::new(),
            held: false,
            error: Some(why),
            started_at: chrono::Utc::now(),
            seconds: 0.0,
        }
    }
}

/// Runs `due`; never fails as a whole (a failure is recorded and retried at
/// the next slot).
pub async fn execute(
    store: SeaStore,
    session: Arc<Session>,
    due: Due,
    cancel: CancellationToken,
) -> Finished {
    let started = Instant::now();
    let mut finished = Finished {
        runs: Vec::new(),
        held: false,
        error: None,
        started_at: chrono::Utc::now(),
        seconds: 0.0,
        due,
    };
    let Some(kind) = session
        .connector
        .kinds()
        .iter()
        .copied()
        .find(|k| k.name() == finished.due.key.kind)
    else {
        finished.error = Some("the provider no longer has this kind".to_owned());
        return finished;
    };
    let kinds = [kind];
    let full = finished.due.job == Job::Full;
    let syncer = Syncer::new(&store, &session)
        .options(SyncOptions {
            full,
            ..SyncOptions::default()
        })
        .cancel_on(cancel.clone());
    // An export starts with a resync of its kind, as `tether export` does,
    // so conflicts show before anything is sent.
    match syncer.resync_kinds(&kinds).await {
        Ok(outcome) => pulled(&mut finished, &outcome),
        Err(e) => finished.error = Some(said(&session, e)),
    }
    if finished.due.job == Job::Export && !cancel.is_cancelled() && !finished.held {
        let exporter =
            Exporter::new(&store, &session.api, session.connection.id).cancel_on(cancel.clone());
        match exporter.export_kinds(&kinds).await {
            Ok(outcome) => {
                finished.held |= !outcome.held.is_empty();
                for r in outcome.reports.iter().filter(|r| r.run.is_some()) {
                    finished.runs.push(Ended {
                        run_type: RunType::Export,
                        status: r.status,
                        changed: (r.counts.written + r.counts.deleted).max(0) as u64,
                        error: r.error.as_ref().map(ToString::to_string),
                    });
                }
            }
            Err(e) => finished.error = Some(said(&session, e)),
        }
    }
    finished.seconds = started.elapsed().as_secs_f64();
    finished
}

fn pulled(finished: &mut Finished, outcome: &SyncOutcome) {
    finished.held |= !outcome.held.is_empty();
    for r in outcome.reports.iter().filter(|r| r.run.is_some()) {
        finished.runs.push(Ended {
            // The run type the Syncer records (a resync that reads the
            // full listing is a reconciliation).
            run_type: match r.pull {
                Pull::Full => RunType::Reconcile,
                Pull::Changes => RunType::Resync,
            },
            status: r.status,
            changed: (r.counts.stored + r.counts.deleted).max(0) as u64,
            error: r.error.as_ref().map(ToString::to_string),
        });
    }
}

fn said(session: &Session, e: Error) -> String {
    session.explain(e).to_string()
}

/// Which records of `kind` an export would send (ready, or sent without an
/// answer), at which revision (see [`PendingPrint`]); `None` when none is,
/// or when one was edited at or after `edited_since` (an edit made while an
/// export ran is not taken as what that export left).
pub async fn pending_print(
    store: &SeaStore,
    connection: ConnectionId,
    kind: &str,
    edited_since: Option<Timestamp>,
) -> tether_core::Result<PendingPrint> {
    let records: Vec<_> = store
        .pending(connection, kind, 0, 500)
        .await?
        .into_iter()
        .filter(|r| {
            r.pending
                .as_ref()
                .is_some_and(|p| matches!(p.state, PendingState::Ready | PendingState::Uncertain))
        })
        .collect();
    let fresh = |r: &tether_core::store::StoredRecord| {
        edited_since.is_some_and(|since| r.local_updated_at.is_some_and(|at| at >= since))
    };
    if records.is_empty() || records.iter().any(fresh) {
        return Ok(None);
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for r in &records {
        for byte in
            r.id.to_le_bytes()
                .into_iter()
                .chain(r.revision.to_le_bytes())
        {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    Ok(Some(hash))
}

/// Whether `kind` can be exported.
pub fn writable(kind: &dyn ObjectKind) -> bool {
    kind.capabilities().write.is_some()
}

/// Counts `finished` in the metrics and logs how each of its runs ended:
/// the same lines whichever process ran it.
pub fn report(metrics: &Metrics, provider: &str, finished: &Finished) {
    let key = &finished.due.key;
    for run in &finished.runs {
        let labels = vec![
            ("provider", provider.to_owned()),
            ("kind", key.kind.clone()),
            ("type", run.run_type.as_str().to_owned()),
            ("outcome", run.status.as_str().to_owned()),
        ];
        metrics.runs.get_or_create(&labels).inc();
        let changed = vec![
            ("provider", provider.to_owned()),
            ("kind", key.kind.clone()),
        ];
        metrics
            .records_changed
            .get_or_create(&changed)
            .inc_by(run.changed);
        tracing::info!(
            connection = %key.connection,
            kind = %key.kind,
            job = finished.due.job.as_str(),
            run = run.run_type.as_str(),
            outcome = run.status.as_str(),
            changed = run.changed,
            seconds = finished.seconds,
            error = run.error.as_deref(),
            "run ended"
        );
    }
    if finished.held {
        tracing::info!(connection = %key.connection, kind = %key.kind,
            "held by another process; tried again later");
    }
    if let Some(error) = &finished.error {
        tracing::warn!(connection = %key.connection, kind = %key.kind, %error,
            "could not run; tried again at the next slot");
    }
}

/// Reads a connection's conflicts and held deletions into the gauges.
pub async fn read_totals(store: &SeaStore, metrics: &Metrics, id: ConnectionId, name: &str) {
    let label = vec![("connection", name.to_owned())];
    match store.totals(id).await {
        Ok(totals) => {
            let sum = |f: fn(&tether_core::store::KindTotals) -> i64| totals.iter().map(f).sum();
            metrics
                .conflicts
                .get_or_create(&label)
                .set(sum(|t| t.conflicts));
            metrics.held.get_or_create(&label).set(sum(|t| t.held));
        }
        Err(e) => tracing::warn!(connection = %name, error = %e, "cannot count the conflicts"),
    }
}

/// A connection's cursors by kind (one query); empty when they cannot be read.
pub async fn cursors_of(store: &SeaStore, id: ConnectionId) -> HashMap<String, Timestamp> {
    match store.cursors(Some(id)).await {
        Ok(cursors) => cursors.into_iter().map(|(_, k, c)| (k, c)).collect(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the cursors");
            HashMap::new()
        }
    }
}

/// `tether_lag_seconds{connection}`: now − the oldest cursor of its kinds
/// (none synced yet: no lag).
pub fn set_lag(metrics: &Metrics, connection: &str, oldest: Option<Timestamp>) {
    if let Some(oldest) = oldest {
        let lag = (chrono::Utc::now() - oldest).num_milliseconds() as f64 / 1000.0;
        let label = vec![("connection", connection.to_owned())];
        metrics.lag.get_or_create(&label).set(lag.max(0.0));
    }
}

/// Runs `task` for each of `items`, `at_most` at once, and hands each
/// answer to `each` as it comes: the loop's reads over thousands of
/// connections do not wait on one another.
pub async fn each_at_once<I, F, Fut>(
    items: impl IntoIterator<Item = I>,
    at_most: usize,
    task: F,
    mut each: impl FnMut(Fut::Output),
) where
    F: Fn(I) -> Fut,
    Fut: std::future::Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    let mut items = items.into_iter();
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        while tasks.len() < at_most.max(1) {
            match items.next() {
                Some(item) => {
                    tasks.spawn(task(item));
                }
                None => break,
            }
        }
        match tasks.join_next().await {
            None => break,
            Some(Ok(answer)) => each(answer),
            Some(Err(e)) => tracing::error!(error = %e, "a read panicked"),
        }
    }
}
