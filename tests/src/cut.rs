//! Cutting a sync off as a killed process would stop: the future is dropped
//! after some committed pages or some wall time, wherever it then stands.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tether_core::sync::SyncObserver;
use tokio::sync::Notify;

use crate::{Env, Simulator};

/// When to cut.
#[derive(Debug, Clone, Copy)]
pub enum Cut {
    /// Once this many pages have been committed.
    AfterPages(u64),
    /// After this much wall time.
    After(Duration),
}

/// Signals once `pages` pages have been committed.
struct StopAfter {
    pages: u64,
    seen: AtomicU64,
    reached: Arc<Notify>,
}

impl SyncObserver for StopAfter {
    fn page(&self, _kind: &str, _fetched: u64, _total: Option<u64>) {
        if self.seen.fetch_add(1, Ordering::SeqCst) + 1 == self.pages {
            self.reached.notify_one();
        }
    }
}

/// Runs a sync of `kind` and drops it at `cut`; panics if it finished first.
pub async fn cut_sync<S: Simulator>(env: &Env<S>, kind: &str, cut: Cut) {
    cut_pull(env, kind, cut, false).await
}

/// Runs a resync of `kind` and drops it at `cut`; panics if it finished first.
pub async fn cut_resync<S: Simulator>(env: &Env<S>, kind: &str, cut: Cut) {
    cut_pull(env, kind, cut, true).await
}

async fn cut_pull<S: Simulator>(env: &Env<S>, kind: &str, cut: Cut, resync: bool) {
    let session = env.reopen().await;
    let kind = session
        .connector
        .kind(kind)
        .expect("a kind of the connector");
    let reached = Arc::new(Notify::new());
    let observer = StopAfter {
        pages: match cut {
            Cut::AfterPages(n) => n,
            Cut::After(_) => u64::MAX,
        },
        seen: AtomicU64::new(0),
        reached: reached.clone(),
    };
    let sync = async {
        let syncer = env.syncer(&session).observer(&observer);
        if resync {
            syncer.resync_kinds(&[kind]).await
        } else {
            syncer.sync_kinds(&[kind]).await
        }
    };
    let stop = async {
        match cut {
            Cut::After(d) => tokio::time::sleep(d).await,
            Cut::AfterPages(_) => reached.notified().await,
        }
    };
    tokio::select! {
        outcome = sync => panic!("the sync finished before it was cut: {outcome:?}"),
        () = stop => {}
    }
}
