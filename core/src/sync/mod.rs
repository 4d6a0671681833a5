//! Pulls, owned by core: the full pull of a kind ("sync") and the pull of
//! what changed since the cursor ("resync"). Page after page, each page is
//! committed with its checkpoint in one transaction, so a crash at any point
//! loses nothing and the next run resumes from the last committed page; the
//! two kinds of pull keep separate checkpoints. At the end of a full pull,
//! whatever the listing did not return and the provider confirms gone is
//! marked deleted (or held for a person when it is suspiciously much); the
//! cursor moves to the provider time the pull started at, minus an overlap.
//!
//! Every kind is pulled under a lease (see [`crate::lease`]): a second sync
//! of the same work does the kinds it can and reports the ones held.

mod choose;
mod commit;
mod feed;
mod fetch;
mod observer;
mod reconcile;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::feed::ChangeFeed;
use crate::http::{Api, RetryPolicy};
use crate::lease::{DEFAULT_LEASE_TTL, HeldLeases, Holder, Lease, LeaseInfo};
use crate::store::{
    Checkpoint, ConnectionId, Provenance, Pull, PullEnd, Reconcile, RunCounts, RunId, RunStatus,
    RunType, Store, SyncState,
};
use crate::{Error, ErrorKind, ObjectKind, Session, Timestamp};

use feed::FeedShare;
use fetch::PreparedPage;
pub use observer::{NoProgress, SyncObserver};

/// The default of [`SyncOptions::pages_per_commit`]. `bench_store` (1M
/// invoices, 4 tenants at once, quiet 2-core machine): SQLite 44,000-47,000
/// records/s at 8 (0.47-0.50 of its raw inserts), 48,900-49,500 at 16
/// (0.52-0.53); PostgreSQL ~54,000 either way.
pub const PAGES_PER_COMMIT: usize = 16;

/// Knobs of the sync loop.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Subtracted from the provider's clock at the start of a pull, so a
    /// change committed at the provider while we read is seen again by the
    /// next resync rather than missed.
    pub overlap: Duration,
    /// Retries of a page whose body was garbled; network and server faults
    /// were already retried by the HTTP layer and are not retried again.
    pub page_retry: RetryPolicy,
    /// Pages fetched ahead of the one being committed.
    pub prefetch: usize,
    /// The most pages committed in one store transaction. Pages that were
    /// fetched while the previous commit ran are committed together, so a
    /// store that falls behind the provider pays a transaction's fixed costs
    /// once for several pages and catches up; a store that keeps up still
    /// commits each page as it comes. This many pages may wait in memory.
    pub pages_per_commit: usize,
    /// How long a lease outlives its last renewal: the work of a process
    /// that died is taken over this long after it stopped renewing.
    pub lease_ttl: Duration,
    /// When a full pull's deletions are held for a person instead of applied.
    pub hold: DeletionHold,
    /// Resync: pull every kind in full (a periodic reconciliation that also
    /// catches changes the provider made without touching their time).
    pub full: bool,
    /// Apply deletions that were held, and hold none this time.
    pub confirm_deletes: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            overlap: Duration::from_secs(300),
            page_retry: RetryPolicy {
                max_retries: 4,
                ..RetryPolicy::default()
            },
            prefetch: 2,
            pages_per_commit: PAGES_PER_COMMIT,
            lease_ttl: DEFAULT_LEASE_TTL,
            hold: DeletionHold::default(),
            full: false,
            confirm_deletes: false,
        }
    }
}

/// A run that would delete more than `ratio` of a kind's live records and
/// more than `min` records holds those deletions until a person confirms
/// them: a late delete is better than a false mass delete.
#[derive(Debug, Clone, Copy)]
pub struct DeletionHold {
    /// The share of the kind's live records (0.1 = 10 %).
    pub ratio: f64,
    /// The number of records.
    pub min: u64,
}

impl Default for DeletionHold {
    fn default() -> Self {
        DeletionHold {
            ratio: 0.10,
            min: 10,
        }
    }
}

impl DeletionHold {
    /// Whether deleting `count` of `live` records is to be held.
    pub fn holds(&self, count: u64, live: u64) -> bool {
        count > self.min && count as f64 > self.ratio * live as f64
    }
}

/// How one kind's sync went.
#[derive(Debug)]
pub struct KindReport {
    /// The kind.
    pub kind: &'static str,
    /// The run that recorded it (`None` when even starting the run failed).
    pub run: Option<RunId>,
    /// Whether it continued a pull an earlier run left unfinished.
    pub resumed: bool,
    /// Which listing it read.
    pub pull: Pull,
    /// How it ended.
    pub status: RunStatus,
    /// What it did.
    pub counts: RunCounts,
    /// Wall time.
    pub elapsed: Duration,
    /// What stopped it.
    pub error: Option<Error>,
}

