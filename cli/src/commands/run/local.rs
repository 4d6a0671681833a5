//! On SQLite, no job engine: the due jobs run as tasks of this process, at
//! most `--concurrency` at once.

use std::collections::HashMap;

use tether_core::schedule::Due;
use tokio::task::{Id, JoinSet};

use super::work::{self, Finished, JobEnv};

/// The jobs this process runs itself.
pub struct Local {
    env: JobEnv,
    tasks: JoinSet<Finished>,
    /// What each task runs, for when it panics.
    jobs: HashMap<Id, Due>,
    concurrency: usize,
}

impl Local {
    pub fn new(env: JobEnv, concurrency: usize) -> Local {
        Local {
            env,
            tasks: JoinSet::new(),
            jobs: HashMap::new(),
            concurrency: concurrency.max(1),
        }
    }

    /// How many more jobs may start now.
    pub fn free(&self) -> usize {
        self.concurrency.saturating_sub(self.tasks.len())
    }

    /// How many jobs run now.
    pub fn running(&self) -> usize {
        self.tasks.len()
    }

    /// Starts `due` (its session opened by its first job).
    pub fn spawn(&mut self, due: Due) {
        let env = self.env.clone();
        let job = due.clone();
        let handle = self.tasks.spawn(async move {
            match env.run(job.clone()).await {
                Ok((finished, _)) => finished,
                Err(why) => {
                    let finished = Finished::not_run(job, why.to_string());
                    work::report(&env.metrics, "", &finished);
                    finished
                }
            }
        });
        self.jobs.insert(handle.id(), due);
    }

    /// The next job to end (`Err` with what it ran when it panicked);
    /// `None` when none runs.
    pub async fn next(&mut self) -> Option<Result<Finished, Due>> {
        loop {
            match self.tasks.join_next_with_id().await? {
                Ok((id, finished)) => {
                    self.jobs.remove(&id);
                    return Some(Ok(finished));
                }
                Err(e) => {
                    tracing::error!(error = %e, "a run panicked");
                    if let Some(due) = self.jobs.remove(&e.id()) {
                        return Some(Err(due));
                    }
                }
            }
        }
    }
}
