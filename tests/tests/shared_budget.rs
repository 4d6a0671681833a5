//! A tenant's call budget holds however many processes work for it: two
//! stores opened on one database (two processes) syncing one tenant at
//! once keep to its window and its calls in flight together, with no 429;
//! the day's spend outlives a restart, a tenant whose day is spent fails
//! at once while another goes on, and a dead process's reservation expires.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tether_core::Result;
use tether_core::auth::{GrantId, GrantStatus, GrantStore, NewTokens, StoredGrant};

use tether_core::http::{Begun, BudgetKey, CallBudget};
use tether_core::lease::Holder;
use tether_core::store::{Connection, RunStatus};
use tether_core::sync::{KindReport, Syncer};
use tether_core::{ErrorKind, MasterKey, RateLimitPolicy, Session, Vault};
use tether_store::SeaStore;
use tether_tests::{
    Backend, ScaledLimits, Scenario, Simulator, TestDb, XeroSimulator, kinds_named,
    on_every_provider, on_every_store, open_session,
};

/// A simulator, a database and a connection to it; each [`World::process`]
/// opens the database again, as another process would.
struct World<S: Simulator> {
    sim: S,
    db: TestDb,
    vault: Vault,
    connection: Connection,
}

/// One process: its own store (pool) and its own session over it.
struct Process {
    store: SeaStore,
    session: Session,
}

impl<S: Simulator> World<S> {
    async fn new(
        backend: Backend,
        scenario: &Scenario,
        limits: RateLimitPolicy,
    ) -> Option<World<S>> {
        let db = TestDb::create(backend).await?;
        let sim = S::start(scenario).await;
        let store = SeaStore::connect(&db.url).await.expect("open store");
        let vault = Vault::new(&MasterKey::generate());
        let connection = sim.connect(&store, &vault, Some(limits)).await;
        store.close().await.expect("close store");
        Some(World {
            sim,
            db,
            vault,
            connection,
        })
    }

    async fn process(&self) -> Process {
        let store = SeaStore::connect(&self.db.url).await.expect("open store");
        let session = open_session(&store, &self.vault, self.connection.clone())
            .await
            .expect("open session");
        Process { store, session }
    }

    async fn finish(self) {
        self.sim.shutdown().await;
        self.db.drop_database().await;
    }
}

impl Process {
    /// Syncs the kinds `pick` chooses, holding leases as a process of its own.
    async fn sync(&self, pick: impl Fn(&str) -> bool) -> Vec<KindReport> {
        let kinds: Vec<_> = kinds_named(&self.session, &[])
            .into_iter()
            .filter(|k| pick(k.name()))
            .collect();
        let outcome = Syncer::new(&self.store, &self.session)
            .holder(Holder::this_process())
            .sync_kinds(&kinds)
            .await
            .expect("leases can be taken");
        assert!(outcome.held.is_empty(), "held: {:?}", outcome.held);
        outcome.reports
    }
}

fn assert_succeeded(reports: &[KindReport]) -> u64 {
    let mut calls = 0;
    for r in reports {
        assert_eq!(r.status, RunStatus::Succeeded, "{}: {:?}", r.kind, r.error);
        calls += u64::try_from(r.counts.api_calls).unwrap_or(0);
    }
    calls
}

/// The fewest seconds `calls` calls take when at most `per_window` start
/// in any `window`.
fn least_time(calls: u64, limits: &ScaledLimits) -> f64 {
    let windows = calls.saturating_sub(1) / u64::from(limits.per_window);
    windows as f64 * limits.window.as_secs_f64()
}

