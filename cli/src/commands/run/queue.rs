//! Several workers on PostgreSQL, through graphile_worker: the worker that
//! holds the scheduler role hands each due (connection, kind) job to the
//! engine, and every worker's engine runner executes them.
//!
//! - One named queue per connection: the engine runs one job of a
//!   connection at a time across all workers, so a tenant's work and limits
//!   stay with one process at a time. A worker takes a few jobs at once
//!   (the engine's local queue, one job per named queue in a batch).
//! - A job key per (connection, kind, job): a job already waiting is not
//!   queued twice. What falls due at once is queued a few hundred jobs per
//!   statement.
//! - A job that cannot run now (its kind held by another process, or this
//!   worker stopping) is queued again in its own place and ends as done,
//!   so the engine's log says nothing of it; only a job that failed is
//!   retried by the engine (and logged by it).
//! - Dead-worker recovery: each runner beats every few seconds; the jobs of
//!   one that stopped beating for `--takeover-after` go back to the queue.
//! - The run history stays Tether's own record; the engine's tables only
//!   hold what is still to do.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use graphile_worker::{
    IntoTaskHandlerResult, JobKeyMode, JobSpec, LocalQueueConfig, TaskHandler, Worker,
    WorkerContext, WorkerContextExt, WorkerOptions, WorkerRecoveryConfig, WorkerUtils,
};
use serde::{Deserialize, Serialize};
use tether_core::Timestamp;
use tether_core::schedule::{Due, Job, Key};

use super::sessions::Unavailable;
use super::work::{self, JobEnv};

/// The PostgreSQL schema the engine keeps its tables in.
const SCHEMA: &str = "tether_jobs";

/// How often a job kept from running (held by another holder) is put off
/// before it waits for the next slot.
const PUT_OFF: u8 = 8;

/// How often the engine tries a job that failed (its session could not be
/// opened: the provider or the database did not answer).
const ATTEMPTS: i16 = 8;

/// How many jobs go in one INSERT: a slot where thousands fall due at once
/// is queued in a few statements, not one per job.
const BATCH: usize = 500;

/// What a job carries: which (connection, kind) to bring in step, and how.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeepInStep {
    connection: String,
    kind: String,
    job: String,
    /// How often it was put off because another process held its kind.
    #[serde(default)]
    put_off: u8,
}

impl KeepInStep {
    fn job_key(&self) -> String {
        format!("{}/{}/{}", self.connection, self.kind, self.job)
    }

    /// Queued in its connection's queue (one job of a connection at a time
    /// across workers), under its job key (a job already waiting takes its
    /// place).
    fn spec(&self, priority: i16, run_at: Option<Timestamp>) -> JobSpec {
        JobSpec {
            queue_name: Some(self.connection.clone()),
            job_key: Some(self.job_key()),
            job_key_mode: Some(JobKeyMode::Replace),
            priority: Some(priority),
            run_at,
            max_attempts: Some(ATTEMPTS),
            ..JobSpec::default()
        }
    }
}

impl TaskHandler for KeepInStep {
    const IDENTIFIER: &'static str = "tether_keep_in_step";

    async fn run(self, ctx: WorkerContext) -> impl IntoTaskHandlerResult {
        let Some(env) = ctx.get_ext::<JobEnv>().cloned() else {
            return Err("the worker was started without its environment".to_owned());
        };
        run(&env, &ctx, self).await
    }
}

