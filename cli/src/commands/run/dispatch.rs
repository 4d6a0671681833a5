//! Where the due jobs go: on SQLite to this process's own tasks
//! ([`Local`]), on PostgreSQL to the job engine shared by every worker
//! ([`Queue`]), and only while this process holds the scheduler role.

use std::time::Duration;

use tether_core::Timestamp;
use tether_core::schedule::{Due, Scheduler};
use tokio_util::sync::CancellationToken;

use super::local::Local;
use super::queue::Queue;
use super::role::{LEAD_CHECK, SchedulerRole};
use super::work::Finished;

pub enum Dispatch {
    /// SQLite: run by this process.
    Local(Box<Local>),
    /// PostgreSQL: queued for the job engine, while this process holds the
    /// scheduler role.
    Queue { queue: Queue, role: SchedulerRole },
}

impl Dispatch {
    /// Whether this process hands out the due jobs now.
    pub async fn leading(&mut self) -> bool {
        match self {
            Dispatch::Local(_) => true,
            Dispatch::Queue { role, .. } => role.held().await,
        }
    }

    /// Hands out what `scheduler` has due at `now`; whether every place is
    /// taken (what is left waits for a run to end).
    pub async fn hand_out(
        &mut self,
        scheduler: &mut Scheduler,
        now: Timestamp,
        cancel: &CancellationToken,
    ) -> bool {
        match self {
            Dispatch::Local(local) => {
                for due in scheduler.take_due(now, local.free()) {
                    local.spawn(due);
                }
                local.free() == 0
            }
            Dispatch::Queue { queue, .. } => {
                let due = scheduler.take_due(now, usize::MAX);
                if due.is_empty() {
                    return false;
                }
                // What a stop keeps from being queued is due again at the
                // next start.
                if cancel.is_cancelled() {
                    for due in &due {
                        scheduler.finished(due, None);
                    }
                    return false;
                }
                let with_cursors: Vec<(Due, Option<Timestamp>)> = due
                    .iter()
                    .map(|d| (d.clone(), scheduler.cursor(&d.key)))
                    .collect();
                if let Err(e) = queue.add(&with_cursors, now).await {
                    tracing::warn!(error = %e, "could not queue; tried again at the next slot");
                }
                for due in &due {
                    scheduler.handed_off(due);
                }
                false
            }
        }
    }

    /// The next of this process's own jobs to end (`Err` when it panicked);
    /// never, when the engine runs them.
    pub async fn next_finished(&mut self) -> Option<Result<Finished, Due>> {
        match self {
            Dispatch::Local(local) if local.running() > 0 => local.next().await,
            _ => std::future::pending().await,
        }
    }

    /// How long the loop may sleep at most: a worker without the role asks
    /// for it again this often.
    pub fn longest_sleep(&self) -> Option<Duration> {
        match self {
            Dispatch::Local(_) => None,
            Dispatch::Queue { .. } => Some(LEAD_CHECK),
        }
    }

    /// How many of this process's own jobs run now.
    pub fn running(&self) -> usize {
        match self {
            Dispatch::Local(local) => local.running(),
            Dispatch::Queue { .. } => 0,
        }
    }
}
