//! `tether run [--config FILE] [--listen ADDR] [--log-format text|json]`:
//! a long-running process that keeps every active connection in step.
//! What is due comes from `tether_core::schedule`; this loop opens one
//! session per connection (reused by all its runs) and dispatches what is
//! due: on SQLite to its own tasks, a bounded number at once; on PostgreSQL
//! to the job engine (see [`queue`]) shared by every `tether run` process,
//! and only while this process holds the scheduler role. The runs are the
//! Syncer's and the Exporter's either way.
//!
//! The first SIGTERM or Ctrl-C stops the runs in progress at their next page
//! (committed, recorded as interrupted, resumed by the next run) and the
//! process exits; a second exits at once.

mod config;

pub use config::load as load_schedules;
mod metrics;
mod queue;
mod role;
mod sessions;
mod work;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use tether_core::schedule::{Due, Key, Scheduler};
use tether_core::store::{ConnectionStatus, Store};
use tether_core::{Session, Timestamp};
use tether_store::SeaStore;
use tokio::task::{Id, JoinSet};
use tokio_util::sync::CancellationToken;

use crate::context::{Context, Global};
use crate::interrupt;
use metrics::Metrics;
use queue::{Engine, Queue};
use role::{LEAD_CHECK, SchedulerRole};
use sessions::Sessions;
use work::Finished;

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
    let sessions = Sessions::new(ctx.store.clone(), ctx.vault.clone());
    let (dispatch, engine) = match ctx.store.postgres_pool() {
        None => (
            Dispatch::Local {
                tasks: JoinSet::new(),
                jobs: HashMap::new(),
                concurrency: args.concurrency.max(1),
            },
            None,
        ),
        Some(pool) => {
            let engine = Engine::start(
                &ctx.store,
                sessions.clone(),
                metrics.clone(),
                cancel.clone(),
                args.concurrency,
                Duration::from_secs(args.takeover_after.max(2)),
            )
            .await?;
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
        warned: HashMap::new(),
        dispatch,
        next_totals: tokio::time::Instant::now(),
        cancel: cancel.clone(),
    };
    worker.work(&cancel).await;
    running.store(false, Ordering::Relaxed);
    worker.drain().await;
    if let Some(engine) = engine {
        match tokio::time::timeout(GRACE + Duration::from_secs(1), engine).await {
            Ok(Ok(Err(e))) => tracing::warn!(error = %e, "the job engine stopped badly"),
            Err(_) => tracing::warn!("the job engine still stopping; its jobs resume elsewhere"),
            _ => {}
        }
    }
    tracing::info!("tether run stopped");
    Ok(ExitCode::SUCCESS)
}

/// Where due jobs go.
enum Dispatch {
    /// SQLite: run by this process, at most `concurrency` at once.
    Local {
        tasks: JoinSet<Finished>,
        jobs: HashMap<Id, Due>,
        concurrency: usize,
    },
    /// PostgreSQL: queued for the job engine, while this process holds the
    /// scheduler role.
    Queue { queue: Queue, role: SchedulerRole },
}

/// The loop's state: its sessions, the schedule, where jobs go.
struct Worker {
    store: SeaStore,
    scheduler: Scheduler,
    metrics: Metrics,
    sessions: Sessions,
    /// The last warning said per connection, so a skipped one is said once.
    warned: HashMap<String, String>,
    dispatch: Dispatch,
    /// When the conflicts and held deletions are next counted.
    next_totals: tokio::time::Instant,
    /// Fired by the first signal: runs stop at their next page.
    cancel: CancellationToken,
}

