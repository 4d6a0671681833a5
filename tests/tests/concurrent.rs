//! One process at a time per (connection, kind), over real HTTP on both
//! stores: two syncs started together leave the store equal to the provider
//! with one of them held off entirely; a holder on another machine that
//! stops renewing is taken over once its lease expires, and the next run
//! resumes its pull; a holder on this machine that died is taken over at
//! once; runs of one session at once each count their own API calls.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tether_core::lease::Holder;
use tether_core::store::{RunStatus, Store};
use tether_core::sync::{SyncObserver, SyncOptions, Syncer};
use tether_tests::{
    Backend, Env, assert_store_matches_provider, kinds_named, on_every_store, sim_config,
};
use tokio::sync::Notify;

const ALL_KINDS: [&str; 10] = [
    "accounts",
    "tax_rates",
    "tracking_categories",
    "items",
    "contacts",
    "invoices",
    "credit_notes",
    "payments",
    "bank_transactions",
    "manual_journals",
];

async fn two_syncs_at_once_one_does_the_work(backend: Backend) {
    let mut config = sim_config(2500);
    config.faults.latency_ms = 30;
    let Some(env) = Env::start(backend, config).await else {
        return;
    };
    // Two processes: each its own session (HTTP client, limiter) and holder.
    let (one, two) = (env.reopen().await, env.reopen().await);
    let kinds = kinds_named(&one, &[]);
    let a = Syncer::new(&env.store, &one);
    let b = Syncer::new(&env.store, &two);
    let (a, b) = tokio::join!(a.sync_kinds(&kinds), b.sync_kinds(&kinds));
    let (a, b) = (a.unwrap(), b.unwrap());
    // Whoever took the leases first took every one; the other found some
    // held (and may have done the kinds the first had already finished).
    let (first, second) = if a.held.is_empty() { (a, b) } else { (b, a) };
    assert!(first.held.is_empty(), "one took every lease it asked for");
    assert_eq!(first.reports.len(), kinds.len(), "and did every kind");
    assert!(!second.held.is_empty(), "the other was held off");
    for held in &second.held {
        assert_eq!(held.holder.pid, std::process::id(), "{}: named", held.kind);
        assert!(
            !second.reports.iter().any(|r| r.kind == held.kind),
            "{}: held kinds are left alone",
            held.kind
        );
    }
    for r in first.reports.iter().chain(&second.reports) {
        assert_eq!(r.status, RunStatus::Succeeded, "{}: {:?}", r.kind, r.error);
        assert_eq!(r.counts.deleted, 0, "{}: nothing deleted", r.kind);
    }
    // No kind was ever pulled by both at once.
    let mut runs = env.store.runs(env.connection_id(), 100).await.unwrap();
    runs.sort_by_key(|r| (r.kind.clone(), r.started_at));
    for pair in runs.windows(2).filter(|w| w[0].kind == w[1].kind) {
        let ended = pair[0].finished_at.expect("finished");
        assert!(
            ended <= pair[1].started_at,
            "{}: two runs overlapped",
            pair[0].kind
        );
    }
    assert!(runs.iter().all(|r| r.status == RunStatus::Succeeded));
    assert_store_matches_provider(&env.store, env.connection_id(), &env.sim, &ALL_KINDS).await;

    // Done, the leases are free again: a later sync runs every kind.
    assert_eq!(env.sync(&[]).await.len(), kinds.len());
    env.finish().await;
}

/// Signals after the first committed page.
struct FirstPage(Arc<Notify>, AtomicU64);

impl SyncObserver for FirstPage {
    fn page(&self, _kind: &str, _fetched: u64, _total: Option<u64>) {
        if self.1.fetch_add(1, Ordering::SeqCst) == 0 {
            self.0.notify_one();
        }
    }
}

