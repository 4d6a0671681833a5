//! The leases of one command (a sync, an export): taken for every kind
//! before the first starts (so two overlapping commands do not each take
//! half the kinds), renewed in the background while any is held, and given
//! up as each kind finishes.

use std::sync::Mutex;
use std::time::Duration;

use super::{Holder, Lease, LeaseInfo};
use crate::store::Store;
use crate::{ObjectKind, Result};

/// Takes `leases` together, taking over at once those whose holder is a dead
/// process on this machine. Per lease: `None` when granted, or who holds it.
pub(crate) async fn acquire(
    store: &dyn Store,
    leases: &[Lease],
    here: &Holder,
) -> Result<Vec<Option<LeaseInfo>>> {
    let mut outcome = store.acquire_leases(leases, &[]).await?;
    let dead: Vec<usize> = (0..leases.len())
        .filter(|&i| {
            outcome[i]
                .as_ref()
                .is_some_and(|held| held.holder.is_dead_local_process(here))
        })
        .collect();
    if dead.is_empty() {
        return Ok(outcome);
    }
    let retry: Vec<Lease> = dead.iter().map(|&i| leases[i].clone()).collect();
    let tokens: Vec<String> = dead
        .iter()
        .filter_map(|&i| outcome[i].as_ref())
        .map(|held| {
            tracing::info!(kind = %held.kind, holder = %held.holder, "taking over the lease of a process that died");
            held.holder.token.clone()
        })
        .collect();
    let retried = store.acquire_leases(&retry, &tokens).await?;
    for (i, again) in dead.into_iter().zip(retried) {
        outcome[i] = again;
    }
    Ok(outcome)
}

/// The leases a sync holds right now.
pub(crate) struct HeldLeases {
    active: Mutex<Vec<Lease>>,
}

impl HeldLeases {
    pub fn new(leases: Vec<Lease>) -> Self {
        HeldLeases {
            active: Mutex::new(leases),
        }
    }

    /// The lease of `kind`, if still held.
    pub fn get(&self, kind: &dyn ObjectKind) -> Option<Lease> {
        self.lock().iter().find(|l| l.kind == kind.name()).cloned()
    }

    /// Gives up the lease of `kind` (its work is done).
    pub async fn release(&self, store: &dyn Store, kind: &str) {
        let lease = {
            let mut active = self.lock();
            let at = active.iter().position(|l| l.kind == kind);
            at.map(|i| active.swap_remove(i))
        };
        if let Some(lease) = lease {
            release(store, &lease).await;
        }
    }

    /// Gives up every lease still held.
    pub async fn release_all(&self, store: &dyn Store) {
        let leases = std::mem::take(&mut *self.lock());
        for lease in &leases {
            release(store, lease).await;
        }
    }

    /// Renews every held lease each `every`, forever; the caller drops it
    /// when the work is done. A lease found lost is dropped from the set:
    /// the run using it will be refused its next write.
    pub async fn heartbeat(&self, store: &dyn Store, every: Duration) {
        loop {
            tokio::time::sleep(every).await;
            let leases = self.lock().clone();
            for lease in leases {
                match store.renew_lease(&lease).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(kind = %lease.kind, "lease lost to another process");
                        self.lock().retain(|l| l.kind != lease.kind);
                    }
                    Err(e) => {
                        tracing::warn!(kind = %lease.kind, error = %e, "could not renew the lease")
                    }
                }
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Lease>> {
        self.active.lock().unwrap_or_else(|e| e.into_inner())
    }
}

async fn release(store: &dyn Store, lease: &Lease) {
    if let Err(e) = store.release_lease(lease).await {
        // It expires by itself within its time to live.
        tracing::warn!(kind = %lease.kind, error = %e, "could not release the lease");
    }
}
