//! Export, owned by core: every pending local edit of a kind goes to the
//! provider in the kind's batches, in the connector's kind order (contacts
//! and items before the invoices that reference them), under the kind's
//! lease, and each record's outcome is recorded on its own.
//!
//! - **Never stale**: before an update or a delete the provider's current
//!   versions are read (by ids, batched); an object changed after the version
//!   the edit was based on gets nothing written and becomes a conflict, with
//!   both versions kept.
//! - **Never twice**: a record is marked uncertain, durably, before it is
//!   sent, and each request carries an idempotency key derived from its
//!   records' ids, revisions and attempts. An uncertain create is looked for
//!   at the provider (natural key, or content) before it is sent again with
//!   a new key; an uncertain update is compared with what the provider holds.
//! - **Dry run**: the same plan, with the provider read but nothing written,
//!   here or there.

mod plan;
mod references;
mod send;

use std::time::{Duration, Instant};

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::http::Api;
use crate::lease::{DEFAULT_LEASE_TTL, HeldLeases, Holder, Lease, LeaseInfo};
use crate::store::{ConnectionId, RunCounts, RunId, RunStatus, RunType, Store};
use crate::{Error, ErrorKind, ObjectKind, Result};

pub use plan::{Action, Planned};

/// Pending records read from the store at a time.
const PENDING_PAGE: u64 = 500;

/// Knobs of export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Plan only: read the provider's versions, write nothing anywhere.
    pub dry_run: bool,
    /// How long a lease outlives its last renewal.
    pub lease_ttl: Duration,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            dry_run: false,
            lease_ttl: DEFAULT_LEASE_TTL,
        }
    }
}

/// How one kind's export went (or, in a dry run, would go).
#[derive(Debug, Serialize)]
pub struct KindExport {
    /// The kind.
    pub kind: &'static str,
    /// The run that recorded it (none in a dry run).
    pub run: Option<RunId>,
    /// How it ended.
    pub status: RunStatus,
    /// What it did.
    pub counts: RunCounts,
    /// Each record's outcome (or planned action).
    pub items: Vec<Planned>,
    /// Wall time.
    #[serde(skip)]
    pub elapsed: Duration,
    /// What stopped it.
    #[serde(serialize_with = "error_text")]
    pub error: Option<Error>,
}

fn error_text<S: serde::Serializer>(
    e: &Option<Error>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match e {
        Some(e) => s.serialize_some(&e.to_string()),
        None => s.serialize_none(),
    }
}

impl KindExport {
    /// Whether every pending record of the kind reached the provider.
    pub fn complete(&self) -> bool {
        self.status == RunStatus::Succeeded
            && self.counts.refused == 0
            && self.counts.conflicts == 0
            && self.counts.uncertain == 0
    }
}

/// What an export of several kinds did.
#[derive(Debug, Default)]
pub struct ExportOutcome {
    /// One report per kind it ran, in the order asked.
    pub reports: Vec<KindExport>,
    /// The kinds another process holds.
    pub held: Vec<LeaseInfo>,
}

/// Told about an export as it goes (the CLI draws bars with it); every
/// method has a no-op default.
pub trait ExportObserver: Send + Sync {
    /// A kind's export starts.
    fn started(&self, _kind: &str) {}

    /// `done` records of the kind have an outcome so far.
    fn progress(&self, _kind: &str, _done: u64) {}

    /// A kind's export ended.
    fn finished(&self, _report: &KindExport) {}
}

/// Reports nothing.
struct Silent;

impl ExportObserver for Silent {}

/// Pushes a connection's pending local edits to its provider.
pub struct Exporter<'a> {
    store: &'a dyn Store,
    /// `api` with counters of its own: a run's API calls are its own even
    /// while other runs of the connection share the door.
    api: Api,
    connection: ConnectionId,
    options: ExportOptions,
    observer: &'a dyn ExportObserver,
    holder: Holder,
    cancel: CancellationToken,
    /// In a dry run: the records an earlier kind would have created, whose
    /// references a later kind's objects may use.
    would_create: std::sync::Mutex<std::collections::HashSet<i64>>,
}

impl<'a> Exporter<'a> {
    /// An exporter reading from `store` and writing through `api`.
    pub fn new(store: &'a dyn Store, api: &'a Api, connection: ConnectionId) -> Self {
        Exporter {
            store,
            api: api.scoped(),
            connection,
            options: ExportOptions::default(),
            observer: &Silent,
            holder: Holder::this_process(),
            cancel: CancellationToken::new(),
            would_create: Default::default(),
        }
    }

    /// Replaces the default options.
    pub fn options(mut self, options: ExportOptions) -> Self {
        self.options = options;
        self
    }

