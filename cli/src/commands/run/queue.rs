//! Several workers on PostgreSQL, through graphile_worker: the worker that
//! holds the scheduler role hands each due (connection, kind) job to the
//! engine, and every worker's engine runner executes them.
//!
//! - One named queue per connection: the engine runs one job of a
//!   connection at a time across all workers, so a tenant's work and limits
//!   stay with one process at a time.
//! - A job key per (connection, kind, job): a job already waiting is not
//!   queued twice.
//! - Dead-worker recovery: each runner beats every few seconds; the jobs of
//!   one that stopped beating for `--takeover-after` go back to the queue.
//! - The run history stays Tether's own record; the engine's tables only
//!   hold what is still to do.

use std::time::Duration;

use graphile_worker::{
    IntoTaskHandlerResult, JobKeyMode, JobSpec, TaskHandler, Worker, WorkerContext, WorkerOptions,
    WorkerRecoveryConfig, WorkerUtils,
};
use serde::{Deserialize, Serialize};
use tether_core::Timestamp;
use tether_core::schedule::{Due, Job, Key};
use tether_store::SeaStore;
use tokio_util::sync::CancellationToken;

use super::metrics::Metrics;
use super::sessions::{Sessions, Unavailable};
use super::work;

/// The PostgreSQL schema the engine keeps its tables in.
const SCHEMA: &str = "tether_jobs";

/// How often a job kept from running (held by another holder, stopped by a
/// shutdown) is tried again before it waits for the next slot.
const ATTEMPTS: i16 = 8;

/// What a job carries: which (connection, kind) to bring in step, and how.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeepInStep {
    connection: String,
    kind: String,
    job: String,
}

/// What every job of this process runs with.
#[derive(Clone)]
struct JobEnv {
    store: SeaStore,
    sessions: Sessions,
    metrics: Metrics,
    cancel: CancellationToken,
}

impl std::fmt::Debug for JobEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobEnv").finish_non_exhaustive()
    }
}

impl TaskHandler for KeepInStep {
    const IDENTIFIER: &'static str = "tether_keep_in_step";

    async fn run(self, ctx: WorkerContext) -> impl IntoTaskHandlerResult {
        let Some(env) = ctx.get_ext::<JobEnv>().cloned() else {
            return Err("the worker was started without its environment".to_owned());
        };
        env.run(self).await
    }
}

impl JobEnv {
    /// Runs one job. An error sends it back to the engine, which tries it
    /// again shortly (on this worker or another); a run that failed on its
    /// own is recorded in the run history and waits for the next slot.
    async fn run(self, payload: KeepInStep) -> Result<(), String> {
        let job = match payload.job.as_str() {
            "export" => Job::Export,
            "full" => Job::Full,
            "resync" => Job::Resync,
            other => return Err(format!("unknown job `{other}`")),
        };
        let session = match self.sessions.get_or_open(&payload.connection).await {
            Ok(session) => session,
            Err(Unavailable::Inactive(why)) => {
                tracing::info!(connection = %payload.connection, %why, "job dropped: the connection is not active");
                return Ok(());
            }
            Err(Unavailable::Failed(why)) => return Err(why),
        };
        let due = Due {
            key: Key {
                connection: payload.connection,
                kind: payload.kind,
            },
            job,
        };
        self.metrics.in_progress.inc();
        let finished = work::execute(
            self.store.clone(),
            session.clone(),
            due,
            self.cancel.clone(),
        )
        .await;
        self.metrics.in_progress.dec();
        work::report(&self.metrics, &session.connection.provider, &finished);
        self.metrics.count_api_calls(&self.sessions);
        work::read_lag(&self.store, &self.metrics, &session).await;
        if self.cancel.is_cancelled() {
            return Err("stopped by a shutdown; resumed by the next worker to take it".to_owned());
        }
        if finished.held {
            return Err("held by another process".to_owned());
        }
        Ok(())
    }
}

/// This worker's engine: its runner and the handle to queue jobs.
pub struct Engine {
    worker: Worker,
    utils: WorkerUtils,
}

impl Engine {
    /// Prepares the engine on `store`'s PostgreSQL (its migrations, in their
    /// own schema) with `concurrency` jobs at once; jobs stop at the next
    /// page once `cancel` fires.
    pub async fn start(
        store: &SeaStore,
        sessions: Sessions,
        metrics: Metrics,
        cancel: CancellationToken,
        concurrency: usize,
        takeover_after: Duration,
    ) -> anyhow::Result<Engine> {
        let pool = store
            .postgres_pool()
            .ok_or_else(|| anyhow::anyhow!("the job engine needs PostgreSQL"))?;
        let beat = (takeover_after / 4).max(Duration::from_secs(1));
        let recovery = WorkerRecoveryConfig::default()
            .heartbeat_interval(beat)
            .sweep_interval(beat)
            .sweep_threshold(takeover_after.saturating_sub(beat).max(beat))
            .recovery_delay(Duration::ZERO);
        let stop = cancel.clone();
        let worker = WorkerOptions::default()
            .pg_pool(pool)
            .schema(SCHEMA)
            .concurrency(concurrency.max(1))
            .define_job::<KeepInStep>()
            .add_extension(JobEnv {
                store: store.clone(),
                sessions,
                metrics,
                cancel,
            })
            .worker_recovery(recovery)
            .listen_os_shutdown_signals(false)
            .shutdown_signal(async move { stop.cancelled().await })
            .shutdown_grace_period(super::GRACE)
            .shutdown_interrupted_job_retry_delay(Duration::ZERO)
            .init()
            .await
            .map_err(|e| anyhow::anyhow!("starting the job engine: {e}"))?;
        let utils = worker.create_utils();
        Ok(Engine { worker, utils })
    }

    /// Hands out jobs until the shutdown signal, then lets the jobs in hand
    /// stop at their page.
    pub async fn run(&self) -> anyhow::Result<()> {
        self.worker
            .run()
            .await
            .map_err(|e| anyhow::anyhow!("the job engine stopped: {e}"))
    }

    /// A handle to queue jobs with.
    pub fn queue(&self) -> Queue {
        Queue {
            utils: self.utils.clone(),
        }
    }
}

/// Queues jobs for whichever worker is free.
#[derive(Clone)]
pub struct Queue {
    utils: WorkerUtils,
}

impl Queue {
    /// Queues `due`. Exports go first; then the further behind a kind's
    /// cursor, the sooner.
    pub async fn add(
        &self,
        due: &Due,
        cursor: Option<Timestamp>,
        now: Timestamp,
    ) -> anyhow::Result<()> {
        let priority = match (due.job, cursor) {
            (Job::Export, _) => -1000,
            (_, None) => -999,
            (_, Some(cursor)) => -((now - cursor).num_minutes().clamp(0, 998) as i16),
        };
        let spec = JobSpec {
            queue_name: Some(due.key.connection.clone()),
            job_key: Some(format!(
                "{}/{}/{}",
                due.key.connection,
                due.key.kind,
                due.job.as_str()
            )),
            job_key_mode: Some(JobKeyMode::Replace),
            priority: Some(priority),
            max_attempts: Some(ATTEMPTS),
            ..JobSpec::default()
        };
        let payload = KeepInStep {
            connection: due.key.connection.clone(),
            kind: due.key.kind.clone(),
            job: due.job.as_str().to_owned(),
        };
        self.utils
            .add_job(payload, spec)
            .await
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("queuing {}/{}: {e}", due.key.connection, due.key.kind))
    }
}
