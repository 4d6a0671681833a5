//! A simulator, a store and a connection, wired as `tether` wires them.

use std::net::SocketAddr;
use std::time::Duration;

use tether_core::export::{ExportOptions, ExportOutcome, Exporter};
use tether_core::lease::Holder;
use tether_core::local::LocalEdit;
use tether_core::store::Store;
use tether_core::sync::{KindReport, Syncer};
use tether_core::{MasterKey, ObjectKind, RateLimitPolicy, Session, Vault};
use tether_store::SeaStore;
use tether_xero::sim::{SimConfig, SimHandle, SimLimits, SimSizes, XeroSim};

use crate::{Backend, Scenario, Simulator, TestDb};

/// A simulator config for tests: `invoices` invoices, the rest in proportion, no limits.
pub fn sim_config(invoices: usize) -> SimConfig {
    SimConfig {
        seed: 7,
        sizes: SimSizes::scaled(invoices),
        limits: SimLimits::off(),
        ..SimConfig::default()
    }
}

/// One test's world: a provider's simulator (Xero's unless a test names
/// another), a store and a connection.
pub struct Env<S: Simulator = SimHandle> {
    /// The provider.
    pub sim: S,
    /// Our store.
    pub store: SeaStore,
    /// The vault its secrets are sealed with.
    pub vault: Vault,
    /// The connection, opened.
    pub session: Session,
    /// Who this test's syncs hold their leases as.
    pub holder: Holder,
    db: TestDb,
}

/// The session's kinds named in `names`, in sync order (all when empty).
pub fn kinds_named(session: &Session, names: &[&str]) -> Vec<&'static dyn ObjectKind> {
    session
        .connector
        .kinds()
        .iter()
        .copied()
        .filter(|k| names.is_empty() || names.contains(&k.name()))
        .collect()
}

impl Env {
    /// Starts a Xero simulator, opens a fresh store, connects; `None` when the backend is unavailable.
    pub async fn start(backend: Backend, config: SimConfig) -> Option<Env> {
        let limits = client_limits(&config.limits);
        Env::start_with_limits(backend, config, limits).await
    }

    /// Like [`Env::start`], keeping the client to `limits`.
    pub async fn start_with_limits(
        backend: Backend,
        config: SimConfig,
        limits: Option<RateLimitPolicy>,
    ) -> Option<Env> {
        let db = TestDb::create(backend).await?;
        let sim = XeroSim::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("start simulator");
        Some(Env::around(db, sim, limits).await)
    }
}

impl<S: Simulator> Env<S> {
    /// Starts `S`'s simulator for `scenario`, opens a fresh store,
    /// connects; `None` when the backend is unavailable.
    pub async fn of(backend: Backend, scenario: &Scenario) -> Option<Env<S>> {
        let db = TestDb::create(backend).await?;
        let sim = S::start(scenario).await;
        let limits = scenario
            .limits
            .map(|l| l.policy())
            .or_else(|| client_limits(&SimLimits::off()));
        Some(Env::around(db, sim, limits).await)
    }

    async fn around(db: TestDb, sim: S, limits: Option<RateLimitPolicy>) -> Env<S> {
        let store = SeaStore::connect(&db.url).await.expect("open store");
        let vault = Vault::new(&MasterKey::generate());
        let connection = sim.connect(&store, &vault, limits).await;
        let session = crate::open_session(&store, &vault, connection)
            .await
            .expect("open session");
        Env {
            sim,
            store,
            vault,
            session,
            holder: Holder::this_process(),
            db,
        }
    }

    /// Opens the same connection again, as a new process would.
    pub async fn reopen(&self) -> Session {
        let connection = self
            .store
            .connection(&self.session.connection.name)
            .await
            .expect("read connection")
            .expect("connection saved");
        crate::open_session(&self.store, &self.vault, connection)
            .await
            .expect("open session")
    }

    /// A syncer for `session` holding leases as this test's one process,
    /// so a run cut off by the test is resumed by the next as a restarted
    /// worker resumes its own work.
    pub fn syncer<'a>(&'a self, session: &'a Session) -> Syncer<'a> {
        Syncer::new(&self.store, session).holder(self.holder.clone())
    }

    /// Syncs the given kinds (all when empty) with a fresh session.
    pub async fn sync(&self, kinds: &[&str]) -> Vec<KindReport> {
        let session = self.reopen().await;
        let outcome = self
            .syncer(&session)
            .sync_kinds(&kinds_named(&session, kinds))
            .await
            .expect("leases can be taken");
        assert!(
            outcome.held.is_empty(),
            "held by another: {:?}",
            outcome.held
        );
        outcome.reports
    }

    /// Makes a local change, as an application embedding Tether would.
    pub async fn stage(&self, kind: &str, edit: LocalEdit) -> tether_core::Result<i64> {
        let kind = self
            .session
            .connector
            .kind(kind)
            .unwrap_or_else(|| panic!("no kind {kind}"));
        tether_core::local::stage(&self.store, self.connection_id(), kind, edit).await
    }

    /// Creates an object locally; panics when it is refused.
    pub async fn put(&self, kind: &str, object: serde_json::Value) -> i64 {
        self.stage(kind, LocalEdit::Create(object.clone()))
            .await
            .unwrap_or_else(|e| panic!("put {kind} {object}: {e}"))
    }

    /// Exports the given kinds (all when empty) with a fresh session.
    pub async fn export(&self, kinds: &[&str], dry_run: bool) -> ExportOutcome {
        let session = self.reopen().await;
        let outcome = Exporter::new(&self.store, &session.api, session.connection.id)
            .holder(self.holder.clone())
            .options(ExportOptions {
                dry_run,
                ..ExportOptions::default()
            })
            .export_kinds(&kinds_named(&session, kinds))
            .await
            .expect("leases can be taken");
        assert!(
            outcome.held.is_empty(),
            "held by another: {:?}",
            outcome.held
        );
        outcome
    }

    /// The id of the session's connection.
    pub fn connection_id(&self) -> tether_core::store::ConnectionId {
        self.session.connection.id
    }

    /// Ends the test, dropping its PostgreSQL database.
    pub async fn finish(self) {
        self.sim.shutdown().await;
        self.db.drop_database().await;
    }
}

/// The limits a client keeps to when the simulator enforces `limits`.
fn client_limits(limits: &SimLimits) -> Option<RateLimitPolicy> {
    if !limits.enabled {
        return Some(RateLimitPolicy {
            concurrency: 5,
            per_window: 1_000_000,
            window: Duration::from_secs(1),
            per_day: None,
            app_per_window: None,
            batch_per_window: None,
        });
    }
    Some(RateLimitPolicy {
        concurrency: limits.concurrent,
        per_window: limits.per_window,
        window: limits.window,
        per_day: Some(limits.per_day),
        app_per_window: Some(limits.app_per_window),
        batch_per_window: None,
    })
}
