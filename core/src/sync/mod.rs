//! The full pull of one kind ("sync"), owned by core: page after page, each
//! page committed with its checkpoint in one transaction, so a crash at any
//! point loses nothing and the next run resumes from the last committed page.
//! At the end, whatever the listing did not return is marked deleted and the
//! cursor moves to the provider time the pull started at, minus an overlap.

mod fetch;
mod observer;

use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::http::{Api, RetryPolicy};
use crate::store::{
    Checkpoint, ConnectionId, PageCommit, PullEnd, Reconcile, RunCounts, RunId, RunStatus, RunType,
    Store,
};
use crate::{DeletionStrategy, Error, ObjectKind, Timestamp};

pub use observer::{NoProgress, SyncObserver};

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
        }
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
    /// How it ended.
    pub status: RunStatus,
    /// What it did.
    pub counts: RunCounts,
    /// Wall time.
    pub elapsed: Duration,
    /// What stopped it.
    pub error: Option<Error>,
}

/// Runs full pulls for one connection.
pub struct Syncer<'a> {
    store: &'a dyn Store,
    api: &'a Api,
    connection: ConnectionId,
    options: SyncOptions,
    observer: &'a dyn SyncObserver,
}

impl<'a> Syncer<'a> {
    /// A syncer writing to `store` through `api` for `connection`.
    pub fn new(store: &'a dyn Store, api: &'a Api, connection: ConnectionId) -> Self {
        Syncer {
            store,
            api,
            connection,
            options: SyncOptions::default(),
            observer: &NoProgress,
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

    /// Syncs each kind in turn; a kind that fails does not stop the others.
    pub async fn sync_kinds(&self, kinds: &[&'static dyn ObjectKind]) -> Vec<KindReport> {
        let mut reports = Vec::with_capacity(kinds.len());
        for kind in kinds {
            reports.push(self.sync_kind(*kind).await);
        }
        reports
    }

    /// Pulls every object of `kind`, resuming an unfinished pull.
    pub async fn sync_kind(&self, kind: &'static dyn ObjectKind) -> KindReport {
        let started = Instant::now();
        let calls_before = self.api.stats().calls();
        let mut counts = RunCounts::default();
        let mut resumed = false;
        let (run, outcome) = match self
            .store
            .start_run(self.connection, kind.name(), RunType::Sync)
            .await
        {
            Ok(run) => (
                Some(run),
                self.pull(kind, run, &mut counts, &mut resumed).await,
            ),
            Err(e) => (None, Err(e)),
        };
        counts.api_calls = (self.api.stats().calls() - calls_before) as i64;
        let status = match outcome {
            Ok(()) => RunStatus::Succeeded,
            Err(_) => RunStatus::Failed,
        };
        let error = outcome.err();
        let message = error.as_ref().map(ToString::to_string);
        if let Some(run) = run
            && let Err(e) = self
                .store
                .finish_run(run, status, &counts, message.as_deref())
                .await
        {
            tracing::error!(kind = kind.name(), error = %e, "could not record the end of the run");
        }
        let report = KindReport {
            kind: kind.name(),
            run,
            resumed,
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
        kind: &'static dyn ObjectKind,
        run: RunId,
        counts: &mut RunCounts,
        resumed: &mut bool,
    ) -> crate::Result<()> {
        let state = self.store.sync_state(self.connection, kind.name()).await?;
        *resumed = state.checkpoint.is_some();
        let mut checkpoint = state.checkpoint.unwrap_or(Checkpoint {
            sweep: run,
            next: None,
            pending_cursor: None,
            pages: 0,
        });
        let listing_done = *resumed && checkpoint.next.is_none();
        self.observer.started(kind.name(), *resumed);
        let mut seen_at: Option<Timestamp> = None;

        if !listing_done {
            let (tx, mut rx) = mpsc::channel(self.options.prefetch.max(1));
            let fetcher = fetch::Fetcher {
                api: self.api.clone(),
                kind,
                run,
                start: checkpoint.next.clone(),
                page_retry: self.options.page_retry,
            };
            let fetching = AbortOnDrop(tokio::spawn(fetcher.run(tx)));
            while let Some(page) = rx.recv().await {
                let page = page?;
                let provider_time = page.provider_time.unwrap_or_else(chrono::Utc::now);
                if checkpoint.pending_cursor.is_none() {
                    checkpoint.pending_cursor = page.provider_time.and_then(|t| {
                        t.checked_sub_signed(chrono::Duration::from_std(self.options.overlap).ok()?)
                    });
                }
                checkpoint.next = page.next;
                checkpoint.pages += 1;
                self.store
                    .commit_page(PageCommit {
                        connection: self.connection,
                        kind: kind.name(),
                        run,
                        synced_at: provider_time,
                        records: &page.records,
                        quarantined: &page.quarantined,
                        checkpoint: &checkpoint,
                    })
                    .await?;
                counts.pages += 1;
                counts.fetched += page.fetched as i64;
                counts.stored += page.records.len() as i64;
                counts.quarantined += page.quarantined.len() as i64;
                seen_at = Some(provider_time);
                self.observer
                    .page(kind.name(), counts.fetched as u64, page.total_hint);
            }
            // The channel closes when the fetcher finishes or fails; a failure
            // was sent down the channel first and returned above.
            fetching.join().await?;
        }

        let deleted = self
            .store
            .finish_pull(PullEnd {
                connection: self.connection,
                kind: kind.name(),
                run,
                cursor: checkpoint.pending_cursor,
                // A run resuming a listing that was already complete fetched
                // nothing: the provider time it started at stands in.
                seen_at: seen_at
                    .or(checkpoint.pending_cursor)
                    .unwrap_or_else(chrono::Utc::now),
                reconcile: Some(Reconcile {
                    sweep: checkpoint.sweep,
                    deletion_source: DeletionStrategy::Vanish.as_str(),
                }),
            })
            .await?;
        counts.deleted = deleted as i64;
        Ok(())
    }
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
