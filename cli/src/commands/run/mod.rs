//! `tether run [--config FILE] [--listen ADDR] [--log-format text|json]`:
//! a long-running process that keeps every active connection in step.
//! What is due comes from `tether_core::schedule`, fed with each active
//! connection's kinds (known from its provider, without a session); this
//! loop hands out what is due (see [`dispatch`]): on SQLite to its own
//! tasks, a bounded number at once; on PostgreSQL to the job engine (see
//! [`queue`]) shared by every `tether run` process. A connection's session
//! is opened by its first job in the process and reused by the next (see
//! [`sessions`]). The runs are the Syncer's and the Exporter's either way.
//!
//! The first SIGTERM or Ctrl-C stops the runs in progress at their next page
//! (committed, recorded as interrupted, resumed by the next run) and the
//! process exits; a second exits at once.

mod config;

pub use config::load as load_schedules;
mod connections;
mod dispatch;
mod local;
mod metrics;
mod queue;
mod role;
mod sessions;
mod work;

pub use queue::{Jobs, jobs_by_connection};

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use tether_core::schedule::{Due, Key, Scheduler};
use tether_core::store::{ConnectionId, Store};

use tether_store::SeaStore;
use tokio_util::sync::CancellationToken;

use crate::context::{Context, Global};
use crate::interrupt;
use connections::Kept;
use dispatch::Dispatch;
use local::Local;
use metrics::Metrics;
use queue::Engine;
use role::SchedulerRole;
use sessions::Sessions;
use work::{Finished, JobEnv};

/// How long the runs in progress get to stop after the first signal.
const GRACE: Duration = Duration::from_secs(4);

/// How often every connection's conflicts and held deletions are counted
/// for the gauges (cursors are read, in one query, at every refresh).
const TOTALS_EVERY: Duration = Duration::from_secs(30);

/// A worker without the scheduler role follows the schedule this far
/// behind the clock, so that when it takes the role it still queues the
/// slots the previous scheduler may have missed as it died.
const FOLLOW_BEHIND: chrono::TimeDelta = chrono::TimeDelta::seconds(15);

#[derive(clap::Args)]
pub struct Args {
    /// The schedules (TOML); default `tether/worker.toml` in your config
    /// directory, or `TETHER_WORKER_CONFIG`. No file: resync every 15
    /// minutes, a full reconciliation weekly, export as soon as edits are pending.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Serve `/healthz` and `/metrics` (Prometheus) on this address, e.g.
    /// `127.0.0.1:9464` (port 0 picks one; the address is printed).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// How the log lines on stderr are written.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// How many (connection, kind)s this process works at once.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub concurrency: usize,
    /// On PostgreSQL: a worker silent this many seconds is taken as dead,
    /// and its jobs go to the others.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub takeover_after: u64,
}

/// `--log-format`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

pub async fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let (schedules, path) = config::load(args.config.as_deref())?;
    let ctx = Context::open(global).await?;
    let metrics = Metrics::default();
    let running = Arc::new(AtomicBool::new(true));
    if let Some(addr) = &args.listen {
        let bound = metrics::serve(addr, &metrics, running.clone()).await?;
        println!("listening on http://{bound}");
    }
    tracing::info!(
        config = %path.map_or_else(|| "(defaults)".to_owned(), |p| p.display().to_string()),
        concurrency = args.concurrency,
        "tether run started"
    );
    let cancel = interrupt::on_signal(true);
    let sessions = Sessions::new(ctx.store.clone(), ctx.vault.clone())?;
    let env = JobEnv {
        store: ctx.store.clone(),
        sessions: sessions.clone(),
        metrics: metrics.clone(),
        cancel: cancel.clone(),
    };
    let (dispatch, engine) = match ctx.store.postgres_pool() {
        None => (
            Dispatch::Local(Box::new(Local::new(env, args.concurrency))),
            None,
        ),
        Some(pool) => {
            let takeover_after = Duration::from_secs(args.takeover_after.max(2));
            let engine = Engine::start(env, args.concurrency, takeover_after).await?;
            let dispatch = Dispatch::Queue {
                queue: engine.queue(),
                role: SchedulerRole::new(pool),
            };
            let engine = tokio::spawn(async move { engine.run().await });
            (dispatch, Some(engine))
        }
    };
    let mut worker = Worker {
        store: ctx.store.clone(),
        scheduler: Scheduler::new(schedules),
        metrics,
        sessions,
        kept: HashMap::new(),
        warned: HashMap::new(),
        dispatch,
        next_totals: tokio::time::Instant::now(),
        counting: None,
        cancel: cancel.clone(),
    };
    worker.work(&cancel).await;
    let stopping = tokio::time::Instant::now();
    running.store(false, Ordering::Relaxed);
    worker.drain().await;
    if let Some(engine) = engine {
        // The engine's jobs have GRACE to stop; it then hands back the jobs
        // it took and did not start. Past that, the process exits anyway
        // (within 5 s of the signal) and the jobs it still holds go back to
        // the queue when its heartbeat is missed.
        let deadline = stopping + GRACE + Duration::from_millis(500);
        match tokio::time::timeout_at(deadline, engine).await {
            Ok(Ok(Err(e))) => tracing::warn!(error = %e, "the job engine stopped badly"),
            Err(_) => tracing::warn!("the job engine still stopping; its jobs resume elsewhere"),
            _ => {}
        }
    }
    tracing::info!("tether run stopped");
    Ok(ExitCode::SUCCESS)
}

