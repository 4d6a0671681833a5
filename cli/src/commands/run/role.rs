//! The scheduler role among several workers on PostgreSQL: held by one
//! process at a time (see [`Leadership`]), asked for by the others every
//! [`LEAD_CHECK`], and checked by its holder as often.

use std::time::Duration;

use tether_store::{Leadership, PgPool};
use tokio::time::Instant;

/// How often a worker without the role asks for it, and its holder checks
/// it still holds it.
pub const LEAD_CHECK: Duration = Duration::from_secs(5);

/// This process's view of the role.
pub struct SchedulerRole {
    pool: PgPool,
    held: Option<Leadership>,
    next_check: Instant,
}

impl SchedulerRole {
    /// Not held yet; asked for at the first [`SchedulerRole::held`].
    pub fn new(pool: PgPool) -> SchedulerRole {
        SchedulerRole {
            pool,
            held: None,
            next_check: Instant::now(),
        }
    }

    /// Whether this process holds the role now (asked of the database at
    /// most every [`LEAD_CHECK`]).
    pub async fn held(&mut self) -> bool {
        if Instant::now() < self.next_check {
            return self.held.is_some();
        }
        self.next_check = Instant::now() + LEAD_CHECK;
        if let Some(held) = &mut self.held {
            if held.still_held().await {
                return true;
            }
            tracing::warn!("lost the scheduler role; another worker may take it");
            self.held = None;
        }
        match Leadership::try_take(&self.pool).await {
            Ok(Some(taken)) => {
                tracing::info!("this worker now schedules for all workers");
                self.held = Some(taken);
                true
            }
            Ok(None) => false,
            Err(e) => {
                tracing::warn!(error = %e, "cannot ask for the scheduler role");
                false
            }
        }
    }
}
