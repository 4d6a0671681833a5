//! `tether run [--config FILE] [--listen ADDR] [--log-format text|json]`:
//! one long-running process that keeps every active connection in step.
//! What is due comes from `tether_core::schedule`; this loop only opens one
//! session per connection (reused by all its runs), runs what is due with
//! the Syncer and the Exporter, a bounded number at once, and reports.
//!
//! The first SIGTERM or Ctrl-C stops the runs in progress at their next page
//! (committed, recorded as interrupted, resumed by the next run) and the
//! process exits; a second exits at once.

mod config;

pub use config::load as load_schedules;
mod metrics;
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
use tether_core::{Session, Timestamp, Vault};
use tether_store::SeaStore;
use tokio::task::{Id, JoinSet};
use tokio_util::sync::CancellationToken;

use crate::context::{Context, Global};
use crate::interrupt;
use metrics::Metrics;
use work::Finished;

/// How long the runs in progress get to stop after the first signal.
const GRACE: Duration = Duration::from_secs(4);

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
    /// How many (connection, kind)s are worked at once.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub concurrency: usize,
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
    let mut worker = Worker {
        store: ctx.store.clone(),
        vault: ctx.vault.clone(),
        scheduler: Scheduler::new(schedules),
        metrics,
        sessions: HashMap::new(),
        warned: HashMap::new(),
        api_seen: HashMap::new(),
        tasks: JoinSet::new(),
        jobs: HashMap::new(),
    };
    worker.work(args.concurrency.max(1), &cancel).await;
    running.store(false, Ordering::Relaxed);
    worker.drain().await;
    tracing::info!("tether run stopped");
    Ok(ExitCode::SUCCESS)
}

/// The loop's state: its sessions, the schedule, the runs in progress.
struct Worker {
    store: SeaStore,
    vault: Vault,
    scheduler: Scheduler,
    metrics: Metrics,
    /// One open session per active connection, by name.
    sessions: HashMap<String, Arc<Session>>,
    /// The last warning said per connection, so a skipped one is said once.
    warned: HashMap<String, String>,
    /// API calls and 429s per connection already counted.
    api_seen: HashMap<String, (u64, u64)>,
    tasks: JoinSet<Finished>,
    jobs: HashMap<Id, Due>,
}