/// What a sync of several kinds did.
#[derive(Debug, Default)]
pub struct SyncOutcome {
    /// One report per kind it ran, in the order asked.
    pub reports: Vec<KindReport>,
    /// The kinds it left alone because another process holds them.
    pub held: Vec<LeaseInfo>,
    /// The kinds it did not start: it was stopped on request, or the
    /// provider could not be reached at all (trying each kind would only
    /// say so again).
    pub not_started: Vec<&'static str>,
}

impl SyncOutcome {
    /// Whether it was stopped on request before it finished.
    pub fn interrupted(&self) -> bool {
        self.reports
            .iter()
            .any(|r| r.status == RunStatus::Interrupted)
    }
}

/// Runs the pulls of one connection.
pub struct Syncer<'a> {
    store: &'a dyn Store,
    session: &'a Session,
    /// The session's door with counters of its own: a run's API calls are
    /// its own even while other kinds of the connection pull at once.
    api: Api,
    connection: ConnectionId,
    feed: Option<&'a dyn ChangeFeed>,
    options: SyncOptions,
    observer: &'a dyn SyncObserver,
    holder: Holder,
    cancel: CancellationToken,
}

/// One kind's run in progress: what its writes carry and what it counted.
struct KindRun<'a> {
    kind: &'static dyn ObjectKind,
    lease: &'a Lease,
    run: RunId,
    calls_before: u64,
    counts: RunCounts,
}

impl KindRun<'_> {
    /// API calls made since the run started.
    fn api_calls(&self, api: &Api) -> i64 {
        (api.stats().calls() - self.calls_before) as i64
    }
}

impl<'a> Syncer<'a> {
    /// A syncer writing to `store` what `session`'s provider holds, holding
    /// its leases as a new holder of this process.
    pub fn new(store: &'a dyn Store, session: &'a Session) -> Self {
        Syncer {
            store,
            session,
            api: session.api.scoped(),
            connection: session.connection.id,
            feed: session.connector.change_feed(),
            options: SyncOptions::default(),
            observer: &NoProgress,
            holder: Holder::this_process(),
            cancel: CancellationToken::new(),
        }
    }

    /// Replaces the default options.
    pub fn options(mut self, options: SyncOptions) -> Self {
        self.options = options;
        self
    }

    /// Reports progress to `observer`.
    pub fn observer(mut self, observer: &'a dyn SyncObserver) -> Self {
        self.observer = observer;
        self
    }

    /// Holds leases as `holder` (a worker that resumes its own work).
    pub fn holder(mut self, holder: Holder) -> Self {
        self.holder = holder;
        self
    }

    /// Stops at the next page boundary once `cancel` fires: the page in hand
    /// commits, the run is recorded as interrupted, and no further kind starts.
    pub fn cancel_on(mut self, cancel: CancellationToken) -> Self {
        self.cancel = cancel;
        self
    }