async fn two_processes_keep_to_one_window<S: Simulator>(backend: Backend) {
    let limits = ScaledLimits {
        concurrent: 2,
        per_window: 3,
        window: Duration::from_secs(1),
    };
    let scenario = Scenario {
        limits: Some(limits),
        ..Scenario::sized(8000)
    };
    let Some(world) = World::<S>::new(backend, &scenario, limits.policy()).await else {
        return;
    };
    let (one, two) = (world.process().await, world.process().await);
    let started = Instant::now();
    let (a, b) = tokio::join!(one.sync(|k| k == "invoices"), two.sync(|k| k != "invoices"));
    let elapsed = started.elapsed().as_secs_f64();
    let (a, b) = (assert_succeeded(&a), assert_succeeded(&b));
    let stats = world.sim.stats();
    eprintln!(
        "{}: {a} + {b} calls in {elapsed:.1}s (limit {} per {:?}, at least {:.1}s); \
         429s {}; peak in flight {}",
        S::PROVIDER,
        limits.per_window,
        limits.window,
        least_time(a + b, &limits),
        stats.throttled,
        stats.peak_in_flight
    );
    assert!(
        a > u64::from(limits.per_window) && b > u64::from(limits.per_window),
        "each process must span several windows: {a} and {b} calls"
    );
    // The simulator refuses any call over its sliding window: none was.
    assert_eq!(stats.throttled, 0, "the window was exceeded: {stats:?}");
    assert!(
        stats.peak_in_flight <= u64::from(limits.concurrent),
        "{stats:?}"
    );
    // Each kept to the tenant's one window, not to a window each.
    assert!(elapsed >= least_time(a + b, &limits), "{elapsed:.1}s");
    one.store.close().await.ok();
    two.store.close().await.ok();
    world.finish().await;
}

async fn a_large_sync_provokes_no_429<S: Simulator>(backend: Backend) {
    // The case that once earned a 429: 12,000 invoices at 10 calls per 2 s.
    let limits = ScaledLimits {
        concurrent: 5,
        per_window: 10,
        window: Duration::from_secs(2),
    };
    let scenario = Scenario {
        limits: Some(limits),
        ..Scenario::sized(12_000)
    };
    let Some(world) = World::<S>::new(backend, &scenario, limits.policy()).await else {
        return;
    };
    let process = world.process().await;
    let started = Instant::now();
    let calls = assert_succeeded(&process.sync(|_| true).await);
    let stats = world.sim.stats();
    eprintln!(
        "{}: {calls} calls in {:.1}s; 429s {}",
        S::PROVIDER,
        started.elapsed().as_secs_f64(),
        stats.throttled
    );
    assert_eq!(stats.throttled, 0, "{stats:?}");
    process.store.close().await.ok();
    world.finish().await;
}