impl Worker {
    async fn work(&mut self, cancel: &CancellationToken) {
        let refresh_every = Duration::from_secs(tether_core::schedule::DEFAULT_EXPORT_POLL_SECS);
        let mut next_refresh = tokio::time::Instant::now();
        while !cancel.is_cancelled() {
            if tokio::time::Instant::now() >= next_refresh {
                // Opening a session asks the provider for a token: a stop
                // does not wait for it.
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
            if matches!(self.dispatch, Dispatch::Queue { .. }) {
                sleep = sleep.min(LEAD_CHECK);
            }
            let finished = async {
                match &mut self.dispatch {
                    Dispatch::Local { tasks, .. } if !tasks.is_empty() => {
                        tasks.join_next_with_id().await
                    }
                    _ => std::future::pending().await,
                }
            };
            tokio::select! {
                Some(done) = finished => self.finished(done).await,
                () = tokio::time::sleep(sleep) => {}
                () = cancel.cancelled() => {}
            }
        }
        if let Dispatch::Local { tasks, .. } = &self.dispatch {
            tracing::info!(
                runs = tasks.len(),
                "stopping: the runs in progress stop after the page in hand"
            );
        }
    }

    /// Hands out what is due; whether every place is taken.
    async fn dispatch_due(&mut self) -> bool {
        let now = Utc::now();
        let leading = match &mut self.dispatch {
            Dispatch::Queue { role, .. } => role.held().await,
            Dispatch::Local { .. } => true,
        };
        if !leading {
            // Follow the schedule without queuing: another worker does.
            for due in self.scheduler.take_due(now - FOLLOW_BEHIND, usize::MAX) {
                self.scheduler.handed_off(&due);
            }
            return false;
        }
        for key in self.scheduler.checks_due(now) {
            self.check_pending(&key).await;
        }
        match &self.dispatch {
            Dispatch::Local {
                tasks, concurrency, ..
            } => {
                let free = concurrency.saturating_sub(tasks.len());
                for due in self.scheduler.take_due(now, free) {
                    self.spawn(due);
                }
                match &self.dispatch {
                    Dispatch::Local {
                        tasks, concurrency, ..
                    } => tasks.len() >= *concurrency,
                    Dispatch::Queue { .. } => false,
                }
            }
            Dispatch::Queue { queue, .. } => {
                let queue = queue.clone();
                for due in self.scheduler.take_due(now, usize::MAX) {
                    // Thousands may fall due at once: a stop does not wait
                    // for them all to be queued (what is left is due again
                    // at the next start).
                    if self.cancel.is_cancelled() {
                        self.scheduler.finished(&due, None);
                        continue;
                    }
                    let cursor = self.scheduler.cursor(&due.key);
                    if let Err(e) = queue.add(&due, cursor, now).await {
                        tracing::warn!(error = %e, "could not queue; tried again at the next slot");
                    }
                    self.scheduler.handed_off(&due);
                }
                false
            }
        }
    }

    /// Waits for the runs in progress to record how they stopped.
    async fn drain(&mut self) {
        let all = async {
            loop {
                let done = match &mut self.dispatch {
                    Dispatch::Local { tasks, .. } => tasks.join_next_with_id().await,
                    Dispatch::Queue { .. } => None,
                };
                match done {
                    Some(done) => self.finished(done).await,
                    None => break,
                }
            }
        };
        if tokio::time::timeout(GRACE, all).await.is_err() {
            tracing::warn!("runs still going after {GRACE:?}; they resume on the next start");
        }
    }

    fn spawn(&mut self, due: Due) {
        let Some(session) = self.sessions.get(&due.key.connection) else {
            self.scheduler.finished(&due, None);
            return;
        };
        let Dispatch::Local { tasks, jobs, .. } = &mut self.dispatch else {
            return;
        };
        self.metrics.in_progress.inc();
        let task = work::execute(
            self.store.clone(),
            session,
            due.clone(),
            self.cancel.clone(),
        );
        let handle = tasks.spawn(task);
        jobs.insert(handle.id(), due);
    }

    async fn finished(&mut self, done: Result<(Id, Finished), tokio::task::JoinError>) {
        self.metrics.in_progress.dec();
        let Dispatch::Local { jobs, .. } = &mut self.dispatch else {
            return;
        };
        let finished = match done {
            Ok((id, finished)) => {
                jobs.remove(&id);
                finished
            }
            Err(e) => {
                tracing::error!(error = %e, "a run panicked");
                if let Some(due) = jobs.remove(&e.id()) {
                    self.scheduler.finished(&due, None);
                }
                return;
            }
        };
        let key = &finished.due.key;
        let provider = self
            .sessions
            .get(&key.connection)
            .map_or_else(String::new, |s| s.connection.provider.clone());
        work::report(&self.metrics, &provider, &finished);
        let left = match self.sessions.get(&key.connection) {
            Some(session) if finished.due.job == tether_core::schedule::Job::Export => {
                work::pending_print(
                    &self.store,
                    session.connection.id,
                    &key.kind,
                    Some(finished.started_at),
                )
                .await
                .unwrap_or(None)
            }
            _ => None,
        };
        let due = finished.due.clone();
        self.scheduler.finished(&due, left);
        if let Some(session) = self.sessions.get(&due.key.connection) {
            work::read_totals(&self.store, &self.metrics, &session).await;
            for (kind, cursor) in work::read_lag(&self.store, &self.metrics, &session).await {
                let key = Key {
                    connection: due.key.connection.clone(),
                    kind,
                };
                self.scheduler.set_cursor(&key, Some(cursor));
            }
        }
        self.metrics.count_api_calls(&self.sessions);
    }

    /// Reads the connections again: opens a session for each new active
    /// one, drops the ones that need a person (saying so once), and
    /// refreshes the gauges.
    async fn refresh(&mut self) {
        let connections = match self.store.connections().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the connections");
                return;
            }
        };
        let reauth = connections
            .iter()
            .filter(|c| c.status == ConnectionStatus::NeedsReauth)
            .count();
        self.metrics.needs_reauth.set(reauth as i64);
        let now = Utc::now();
        let count_totals = tokio::time::Instant::now() >= self.next_totals;
        if count_totals {
            self.next_totals = tokio::time::Instant::now() + TOTALS_EVERY;
        }
        for c in connections {
            let name = c.name.clone();
            if c.status != ConnectionStatus::Active || self.sessions.stale(&c) {
                self.sessions.remove(&name);
                self.scheduler.remove_connection(&name);
            }
            if c.status == ConnectionStatus::Active && !self.scheduler.keeps(&name) {
                let opened = match self.sessions.get(&name) {
                    Some(session) => Ok(session),
                    None => self.sessions.open(c).await,
                };
                match opened {
                    Ok(session) => {
                        for kind in session.connector.kinds() {
                            self.scheduler
                                .add(&name, kind.name(), work::writable(*kind), now);
                            self.resume_at_once(&session, kind.name(), now).await;
                        }
                        tracing::info!(connection = %name, "keeping it in step");
                        self.warned.remove(&name);
                        work::read_totals(&self.store, &self.metrics, &session).await;
                    }
                    Err(e) => self.warn_once(&name, &e.to_string()),
                }
            } else if c.status != ConnectionStatus::Active {
                let why = format!(
                    "skipped: {}{}",
                    c.status.as_str(),
                    c.status_reason
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                );
                self.warn_once(&name, &why);
            } else if count_totals && let Some(session) = self.sessions.get(&name) {
                work::read_totals(&self.store, &self.metrics, &session).await;
            }
        }
        self.read_cursors().await;
        self.metrics.count_api_calls(&self.sessions);
    }

    /// A kind never pulled, or whose pull was left unfinished, is due now.
    async fn resume_at_once(&mut self, session: &Session, kind: &str, now: Timestamp) {
        let Ok(state) = self.store.sync_state(session.connection.id, kind).await else {
            return;
        };
        if state.cursor.is_none() || state.checkpoint.is_some() || state.changes.is_some() {
            let key = Key {
                connection: session.connection.name.clone(),
                kind: kind.to_owned(),
            };
            self.scheduler.due_now(&key, now);
        }
    }

    fn warn_once(&mut self, name: &str, why: &str) {
        if self.warned.get(name).map(String::as_str) != Some(why) {
            tracing::warn!(connection = %name, "{why}; `tether connect` repairs it");
            self.warned.insert(name.to_owned(), why.to_owned());
        }
    }

    /// Every kept kind's cursor, in one read: the scheduler's priority,
    /// and each connection's lag (now − its oldest cursor).
    async fn read_cursors(&mut self) {
        let cursors = match self.store.cursors(None).await {
            Ok(cursors) => cursors,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the cursors");
                return;
            }
        };
        let by_id: HashMap<_, _> = cursors
            .into_iter()
            .map(|(connection, kind, cursor)| ((connection, kind), cursor))
            .collect();
        for (name, session) in self.sessions.all() {
            let mut oldest: Option<Timestamp> = None;
            for kind in session.connector.kinds() {
                let cursor = by_id
                    .get(&(session.connection.id, kind.name().to_owned()))
                    .copied();
                let key = Key {
                    connection: name.clone(),
                    kind: kind.name().to_owned(),
                };
                self.scheduler.set_cursor(&key, cursor);
                if let Some(c) = cursor {
                    oldest = Some(oldest.map_or(c, |o| o.min(c)));
                }
            }
            work::set_lag(&self.metrics, &name, oldest);
        }
    }

    async fn check_pending(&mut self, key: &Key) {
        let Some(session) = self.sessions.get(&key.connection) else {
            return;
        };
        match work::pending_print(&self.store, session.connection.id, &key.kind, None).await {
            Ok(print) => self.scheduler.set_pending(key, print),
            Err(e) => tracing::warn!(connection = %key.connection, kind = %key.kind,
                error = %e, "cannot look for pending edits"),
        }
    }
}