    /// Pulls each kind in full, in turn; a kind that fails does not stop the
    /// others, and a kind another process holds is left to it. Fails as a
    /// whole only when not even the leases could be taken (the store is
    /// unreachable).
    pub async fn sync_kinds(
        &self,
        kinds: &[&'static dyn ObjectKind],
    ) -> crate::Result<SyncOutcome> {
        self.run_kinds(kinds, Ask::Sync).await
    }

    /// Brings each kind up to date: a pull of what changed since its cursor
    /// where the provider can list changes, a full pull where that is as
    /// cheap or the only way to see deletions (see `choose`), a full sync of
    /// a kind never synced. Otherwise as [`Syncer::sync_kinds`].
    pub async fn resync_kinds(
        &self,
        kinds: &[&'static dyn ObjectKind],
    ) -> crate::Result<SyncOutcome> {
        self.run_kinds(kinds, Ask::Resync).await
    }

    async fn run_kinds(
        &self,
        kinds: &[&'static dyn ObjectKind],
        ask: Ask,
    ) -> crate::Result<SyncOutcome> {
        let mut outcome = SyncOutcome::default();
        let wanted: Vec<Lease> = kinds.iter().map(|k| self.lease(*k)).collect();
        let answers = crate::lease::acquire(self.store, &wanted, &self.holder).await?;
        let mut granted = Vec::with_capacity(kinds.len());
        for (lease, held) in wanted.into_iter().zip(answers) {
            match held {
                None => granted.push(lease),
                Some(info) => outcome.held.push(info),
            }
        }
        let held = HeldLeases::new(granted);
        let work = async {
            let leased: Vec<_> = kinds
                .iter()
                .copied()
                .filter(|k| held.get(*k).is_some())
                .collect();
            let (mut shares, mut stop) = match (ask, self.feed) {
                (Ask::Resync, Some(feed)) => match self.ask_feed(feed, &leased).await {
                    Ok(shares) => (shares, false),
                    Err(e) if e.kind().ends_the_run() => {
                        if let Some(first) = leased.first() {
                            outcome
                                .reports
                                .push(self.not_started(*first, self.session.explain(e)));
                        }
                        (HashMap::new(), true)
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the change feed failed; each kind is listed instead");
                        (HashMap::new(), false)
                    }
                },
                _ => (HashMap::new(), false),
            };
            for kind in kinds {
                let Some(lease) = held.get(*kind) else {
                    continue;
                };
                if outcome.reports.iter().any(|r| r.kind == kind.name()) {
                    continue;
                }
                if stop || self.cancel.is_cancelled() {
                    outcome.not_started.push(kind.name());
                    continue;
                }
                let share = shares.remove(kind.name());
                let mut report = self.sync_kind(*kind, &lease, ask, share).await;
                report.error = report.error.map(|e| self.session.explain(e));
                stop = report
                    .error
                    .as_ref()
                    .is_some_and(|e| e.kind().ends_the_run());
                outcome.reports.push(report);
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

    fn lease(&self, kind: &dyn ObjectKind) -> Lease {
        Lease {
            connection: self.connection,
            kind: kind.name().to_owned(),
            holder: self.holder.clone(),
            ttl: self.options.lease_ttl,
        }
    }

    fn not_started(&self, kind: &'static dyn ObjectKind, error: Error) -> KindReport {
        let report = KindReport {
            kind: kind.name(),
            run: None,
            resumed: false,
            pull: Pull::Full,
            status: RunStatus::Failed,
            counts: RunCounts::default(),
            elapsed: Duration::ZERO,
            error: Some(error),
        };
        self.observer.finished(&report);
        report
    }

    /// Pulls `kind` under `lease` as `ask` asks, resuming an unfinished
    /// pull; a complete `share` of the change feed stands in for the listing
    /// of its changes.
    async fn sync_kind(
        &self,
        kind: &'static dyn ObjectKind,
        lease: &Lease,
        ask: Ask,
        share: Option<FeedShare>,
    ) -> KindReport {
        let started = Instant::now();
        let feed_calls = share.as_ref().map_or(0, |s| s.calls);
        let share = share.filter(|s| {
            if !s.changes.complete {
                tracing::info!(
                    kind = kind.name(),
                    "the change feed's answer was cut at its cap; the kind is listed instead"
                );
            }
            s.changes.complete
        });
        let calls_before = self.api.stats().calls() - feed_calls;
        let state = match self.store.sync_state(self.connection, kind.name()).await {
            Ok(state) => state,
            Err(e) => return self.not_started(kind, e),
        };
        let pull = match (ask, &share) {
            (Ask::Sync, _) => Pull::Full,
            (Ask::Resync, Some(_)) => Pull::Changes,
            (Ask::Resync, None) => choose::pull(kind, &state, &self.options),
        };
        let run_type = match (ask, pull) {
            (Ask::Sync, _) => RunType::Sync,
            (Ask::Resync, Pull::Full) => RunType::Reconcile,
            (Ask::Resync, Pull::Changes) => RunType::Resync,
        };
        let run = match self.store.start_run(lease, run_type).await {
            Ok(run) => run,
            Err(e) => return self.not_started(kind, e),
        };
        let mut work = KindRun {
            kind,
            lease,
            run,
            calls_before,
            counts: RunCounts::default(),
        };
        let mut resumed = false;
        let outcome = self.pull(&mut work, state, pull, share, &mut resumed).await;
        let mut counts = work.counts;
        counts.api_calls = work.api_calls(&self.api);
        let status = match &outcome {
            Ok(()) => RunStatus::Succeeded,
            Err(e) if e.kind() == ErrorKind::Cancelled => RunStatus::Interrupted,
            Err(_) => RunStatus::Failed,
        };
        let error = outcome.err();
        let message = error.as_ref().map(ToString::to_string);
        if let Err(e) = self
            .store
            .finish_run(run, status, &counts, message.as_deref())
            .await
        {
            tracing::error!(kind = kind.name(), error = %e, "could not record the end of the run");
        }
        let report = KindReport {
            kind: kind.name(),
            run: Some(run),
            resumed,
            pull,
            status,
            counts,
            elapsed: started.elapsed(),
            error,
        };
        self.observer.finished(&report);
        report
    }

    /// The loop itself.
    async fn pull(
        &self,
        work: &mut KindRun<'_>,
        state: SyncState,
        pull: Pull,
        share: Option<FeedShare>,
        resumed: &mut bool,
    ) -> crate::Result<()> {
        let kind = work.kind;
        let (existing, since) = match pull {
            Pull::Full => (state.checkpoint, None),
            Pull::Changes => (state.changes, state.cursor),
        };
        *resumed = existing.is_some();
        let mut checkpoint = existing.unwrap_or(Checkpoint {
            pull,
            sweep: work.run,
            next: None,
            pending_cursor: None,
            pages: 0,
        });
        let listing_done = *resumed && checkpoint.next.is_none();
        self.observer.started(kind.name(), *resumed);
        let mut seen_at: Option<Timestamp> = None;

        if let Some(share) = share {
            let page = PreparedPage {
                fetched: share.changes.objects.len() + share.changes.tombstones.len(),
                objects: fetch::prepare(kind, work.run, &share.changes.objects),
                tombstones: share.changes.tombstones,
                how: Provenance::ChangeFeed,
                next: None,
                provider_time: share.provider_time,
                total_hint: None,
            };
            seen_at = Some(self.commit(work, &mut checkpoint, vec![page]).await?);
        } else if !listing_done {
            let most = self.options.pages_per_commit.max(1);
            let (tx, mut rx) = mpsc::channel(self.options.prefetch.max(most));
            let fetcher = fetch::Fetcher {
                api: self.api.clone(),
                kind,
                run: work.run,
                start: checkpoint.next.clone(),
                modified_since: since,
                page_retry: self.options.page_retry,
            };
            let fetching = AbortOnDrop(tokio::spawn(fetcher.run(tx)));
            loop {
                let page = tokio::select! {
                    biased;
                    () = self.cancel.cancelled() => return Err(interrupted(&work.counts)),
                    page = rx.recv() => page,
                };
                let Some(page) = page else { break };
                let mut pages = vec![page?];
                // A failure behind fetched pages ends the run once they are in.
                let mut failed = None;
                while pages.len() < most {
                    match rx.try_recv() {
                        Ok(Ok(page)) => pages.push(page),
                        Ok(Err(e)) => {
                            failed = Some(e);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                seen_at = Some(self.commit(work, &mut checkpoint, pages).await?);
                if let Some(e) = failed {
                    return Err(e);
                }
            }
            // The channel closes when the fetcher finishes or fails; a failure
            // was sent down the channel first and returned above.
            fetching.join().await?;
        }

        let confirmed_absent = match pull {
            Pull::Full => self.deletions(work, &checkpoint).await?,
            Pull::Changes => Vec::new(),
        };
        let deleted = self
            .store
            .finish_pull(PullEnd {
                lease: work.lease,
                pull,
                run: work.run,
                // A pull of changes that found none keeps the cursor where
                // it was (minus nothing): the provider's clock at its start
                // minus the overlap is earlier than the last full pull's
                // only if that one was recent.
                cursor: checkpoint.pending_cursor.or(state.cursor),
                // A run resuming a listing that was already complete fetched
                // nothing: the provider time it started at stands in.
                seen_at: seen_at
                    .or(checkpoint.pending_cursor)
                    .unwrap_or_else(chrono::Utc::now),
                reconcile: (pull == Pull::Full).then_some(Reconcile {
                    sweep: checkpoint.sweep,
                    confirmed_absent: &confirmed_absent,
                    deletion_source: kind.capabilities().deletion.confirmed_absent_source(),
                }),
            })
            .await?;
        work.counts.deleted += deleted as i64;
        Ok(())
    }
}

/// What a run of several kinds asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    /// Full pulls.
    Sync,
    /// Bringing each kind up to date the cheapest way.
    Resync,
}

/// The error that ends a run stopped on request.
fn interrupted(counts: &RunCounts) -> Error {
    Error::new(
        ErrorKind::Cancelled,
        format!(
            "interrupted after {} page(s); run the same command to resume",
            counts.pages
        ),
    )
}

/// Stops the fetcher when the loop ends early (a failed commit, a dropped
/// future), so no request outlives the run that wanted it.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl AbortOnDrop {
    async fn join(mut self) -> crate::Result<()> {
        (&mut self.0)
            .await
            .map_err(|e| Error::transient(format!("page fetcher stopped: {e}")))
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