    /// Reports progress to `observer`.
    pub fn observer(mut self, observer: &'a dyn ExportObserver) -> Self {
        self.observer = observer;
        self
    }

    /// Holds leases as `holder`.
    pub fn holder(mut self, holder: Holder) -> Self {
        self.holder = holder;
        self
    }

    /// Stops between batches once `cancel` fires.
    pub fn cancel_on(mut self, cancel: CancellationToken) -> Self {
        self.cancel = cancel;
        self
    }

    /// Exports the writable kinds among `kinds`, in order; a kind another
    /// process holds is left to it.
    pub async fn export_kinds(&self, kinds: &[&'static dyn ObjectKind]) -> Result<ExportOutcome> {
        let writable: Vec<&'static dyn ObjectKind> = kinds
            .iter()
            .copied()
            .filter(|k| k.capabilities().write.is_some())
            .collect();
        let wanted: Vec<Lease> = writable
            .iter()
            .map(|k| Lease {
                connection: self.connection,
                kind: k.name().to_owned(),
                holder: self.holder.clone(),
                ttl: self.options.lease_ttl,
            })
            .collect();
        let answers = crate::lease::acquire(self.store, &wanted, &self.holder).await?;
        let mut outcome = ExportOutcome::default();
        let mut granted = Vec::new();
        for ((kind, lease), held) in writable.iter().zip(wanted).zip(answers) {
            match held {
                None => granted.push((*kind, lease)),
                Some(info) => outcome.held.push(info),
            }
        }
        let leases: Vec<Lease> = granted.iter().map(|(_, l)| l.clone()).collect();
        let held = HeldLeases::new(leases);
        let work = async {
            for (kind, lease) in &granted {
                if self.cancel.is_cancelled() {
                    break;
                }
                outcome.reports.push(self.export_kind(*kind, lease).await);
                held.release(self.store, kind.name()).await;
            }
        };
        tokio::select! {
            () = work => {}
            () = held.heartbeat(self.store, self.options.lease_ttl / 4) => {}
        }
        held.release_all(self.store).await;
        Ok(outcome)
    }

    async fn export_kind(&self, kind: &'static dyn ObjectKind, lease: &Lease) -> KindExport {
        self.observer.started(kind.name());
        let report = self.export_kind_run(kind, lease).await;
        self.observer.finished(&report);
        report
    }

    async fn export_kind_run(&self, kind: &'static dyn ObjectKind, lease: &Lease) -> KindExport {
        let started = Instant::now();
        let calls_before = self.api.stats().calls();
        let run = if self.options.dry_run {
            None
        } else {
            match self.store.start_run(lease, RunType::Export).await {
                Ok(run) => Some(run),
                Err(e) => {
                    return KindExport {
                        kind: kind.name(),
                        run: None,
                        status: RunStatus::Failed,
                        counts: RunCounts::default(),
                        items: Vec::new(),
                        elapsed: started.elapsed(),
                        error: Some(e),
                    };
                }
            }
        };
        let mut report = KindExport {
            kind: kind.name(),
            run,
            status: RunStatus::Running,
            counts: RunCounts::default(),
            items: Vec::new(),
            elapsed: Duration::ZERO,
            error: None,
        };
        let outcome = self.export_pending(kind, lease, &mut report).await;
        report.counts.api_calls = (self.api.stats().calls() - calls_before) as i64;
        report.status = match &outcome {
            Ok(()) => RunStatus::Succeeded,
            Err(e) if e.kind() == ErrorKind::Cancelled => RunStatus::Interrupted,
            Err(_) => RunStatus::Failed,
        };
        report.error = outcome.err();
        report.elapsed = started.elapsed();
        if let Some(run) = run {
            let message = report.error.as_ref().map(ToString::to_string);
            if let Err(e) = self
                .store
                .finish_run(run, report.status, &report.counts, message.as_deref())
                .await
            {
                tracing::error!(kind = kind.name(), error = %e, "could not record the end of the export");
            }
        }
        report
    }

    /// Every pending record of the kind, a page at a time.
    async fn export_pending(
        &self,
        kind: &'static dyn ObjectKind,
        lease: &Lease,
        report: &mut KindExport,
    ) -> Result<()> {
        let mut after = 0;
        loop {
            if self.cancel.is_cancelled() {
                return Err(Error::new(ErrorKind::Cancelled, "export interrupted"));
            }
            let records = self
                .store
                .pending(self.connection, kind.name(), after, PENDING_PAGE)
                .await?;
            let Some(last) = records.last() else {
                return Ok(());
            };
            after = last.id;
            let plan = self.plan(kind, records).await?;
            self.carry_out(kind, lease, report, plan).await?;
            self.observer
                .progress(kind.name(), report.items.len() as u64);
        }
    }
}
