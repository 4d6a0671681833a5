//! An app's limit across its tenants holds however many tenants and
//! processes call at once: Xero counts an app's calls for all its
//! organisations against 10,000 a minute, a limit no single tenant (60 a
//! minute) comes near but a deployment of hundreds does. Four tenants of
//! one consent, synced by two processes at once, keep to the app's window
//! with no 429; the control without the app limit is throttled.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tether_core::auth::authorize::App;
use tether_core::lease::Holder;
use tether_core::store::{Connection, RunStatus};
use tether_core::sync::Syncer;
use tether_core::{ConnectRequest, MasterKey, RateLimitPolicy, Secret, Vault};
use tether_store::SeaStore;
use tether_tests::{
    Backend, TestDb, connect_by_consent, kinds_named, on_every_store, open_session, sim_config,
};
use tether_xero::sim::{SimHandle, SimLimits, XeroSim};

on_every_store!(
    four_tenants_in_two_processes_keep_to_the_app_window,
    without_the_app_limit_the_tenants_are_throttled,
);

const TENANTS: usize = 4;
const WINDOW: Duration = Duration::from_secs(1);
/// Calls of the whole app per window: far below what four tenants could
/// spend (each may make 1,000 a window).
const APP_PER_WINDOW: u32 = 4;

/// The sandbox enforces Xero's shape of limits with a small app window.
fn sim_limits() -> SimLimits {
    SimLimits {
        enabled: true,
        concurrent: 5,
        per_window: 1000,
        window: WINDOW,
        per_day: 100_000,
        app_per_window: APP_PER_WINDOW,
    }
}

/// What the client keeps to: the sandbox's limits, with or without the app's.
fn client_limits(app: bool) -> RateLimitPolicy {
    RateLimitPolicy {
        concurrency: 5,
        per_window: 1000,
        window: WINDOW,
        per_day: None,
        app_per_window: app.then_some(APP_PER_WINDOW),
        batch_per_window: None,
    }
}

struct World {
    sim: SimHandle,
    db: TestDb,
    vault: Vault,
    connections: Vec<Connection>,
}

impl World {
    async fn start(backend: Backend, app: bool) -> Option<World> {
        let db = TestDb::create(backend).await?;
        let mut config = sim_config(2500);
        config.tenants = TENANTS;
        config.limits = sim_limits();
        let sim = XeroSim::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("start simulator");
        let store = SeaStore::connect(&db.url).await.expect("open store");
        let vault = Vault::new(&MasterKey::generate());
        let connections = connect_by_consent(
            &store,
            &vault,
            "xero",
            ConnectRequest {
                name: "org".to_owned(),
                base_url: Some(sim.base_url()),
                tenant: None,
                rate_limits: Some(client_limits(app)),
                replace: false,
            },
            App {
                client_id: sim.client_id().to_owned(),
                client_secret: Some(Secret::new(sim.client_secret())),
            },
        )
        .await
        .expect("connect by consent");
        assert_eq!(connections.len(), TENANTS, "one connection per tenant");
        store.close().await.expect("close store");
        Some(World {
            sim,
            db,
            vault,
            connections,
        })
    }

    /// Two processes (a store each), each syncing half of the tenants, all
    /// at once; the API calls made in all.
    async fn sync_all_at_once(&self) -> u64 {
        let mut syncs = tokio::task::JoinSet::new();
        for half in self.connections.chunks(TENANTS / 2) {
            let store = SeaStore::connect(&self.db.url).await.expect("open store");
            for connection in half {
                let (store, vault) = (store.clone(), self.vault.clone());
                syncs.spawn(sync(store, vault, connection.clone()));
            }
        }
        let mut calls = 0;
        while let Some(synced) = syncs.join_next().await {
            calls += synced.expect("a sync ran to its end");
        }
        calls
    }

    async fn finish(self) {
        self.sim.shutdown().await;
        self.db.drop_database().await;
    }
}

/// Syncs a connection's contacts and invoices as a command would; the API
/// calls it made.
async fn sync(store: SeaStore, vault: Vault, connection: Connection) -> u64 {
    let session = open_session(&store, &vault, connection)
        .await
        .expect("open session");
    let kinds = kinds_named(&session, &["contacts", "invoices"]);
    let outcome = Syncer::new(&store, &session)
        .holder(Holder::this_process())
        .sync_kinds(&kinds)
        .await
        .expect("leases can be taken");
    let mut calls = 0;
    for r in &outcome.reports {
        assert_eq!(r.status, RunStatus::Succeeded, "{}: {:?}", r.kind, r.error);
        calls += u64::try_from(r.counts.api_calls).unwrap_or(0);
    }
    calls
}

async fn four_tenants_in_two_processes_keep_to_the_app_window(backend: Backend) {
    let Some(world) = World::start(backend, true).await else {
        return;
    };
    let started = Instant::now();
    let calls = world.sync_all_at_once().await;
    let elapsed = started.elapsed().as_secs_f64();
    let stats = world.sim.stats();
    eprintln!(
        "{calls} calls of 4 tenants in {elapsed:.1}s; 429s {}",
        stats.throttled
    );
    assert_eq!(stats.throttled, 0, "the app's window was overrun");
    // At most APP_PER_WINDOW calls start in any window, whoever makes them.
    let least = (calls - 1) / u64::from(APP_PER_WINDOW);
    assert!(
        elapsed >= least as f64 * WINDOW.as_secs_f64(),
        "{calls} calls in {elapsed:.1}s: faster than the app's window allows"
    );
    world.finish().await;
}

async fn without_the_app_limit_the_tenants_are_throttled(backend: Backend) {
    let Some(world) = World::start(backend, false).await else {
        return;
    };
    let calls = world.sync_all_at_once().await;
    let throttled = world.sim.stats().throttled;
    eprintln!("without the app limit: {calls} calls; 429s {throttled}");
    assert!(
        throttled > 0,
        "the control provoked no 429: the test proves nothing"
    );
    world.finish().await;
}