/// The loop's state: the schedule, the connections it keeps, where jobs go.
struct Worker {
    store: SeaStore,
    scheduler: Scheduler,
    metrics: Metrics,
    /// This process's open sessions (a stale one is dropped).
    sessions: Sessions,
    /// The active connections the scheduler keeps, by name.
    kept: HashMap<String, Kept>,
    /// The last warning said per connection, so a skipped one is said once.
    warned: HashMap<String, String>,
    dispatch: Dispatch,
    /// When the conflicts and held deletions are next counted.
    next_totals: tokio::time::Instant,
    /// The count going on, if any.
    counting: Option<tokio::task::JoinHandle<()>>,
    /// Fired by the first signal: runs stop at their next page.
    cancel: CancellationToken,
}

impl Worker {
    async fn work(&mut self, cancel: &CancellationToken) {
        let refresh_every = Duration::from_secs(tether_core::schedule::DEFAULT_EXPORT_POLL_SECS);
        let mut next_refresh = tokio::time::Instant::now();
        while !cancel.is_cancelled() {
            if tokio::time::Instant::now() >= next_refresh {
                tokio::select! {
                    () = self.refresh() => {}
                    () = cancel.cancelled() => break,
                }
                next_refresh = tokio::time::Instant::now() + refresh_every;
            }
            let busy = self.dispatch_due().await;
            // When every place is taken, what is due waits for a run to end
            // (which wakes the loop), not for a timer.
            let until_wake = match self.scheduler.next_wake() {
                _ if busy => Duration::from_secs(1),
                Some(at) => (at - Utc::now()).to_std().unwrap_or(Duration::ZERO),
                None => refresh_every,
            };
            let mut sleep = until_wake
                .min(next_refresh.saturating_duration_since(tokio::time::Instant::now()))
                .max(Duration::from_millis(20));
            if let Some(longest) = self.dispatch.longest_sleep() {
                sleep = sleep.min(longest);
            }
            tokio::select! {
                Some(done) = self.dispatch.next_finished() => self.finished(done).await,
                () = tokio::time::sleep(sleep) => {}
                () = cancel.cancelled() => {}
            }
        }
        if self.dispatch.running() > 0 {
            tracing::info!(
                runs = self.dispatch.running(),
                "stopping: the runs in progress stop after the page in hand"
            );
        }
    }

    /// Hands out what is due; whether every place is taken.
    async fn dispatch_due(&mut self) -> bool {
        let now = Utc::now();
        if !self.dispatch.leading().await {
            // Follow the schedule without queuing: another worker does.
            for due in self.scheduler.take_due(now - FOLLOW_BEHIND, usize::MAX) {
                self.scheduler.handed_off(&due);
            }
            return false;
        }
        let checks = self.scheduler.checks_due(now);
        self.check_pending(checks).await;
        self.dispatch
            .hand_out(&mut self.scheduler, now, &self.cancel)
            .await
    }

    /// Waits for the runs in progress to record how they stopped.
    async fn drain(&mut self) {
        let all = async {
            while self.dispatch.running() > 0 {
                if let Some(done) = self.dispatch.next_finished().await {
                    self.finished(done).await;
                }
            }
        };
        if tokio::time::timeout(GRACE, all).await.is_err() {
            tracing::warn!("runs still going after {GRACE:?}; they resume on the next start");
        }
    }

    /// One of this process's own jobs ended: the scheduler learns what it
    /// left, the gauges its connection's totals and lag.
    async fn finished(&mut self, done: Result<Finished, Due>) {
        let finished = match done {
            Ok(finished) => finished,
            Err(due) => {
                self.scheduler.finished(&due, None);
                return;
            }
        };
        let key = &finished.due.key;
        let Some(kept) = self.kept.get(&key.connection).copied() else {
            self.scheduler.finished(&finished.due, None);
            return;
        };
        let left = if finished.due.job == tether_core::schedule::Job::Export {
            work::pending_print(&self.store, kept.id, &key.kind, Some(finished.started_at))
                .await
                .unwrap_or(None)
        } else {
            None
        };
        self.scheduler.finished(&finished.due, left);
        let name = key.connection.clone();
        work::read_totals(&self.store, &self.metrics, kept.id, &name).await;
        let cursors = work::cursors_of(&self.store, kept.id).await;
        self.keep_cursors(&name, |kind| cursors.get(kind).copied());
    }

    /// Looks for the pending edits of `keys`: which (connection, kind)s
    /// have any in one question, then what is pending of each of those, a
    /// few at once.
    async fn check_pending(&mut self, keys: Vec<Key>) {
        if keys.is_empty() {
            return;
        }
        let exportable: HashSet<(ConnectionId, String)> = match self.store.exportable().await {
            Ok(exportable) => exportable.into_iter().collect(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot look for pending edits");
                return;
            }
        };
        let kept = &self.kept;
        let scheduler = &mut self.scheduler;
        let mut with_edits = Vec::new();
        for key in keys {
            let Some(id) = kept.get(&key.connection).map(|k| k.id) else {
                continue;
            };
            if exportable.contains(&(id, key.kind.clone())) {
                with_edits.push((id, key));
            } else {
                scheduler.set_pending(&key, None);
            }
        }
        let store = self.store.clone();
        work::each_at_once(
            with_edits,
            connections::READS_AT_ONCE,
            |(id, key): (ConnectionId, Key)| {
                let store = store.clone();
                async move {
                    let print = work::pending_print(&store, id, &key.kind, None).await;
                    (key, print)
                }
            },
            |(key, print)| match print {
                Ok(print) => scheduler.set_pending(&key, print),
                Err(e) => tracing::warn!(connection = %key.connection, kind = %key.kind,
                    error = %e, "cannot look for pending edits"),
            },
        )
        .await;
    }
}