/// Runs one job. A job that cannot run now (its kind held by another
/// process, or this worker stopping) is queued again in its own place and
/// ends as done: the engine would log each as a failed task. An error sends
/// it back to the engine, which tries it again shortly; a run that failed on
/// its own is recorded in the run history and waits for the next slot.
async fn run(env: &JobEnv, ctx: &WorkerContext, payload: KeepInStep) -> Result<(), String> {
    let job = match payload.job.as_str() {
        "export" => Job::Export,
        "full" => Job::Full,
        "resync" => Job::Resync,
        other => return Err(format!("unknown job `{other}`")),
    };
    let due = Due {
        key: Key {
            connection: payload.connection.clone(),
            kind: payload.kind.clone(),
        },
        job,
    };
    let (finished, session) = match env.run(due).await {
        Ok(ran) => ran,
        Err(Unavailable::Inactive(why)) => {
            tracing::info!(connection = %payload.connection, %why, "job dropped: the connection is not active");
            return Ok(());
        }
        Err(Unavailable::Failed(why)) => return Err(why),
    };
    let cursors = work::cursors_of(&env.store, session.connection.id).await;
    work::set_lag(
        &env.metrics,
        &session.connection.name,
        cursors.values().min().copied(),
    );
    let priority = *ctx.job().priority();
    if env.cancel.is_cancelled() {
        // Resumed by the next worker to take it, at once.
        return put_off(ctx, payload, priority, Duration::ZERO).await;
    }
    if finished.held {
        if payload.put_off + 1 >= PUT_OFF {
            tracing::info!(connection = %payload.connection, kind = %payload.kind,
                "held by another process {PUT_OFF} times; left for the next slot");
            return Ok(());
        }
        let wait = Duration::from_secs(2 << payload.put_off.min(7)).min(Duration::from_secs(300));
        let again = KeepInStep {
            put_off: payload.put_off + 1,
            ..payload
        };
        return put_off(ctx, again, priority, wait).await;
    }
    Ok(())
}

/// Queues `payload` again to run after `wait` (the job in hand then ends as
/// done); when that cannot be queued, the job fails and the engine retries it.
async fn put_off(
    ctx: &WorkerContext,
    payload: KeepInStep,
    priority: i16,
    wait: Duration,
) -> Result<(), String> {
    let run_at = chrono::Utc::now() + wait;
    let spec = payload.spec(priority, Some(run_at));
    ctx.add_job(payload, spec)
        .await
        .map(|_| ())
        .map_err(|e| format!("cannot be put off ({e}); tried again by the engine"))
}

/// This worker's engine: its runner and the handle to queue jobs.
pub struct Engine {
    worker: Worker,
    utils: WorkerUtils,
}

/// How often an idle worker asks the queue for work when no notice of new
/// jobs came. The engine wakes a worker when jobs are queued (one notice
/// per batch of up to 500) and otherwise by this poll.
const POLL: Duration = Duration::from_millis(100);

/// Jobs a worker takes from the queue at once, per job slot. Without a
/// local queue, the engine's slots run one job per wake-up (a notice or the
/// poll), so a worker with a backlog ran about `--concurrency` jobs per
/// poll between batches (bench_workers, one worker: 2,363 runs/min before
/// queueing was batched, ~500 after, ~1,300 a minute with a 100 ms poll in
/// the stretches without notices); with one, a slot drains the jobs taken
/// before it waits again. The engine's batch takes one job per named queue,
/// so a connection's jobs still run one at a time across all workers; a job
/// taken and not yet started holds its connection's queue, hence few.
const TAKEN_PER_SLOT: usize = 2;