async fn a_silent_holder_elsewhere_is_taken_over_when_its_lease_expires(backend: Backend) {
    let mut config = sim_config(3000);
    config.faults.latency_ms = 20;
    let Some(env) = Env::start(backend, config).await else {
        return;
    };
    // A process on another machine starts the pull and goes silent (its
    // machine lost power) after one page, holding a lease of one second.
    let elsewhere = Holder {
        host: "another-machine".to_owned(),
        ..Holder::this_process()
    };
    let session = env.reopen().await;
    let invoices = kinds_named(&session, &["invoices"]);
    let reached = Arc::new(Notify::new());
    let observer = FirstPage(reached.clone(), AtomicU64::new(0));
    let options = SyncOptions {
        lease_ttl: Duration::from_secs(1),
        ..SyncOptions::default()
    };
    let silent = Syncer::new(&env.store, &session)
        .holder(elsewhere)
        .options(options)
        .observer(&observer);
    tokio::select! {
        outcome = silent.sync_kinds(&invoices) => panic!("finished before it went silent: {outcome:?}"),
        () = reached.notified() => {}
    }

    let fresh = env.reopen().await;
    let held = env.syncer(&fresh).sync_kinds(&invoices).await.unwrap();
    assert!(held.reports.is_empty(), "not taken while its lease runs");
    assert_eq!(held.held[0].holder.host, "another-machine");

    tokio::time::sleep(Duration::from_millis(1200)).await;
    let report = env.sync(&["invoices"]).await.remove(0);
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert!(report.resumed, "the pull it left is resumed, not restarted");
    assert!(
        report.counts.pages < 3,
        "only the pages it had not committed"
    );
    assert_store_matches_provider(&env.store, env.connection_id(), &env.sim, &["invoices"]).await;
    let runs = env.store.runs(env.connection_id(), 10).await.unwrap();
    assert_eq!(
        runs[1].status,
        RunStatus::Interrupted,
        "the silent run is closed"
    );
    assert_eq!(
        runs[1]
            .worker
            .as_deref()
            .map(|w| w.starts_with("another-machine")),
        Some(true)
    );
    env.finish().await;
}

async fn a_holder_that_died_here_is_taken_over_at_once(backend: Backend) {
    let Some(env) = Env::start(backend, sim_config(500)).await else {
        return;
    };
    let mut child = std::process::Command::new("true").spawn().expect("spawn");
    let dead_pid = child.id();
    child.wait().expect("wait");
    let dead = Holder {
        pid: dead_pid,
        ..Holder::this_process()
    };
    let lease = tether_core::lease::Lease {
        connection: env.connection_id(),
        kind: "invoices".to_owned(),
        holder: dead,
        ttl: Duration::from_secs(3600),
    };
    let taken = env.store.acquire_leases(&[lease], &[]).await.unwrap();
    assert_eq!(taken, [None]);
    let report = env.sync(&["invoices"]).await.remove(0);
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(report.counts.stored, 500);
    env.finish().await;
}

on_every_store!(
    two_syncs_at_once_one_does_the_work,
    a_silent_holder_elsewhere_is_taken_over_when_its_lease_expires,
    a_holder_that_died_here_is_taken_over_at_once,
    runs_sharing_a_session_count_their_own_calls,
);

/// Two kinds of one session pulled at once (as `tether run` does on
/// SQLite): each run records only its own API calls, which add up to what
/// the session made.
async fn runs_sharing_a_session_count_their_own_calls(backend: Backend) {
    let mut config = sim_config(2500);
    config.faults.latency_ms = 20;
    let Some(env) = Env::start(backend, config).await else {
        return;
    };
    let before = env.session.api.stats().calls();
    let invoices = kinds_named(&env.session, &["invoices"]);
    let contacts = kinds_named(&env.session, &["contacts", "accounts", "items"]);
    let (a, b) = (
        Syncer::new(&env.store, &env.session),
        Syncer::new(&env.store, &env.session),
    );
    let (a, b) = tokio::join!(a.sync_kinds(&invoices), b.sync_kinds(&contacts));
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut recorded = 0;
    for r in a.reports.iter().chain(&b.reports) {
        assert_eq!(r.status, RunStatus::Succeeded, "{}: {:?}", r.kind, r.error);
        assert!(r.counts.api_calls > 0, "{}: its calls were counted", r.kind);
        recorded += r.counts.api_calls;
    }
    let made = env.session.api.stats().calls() - before;
    assert_eq!(
        u64::try_from(recorded).unwrap(),
        made,
        "the runs' API calls add up to the session's"
    );
    env.finish().await;
}