async fn a_spent_day_outlives_a_restart<S: Simulator>(backend: Backend) {
    let limits = RateLimitPolicy {
        concurrency: 2,
        per_window: 1000,
        window: Duration::from_secs(1),
        per_day: Some(4),
        app_per_window: None,
        batch_per_window: None,
    };
    let Some(world) = World::<S>::new(backend, &Scenario::sized(50), limits).await else {
        return;
    };
    let first = world.process().await;
    // Small kinds of one page each spend the day's four calls.
    let reports = first.sync(|k| k != "invoices").await;
    let spent: i64 = reports.iter().map(|r| r.counts.api_calls).sum();
    let refused = reports
        .iter()
        .find(|r| r.status != RunStatus::Succeeded)
        .unwrap_or_else(|| panic!("a kind past the fourth call is refused: {reports:?}"));
    let error = refused.error.as_ref().expect("why it stopped");
    assert_eq!(error.kind(), ErrorKind::RateLimited, "{error}");
    assert!(spent <= 4, "{spent} calls of a budget of 4");
    first.store.close().await.ok();

    // A restarted process remembers: it fails at once, without a call.
    let before = world.sim.stats().total_requests;
    let again = world.process().await;
    let started = Instant::now();
    let reports = again.sync(|k| k == "invoices").await;
    let error = reports[0].error.as_ref().expect("refused");
    assert_eq!(error.kind(), ErrorKind::RateLimited, "{error}");
    let wait = error.retry_after().expect("until the reset");
    assert!(wait <= Duration::from_secs(86_400), "{wait:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(world.sim.stats().total_requests, before, "no call was made");

    // Another tenant of the same store is not held up.
    let other = BudgetKey::tenant(S::PROVIDER, "another-tenant");
    assert!(matches!(
        again
            .store
            .begin(&other, &limits, Duration::from_secs(60))
            .await
            .expect("begin"),
        Begun::Go(_)
    ));
    again.store.close().await.ok();
    world.finish().await;
}

on_every_provider!(
    two_processes_keep_to_one_window,
    a_large_sync_provokes_no_429,
    a_spent_day_outlives_a_restart
);

async fn a_dead_processs_reservation_expires(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let policy = RateLimitPolicy {
        concurrency: 1,
        per_window: 100,
        window: Duration::from_secs(1),
        per_day: None,
        app_per_window: None,
        batch_per_window: None,
    };
    let key = BudgetKey::tenant("xero", "tenant");
    let ttl = Duration::from_millis(500);
    // A process takes the only place and dies without ending its call.
    let dead = SeaStore::connect(&db.url).await.expect("open store");
    let started = Instant::now();
    assert!(matches!(
        dead.begin(&key, &policy, ttl).await.expect("begin"),
        Begun::Go(_)
    ));
    dead.close().await.ok();

    let alive = SeaStore::connect(&db.url).await.expect("open store");
    loop {
        match alive.begin(&key, &policy, ttl).await.expect("begin") {
            Begun::Go(r) => {
                alive.end(&r, None).await.expect("end");
                break;
            }
            Begun::Wait(wait) => {
                assert!(started.elapsed() < Duration::from_secs(5), "never expired");
                tokio::time::sleep(wait).await;
            }
        }
    }
    let waited = started.elapsed();
    assert!(
        waited >= ttl,
        "the place was held until the reservation expired: {waited:?}"
    );
    alive.close().await.ok();
    db.drop_database().await;
}

on_every_store!(a_dead_processs_reservation_expires);

/// A store that keeps no budget: what every process had before, each
/// session keeping the tenant's limits on its own.
struct Unshared(SeaStore);

#[async_trait]
impl GrantStore for Unshared {
    async fn insert_grant(&self, provider: &str, tokens: &NewTokens) -> Result<GrantId> {
        self.0.insert_grant(provider, tokens).await
    }
    async fn grant(&self, id: GrantId) -> Result<StoredGrant> {
        self.0.grant(id).await
    }
    async fn claim_refresh(
        &self,
        id: GrantId,
        version: i64,
        holder: &str,
        ttl: Duration,
    ) -> Result<bool> {
        self.0.claim_refresh(id, version, holder, ttl).await
    }
    async fn save_tokens(
        &self,
        id: GrantId,
        version: i64,
        holder: &str,
        tokens: &NewTokens,
    ) -> Result<bool> {
        self.0.save_tokens(id, version, holder, tokens).await
    }
    async fn release_refresh(&self, id: GrantId, holder: &str) -> Result<()> {
        self.0.release_refresh(id, holder).await
    }
    async fn set_grant_status(
        &self,
        id: GrantId,
        status: GrantStatus,
        reason: Option<&str>,
    ) -> Result<()> {
        self.0.set_grant_status(id, status, reason).await
    }
}

/// The control of `two_processes_keep_to_one_window`: the same two
/// processes, each with a budget of its own, do provoke 429s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_shared_budget_two_processes_are_throttled() {
    let limits = ScaledLimits {
        concurrent: 2,
        per_window: 3,
        window: Duration::from_secs(1),
    };
    let scenario = Scenario {
        limits: Some(limits),
        ..Scenario::sized(8000)
    };
    let world = World::<XeroSimulator>::new(Backend::Sqlite, &scenario, limits.policy())
        .await
        .expect("SQLite is always there");
    let (mut one, mut two) = (world.process().await, world.process().await);
    for p in [&mut one, &mut two] {
        let unshared = Arc::new(Unshared(p.store.clone()));
        p.session = Session::open(world.connection.clone(), &world.vault, unshared)
            .await
            .expect("open session");
    }
    let (a, b) = tokio::join!(one.sync(|k| k == "invoices"), two.sync(|k| k != "invoices"));
    let (a, b) = (assert_succeeded(&a), assert_succeeded(&b));
    let throttled = world.sim.stats().throttled;
    eprintln!("unshared: {a} + {b} calls; 429s {throttled}");
    assert!(throttled > 0, "two budgets of one tenant were not caught");
    world.finish().await;
}

/// The store is the budget every session over it shares.
#[tokio::test]
async fn sessions_over_a_store_share_its_budget() {
    let store = SeaStore::connect("sqlite::memory:")
        .await
        .expect("open store");
    assert!(store.call_budget().is_some());
}