impl Engine {
    /// Prepares the engine on the store's PostgreSQL (its migrations, in
    /// their own schema) with `concurrency` jobs at once; jobs stop at the
    /// next page once `env.cancel` fires.
    pub async fn start(
        env: JobEnv,
        concurrency: usize,
        takeover_after: Duration,
    ) -> anyhow::Result<Engine> {
        let pool = env
            .store
            .postgres_pool()
            .ok_or_else(|| anyhow::anyhow!("the job engine needs PostgreSQL"))?;
        let beat = (takeover_after / 4).max(Duration::from_secs(1));
        let recovery = WorkerRecoveryConfig::default()
            .heartbeat_interval(beat)
            .sweep_interval(beat)
            .sweep_threshold(takeover_after.saturating_sub(beat).max(beat))
            .recovery_delay(Duration::ZERO);
        let stop = env.cancel.clone();
        let worker = WorkerOptions::default()
            .pg_pool(pool)
            .schema(SCHEMA)
            .concurrency(concurrency.max(1))
            .poll_interval(POLL)
            .local_queue(
                LocalQueueConfig::default()
                    .with_size(concurrency.max(1) * TAKEN_PER_SLOT)
                    .with_ttl(takeover_after),
            )
            .define_job::<KeepInStep>()
            .add_extension(env)
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
    /// Queues every job in `due` (with each one's cursor), a few hundred per
    /// statement. Exports go first; then the further behind a kind's
    /// cursor, the sooner.
    pub async fn add(
        &self,
        due: &[(Due, Option<Timestamp>)],
        now: Timestamp,
    ) -> anyhow::Result<()> {
        let mut keys = HashSet::new();
        let jobs: Vec<(KeepInStep, JobSpec)> = due
            .iter()
            .map(|(due, cursor)| {
                let priority = match (due.job, cursor) {
                    (Job::Export, _) => -1000,
                    (_, None) => -999,
                    (_, Some(cursor)) => -((now - *cursor).num_minutes().clamp(0, 998) as i16),
                };
                let payload = KeepInStep {
                    connection: due.key.connection.clone(),
                    kind: due.key.kind.clone(),
                    job: due.job.as_str().to_owned(),
                    put_off: 0,
                };
                let spec = payload.spec(priority, None);
                (payload, spec)
            })
            // One row per job key in a statement (PostgreSQL refuses to
            // touch a row twice in one upsert).
            .filter(|(payload, _)| keys.insert(payload.job_key()))
            .collect();
        // Among jobs of one priority the engine takes the oldest first: a
        // connection's kinds in a row would each wait for the tenant's
        // limit that the one before spent, while other tenants' work waits.
        // So one job of each connection, then a second of each, and so on.
        let mut rank: HashMap<&str, usize> = HashMap::new();
        let ranks: Vec<usize> = jobs
            .iter()
            .map(|(payload, _)| {
                let r = rank.entry(payload.connection.as_str()).or_default();
                *r += 1;
                *r
            })
            .collect();
        let mut order: Vec<usize> = (0..jobs.len()).collect();
        order.sort_by_key(|&i| (jobs[i].1.priority, ranks[i]));
        let jobs: Vec<&(KeepInStep, JobSpec)> = order.iter().map(|&i| &jobs[i]).collect();
        for chunk in jobs.chunks(BATCH) {
            let batch: Vec<(KeepInStep, &JobSpec)> =
                chunk.iter().map(|(p, s)| (p.clone(), s)).collect();
            self.utils
                .add_jobs(&batch)
                .await
                .map_err(|e| anyhow::anyhow!("queuing {} jobs: {e}", batch.len()))?;
        }
        Ok(())
    }
}

/// What the engine holds for one connection.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Jobs {
    /// Waiting to run (a job put off counts from when it was queued).
    pub queued: i64,
    /// Taken by a worker (a dead worker's until it is swept).
    pub running: i64,
    /// Out of attempts: left for the connection's next slot.
    pub failed: i64,
}

/// The engine's jobs by connection, in one query: they are invisible
/// otherwise (the run history only has what ran). Empty when no worker has
/// started the engine on this database yet.
pub async fn jobs_by_connection(
    pool: &tether_store::PgPool,
) -> anyhow::Result<std::collections::HashMap<String, Jobs>> {
    use graphile_worker::{DbExecutor, DbParams};
    let exists = format!("SELECT to_regclass('{SCHEMA}.jobs') IS NOT NULL AS present");
    let present: bool = pool
        .fetch_one(&exists, DbParams::new())
        .await
        .and_then(|row| row.try_get("present"))
        .map_err(|e| anyhow::anyhow!("reading the job engine's tables: {e}"))?;
    if !present {
        return Ok(std::collections::HashMap::new());
    }
    let sql = format!(
        "SELECT queue_name, \
           count(*) FILTER (WHERE locked_at IS NULL AND attempts < max_attempts) AS queued, \
           count(*) FILTER (WHERE locked_at IS NOT NULL) AS running, \
           count(*) FILTER (WHERE locked_at IS NULL AND attempts >= max_attempts) AS failed \
         FROM {SCHEMA}.jobs WHERE queue_name IS NOT NULL GROUP BY queue_name"
    );
    let rows = pool
        .fetch_all(&sql, DbParams::new())
        .await
        .map_err(|e| anyhow::anyhow!("reading the job engine's jobs: {e}"))?;
    rows.iter()
        .map(|row| {
            let jobs = Jobs {
                queued: row.try_get("queued")?,
                running: row.try_get("running")?,
                failed: row.try_get("failed")?,
            };
            Ok((row.try_get::<String>("queue_name")?, jobs))
        })
        .collect::<Result<_, graphile_worker::DbError>>()
        .map_err(|e| anyhow::anyhow!("reading the job engine's jobs: {e}"))
}
