//! The leases of one sync: taken for every kind before the first starts (so
//! two overlapping commands do not each take half the kinds), renewed in the
//! background while any is held, and given up as each kind finishes.

use std::sync::Mutex;
use std::time::Duration;

use crate::lease::{Lease, LeaseInfo};
use crate::store::Store;
use crate::{ObjectKind, Result};

/// Takes `lease`, taking it over at once from a holder that is a dead process
/// on this machine. `Ok(Some(info))` says who holds it instead.
pub(super) async fn acquire(store: &dyn Store, lease: &Lease) -> Result<Option<LeaseInfo>> {
    let Some(held) = store.acquire_lease(lease, None).await? else {
        return Ok(None);
    };
    if !held.holder.is_dead_local_process(&lease.holder) {
        return Ok(Some(held));
    }
    tracing::info!(kind = %lease.kind, holder = %held.holder, "taking over the lease of a process that died");
    store.acquire_lease(lease, Some(&held.holder.token)).await
}

/// The leases a sync holds right now.
pub(super) struct HeldLeases {
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