impl Worker {
    async fn work(&mut self, concurrency: usize, cancel: &CancellationToken) {
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
            let now = Utc::now();
            for key in self.scheduler.checks_due(now) {
                self.check_pending(&key).await;
            }
            let free = concurrency.saturating_sub(self.tasks.len());
            for due in self.scheduler.take_due(now, free) {
                self.spawn(due, cancel);
            }
            // When every place is taken, what is due waits for a run to end
            // (which wakes the loop), not for a timer.
            let until_wake = match self.scheduler.next_wake() {
                _ if self.tasks.len() >= concurrency => Duration::from_secs(1),
                Some(at) => (at - Utc::now()).to_std().unwrap_or(Duration::ZERO),
                None => refresh_every,
            };
            let sleep = until_wake
                .min(next_refresh.saturating_duration_since(tokio::time::Instant::now()))
                .max(Duration::from_millis(20));
            tokio::select! {
                Some(done) = self.tasks.join_next_with_id(), if !self.tasks.is_empty() => {
                    self.finished(done).await;
                }
                () = tokio::time::sleep(sleep) => {}
                () = cancel.cancelled() => {}
            }
        }
        tracing::info!(
            runs = self.tasks.len(),
            "stopping: the runs in progress stop after the page in hand"
        );
    }

    /// Waits for the runs in progress to record how they stopped.
    async fn drain(&mut self) {
        let all = async {
            while let Some(done) = self.tasks.join_next_with_id().await {
                self.finished(done).await;
            }
        };
        if tokio::time::timeout(GRACE, all).await.is_err() {
            tracing::warn!("runs still going after {GRACE:?}; they resume on the next start");
        }
    }

    fn spawn(&mut self, due: Due, cancel: &CancellationToken) {
        let Some(session) = self.sessions.get(&due.key.connection).cloned() else {
            self.scheduler.finished(&due, None);
            return;
        };
        self.metrics.in_progress.inc();
        let task = work::execute(self.store.clone(), session, due.clone(), cancel.clone());
        let handle = self.tasks.spawn(task);
        self.jobs.insert(handle.id(), due);
    }

    async fn finished(&mut self, done: Result<(Id, Finished), tokio::task::JoinError>) {
        self.metrics.in_progress.dec();
        let finished = match done {
            Ok((id, finished)) => {
                self.jobs.remove(&id);
                finished
            }
            Err(e) => {
                tracing::error!(error = %e, "a run panicked");
                if let Some(due) = self.jobs.remove(&e.id()) {
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
        for run in &finished.runs {
            let labels = vec![
                ("provider", provider.clone()),
                ("kind", key.kind.clone()),
                ("type", run.run_type.as_str().to_owned()),
                ("outcome", run.status.as_str().to_owned()),
            ];
            self.metrics.runs.get_or_create(&labels).inc();
            let changed = vec![("provider", provider.clone()), ("kind", key.kind.clone())];
            self.metrics
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
                "held by another process; tried again at the next slot");
        }
        if let Some(error) = &finished.error {
            tracing::warn!(connection = %key.connection, kind = %key.kind, %error,
                "could not run; tried again at the next slot");
        }
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
        self.read_facts(&due.key.connection).await;
        self.count_api_calls();
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
        for c in connections {
            let name = c.name.clone();
            let stale = self.sessions.get(&name).is_some_and(|s| {
                s.connection.grant != c.grant || s.connection.base_url != c.base_url
            });
            if c.status != ConnectionStatus::Active || stale {
                self.sessions.remove(&name);
                self.scheduler.remove_connection(&name);
            }
            if c.status == ConnectionStatus::Active && !self.sessions.contains_key(&name) {
                let session = Session::open(c, &self.vault, Arc::new(self.store.clone()));
                let opened = match session {
                    Ok(s) => s.authenticate().await.map(|()| s),
                    Err(e) => Err(e),
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
                        self.sessions.insert(name.clone(), Arc::new(session));
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
            }
            if self.sessions.contains_key(&name) {
                self.read_facts(&name).await;
            }
        }
        self.count_api_calls();
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

    /// Cursors (for the priority and the lag), conflicts and held deletions.
    async fn read_facts(&mut self, name: &str) {
        let Some(session) = self.sessions.get(name).cloned() else {
            return;
        };
        let label = vec![("connection", name.to_owned())];
        if let Ok(totals) = self.store.totals(session.connection.id).await {
            let sum = |f: fn(&tether_core::store::KindTotals) -> i64| totals.iter().map(f).sum();
            self.metrics
                .conflicts
                .get_or_create(&label)
                .set(sum(|t| t.conflicts));
            self.metrics.held.get_or_create(&label).set(sum(|t| t.held));
        }
        let mut oldest = None;
        for kind in session.connector.kinds() {
            let key = Key {
                connection: name.to_owned(),
                kind: kind.name().to_owned(),
            };
            if let Some(cursor) = self.read_cursor(&key).await {
                oldest = Some(oldest.map_or(cursor, |o: Timestamp| o.min(cursor)));
            }
        }
        if let Some(oldest) = oldest {
            let lag = (Utc::now() - oldest).num_milliseconds() as f64 / 1000.0;
            self.metrics.lag.get_or_create(&label).set(lag.max(0.0));
        }
    }

    async fn read_cursor(&mut self, key: &Key) -> Option<Timestamp> {
        let session = self.sessions.get(&key.connection)?;
        let state = self
            .store
            .sync_state(session.connection.id, &key.kind)
            .await
            .ok()?;
        self.scheduler.set_cursor(key, state.cursor);
        state.cursor
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

    /// Adds each session's API calls and 429s since the last look.
    fn count_api_calls(&mut self) {
        for (name, session) in &self.sessions {
            let stats = session.api.stats();
            let (calls, throttled) = (stats.calls(), stats.throttled());
            let seen = self.api_seen.entry(name.clone()).or_default();
            let label = vec![("provider", session.connection.provider.clone())];
            self.metrics
                .api_calls
                .get_or_create(&label)
                .inc_by(calls.saturating_sub(seen.0));
            self.metrics
                .api_throttled
                .get_or_create(&label)
                .inc_by(throttled.saturating_sub(seen.1));
            *seen = (calls, throttled);
        }
    }
}
