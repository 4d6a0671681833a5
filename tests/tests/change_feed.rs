//! A provider whose change feed answers for several kinds in one call
//! (Tally, the tests' QuickBooks-shaped provider), over real HTTP, on both
//! stores: resync asks the feed once for every kind it covers and learns
//! deletions from its tombstones, keeping the last known values; a kind cut
//! at the feed's cap, or whose cursor is older than the feed's window, is
//! listed in full instead, and its deletions are confirmed as always.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde_json::{Value, json};
use tether_core::lease::Holder;
use tether_core::store::{Pull, RunStatus, StoredRecord};
use tether_core::sync::{KindReport, Syncer};
use tether_core::{MasterKey, Secret, Session, Vault};
use tether_store::SeaStore;
use tether_tests::tally::{CDC_MAX_OBJECTS, TallyHandle};
use tether_tests::{Backend, TestDb, connect_app, on_every_store, open_session, stored_records};

on_every_store!(
    resync_asks_the_feed_once_for_the_kinds_it_covers,
    a_kind_cut_at_the_feed_cap_is_listed_in_full,
    a_cursor_older_than_the_feed_window_gets_a_full_pull,
);

/// A Tally company, a store and a connection to it.
struct World {
    tally: TallyHandle,
    store: SeaStore,
    session: Session,
    holder: Holder,
    db: TestDb,
}

impl World {
    async fn start(backend: Backend) -> Option<World> {
        let db = TestDb::create(backend).await?;
        let tally = TallyHandle::start(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("Tally starts");
        let store = SeaStore::connect(&db.url).await.expect("store opens");
        let vault = Vault::new(&MasterKey::generate());
        let (client_id, client_secret) = tally.credentials();
        let connection = connect_app(
            &store,
            &vault,
            "tally",
            "tally",
            &tally.base_url(),
            (client_id, Secret::new(client_secret)),
            None,
        )
        .await
        .expect("connects through the client-credentials flow");
        let session = open_session(&store, &vault, connection)
            .await
            .expect("session opens");
        Some(World {
            tally,
            store,
            session,
            holder: Holder::this_process(),
            db,
        })
    }

    async fn sync(&self) -> Vec<KindReport> {
        let kinds = self.session.connector.kinds();
        let outcome = self.syncer().sync_kinds(kinds).await.expect("leases");
        succeeded(outcome.reports)
    }

    async fn resync(&self) -> Vec<KindReport> {
        let kinds = self.session.connector.kinds();
        let outcome = self.syncer().resync_kinds(kinds).await.expect("leases");
        succeeded(outcome.reports)
    }

    fn syncer(&self) -> Syncer<'_> {
        Syncer::new(&self.store, &self.session).holder(self.holder.clone())
    }

    async fn records(&self, kind: &str) -> BTreeMap<String, StoredRecord> {
        stored_records(&self.store, self.session.connection.id, kind).await
    }

    /// The store's live records of `kind` are exactly the provider's active
    /// objects (an inactive one is deleted by its status).
    async fn assert_matches(&self, kind: &str, entity: &'static str) {
        let live: BTreeMap<String, Value> = self
            .records(kind)
            .await
            .into_iter()
            .filter(|(_, r)| r.deleted_at.is_none())
            .map(|(id, r)| (id, r.data))
            .collect();
        let mut provider = self.tally.live(entity);
        provider.retain(|_, object| object["Active"] != json!(false));
        assert_eq!(
            live.keys().collect::<Vec<_>>(),
            provider.keys().collect::<Vec<_>>(),
            "{kind}: the same live ids"
        );
        assert_eq!(live, provider, "{kind}: the same content");
    }

    async fn finish(self) {
        self.tally.shutdown();
        self.db.drop_database().await;
    }
}

fn succeeded(reports: Vec<KindReport>) -> Vec<KindReport> {
    for r in &reports {
        assert_eq!(r.status, RunStatus::Succeeded, "{}: {:?}", r.kind, r.error);
    }
    reports
}

fn report<'r>(reports: &'r [KindReport], kind: &str) -> &'r KindReport {
    reports.iter().find(|r| r.kind == kind).expect("a report")
}

/// The calls each endpoint served since `before`.
fn calls_since(
    tally: &TallyHandle,
    before: &BTreeMap<&'static str, u64>,
) -> BTreeMap<&'static str, u64> {
    before
        .iter()
        .map(|(endpoint, n)| (*endpoint, tally.calls(endpoint) - n))
        .collect()
}

fn calls_now(tally: &TallyHandle) -> BTreeMap<&'static str, u64> {
    [
        "cdc",
        "customer",
        "customer?ids",
        "item",
        "item?ids",
        "account",
        "account?ids",
    ]
    .into_iter()
    .map(|endpoint| (endpoint, tally.calls(endpoint)))
    .collect()
}

fn seed(tally: &TallyHandle, entity: &'static str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| tally.create(entity, &format!("{entity} {i}")))
        .collect()
}

async fn resync_asks_the_feed_once_for_the_kinds_it_covers(backend: Backend) {
    let Some(world) = World::start(backend).await else {
        return;
    };
    let tally = &world.tally;
    let accounts = seed(tally, "Account", 3);
    let customers = seed(tally, "Customer", 5);
    let items = seed(tally, "Item", 4);
    world.sync().await;

    tally.update("Customer", &customers[0], "Name", json!("Renamed"));
    tally.delete("Customer", &customers[1]);
    let new_item = tally.create("Item", "New item");
    tally.delete("Item", &items[0]);
    tally.update("Account", &accounts[0], "Active", json!(false));
    let before = calls_now(tally);
    let reports = world.resync().await;

    let calls = calls_since(tally, &before);
    assert_eq!(calls["cdc"], 1, "one feed call for customers and items");
    for endpoint in [
        "customer",
        "customer?ids",
        "item",
        "item?ids",
        "account?ids",
    ] {
        assert_eq!(calls[endpoint], 0, "{endpoint}: the feed answered for it");
    }
    assert_eq!(
        calls["account"], 1,
        "accounts, not in the feed, list their changes"
    );
    for kind in ["customers", "items", "accounts"] {
        let r = report(&reports, kind);
        assert_eq!(r.pull, Pull::Changes, "{kind}");
        assert_eq!(r.counts.deleted, i64::from(kind != "accounts"), "{kind}");
    }
    assert_eq!(
        report(&reports, "customers").counts.api_calls + report(&reports, "items").counts.api_calls,
        1,
        "the feed's call is counted once"
    );

    let stored = world.records("customers").await;
    let gone = &stored[&customers[1]];
    assert!(gone.deleted_at.is_some(), "the tombstone deletes");
    assert_eq!(gone.deletion_source.as_deref(), Some("tombstone"));
    assert_eq!(gone.changed_how.as_deref(), Some("tombstone"));
    assert_eq!(
        gone.data["Name"], "Customer 1",
        "its last known values are kept"
    );
    assert_eq!(stored[&customers[0]].data["Name"], "Renamed");
    assert_eq!(
        stored[&customers[0]].changed_how.as_deref(),
        Some("change_feed")
    );
    let stored_items = world.records("items").await;
    assert!(stored_items[&items[0]].deleted_at.is_some());
    assert!(stored_items[&new_item].deleted_at.is_none());
    let stored_accounts = world.records("accounts").await;
    assert_eq!(
        stored_accounts[&accounts[0]].deletion_source.as_deref(),
        Some("status")
    );
    world.assert_matches("customers", "Customer").await;
    world.assert_matches("items", "Item").await;
    world.assert_matches("accounts", "Account").await;

    // Nothing changed since: one feed call again, and no record moves.
    let before = calls_now(tally);
    let reports = world.resync().await;
    assert_eq!(calls_since(tally, &before)["cdc"], 1);
    for kind in ["customers", "items"] {
        assert_eq!(report(&reports, kind).pull, Pull::Changes);
    }
    let trace = |records: &BTreeMap<String, StoredRecord>| -> Vec<_> {
        records
            .values()
            .map(|r| (r.id, r.changed_by_run, r.deleted_at, r.data.clone()))
            .collect()
    };
    assert_eq!(
        trace(&world.records("customers").await),
        trace(&stored),
        "an unchanged feed changes nothing"
    );
    world.finish().await;
}

async fn a_kind_cut_at_the_feed_cap_is_listed_in_full(backend: Backend) {
    let Some(world) = World::start(backend).await else {
        return;
    };
    let tally = &world.tally;
    let customers = seed(tally, "Customer", 3);
    let items = seed(tally, "Item", 2);
    world.sync().await;

    seed(tally, "Customer", CDC_MAX_OBJECTS);
    tally.delete("Customer", &customers[2]);
    tally.update("Item", &items[1], "Name", json!("Changed"));
    let before = calls_now(tally);
    let reports = world.resync().await;

    let calls = calls_since(tally, &before);
    assert_eq!(calls["cdc"], 1);
    let listing = (CDC_MAX_OBJECTS as u64 + 2).div_ceil(100);
    assert_eq!(
        calls["customer"], listing,
        "customers, cut at the cap, are listed in full"
    );
    assert_eq!(
        calls["customer?ids"], 1,
        "the missing customer is confirmed gone"
    );
    assert_eq!(calls["item"], 0, "items still came from the feed");
    let customers_report = report(&reports, "customers");
    assert_eq!(customers_report.pull, Pull::Full);
    assert_eq!(customers_report.counts.deleted, 1);
    assert_eq!(report(&reports, "items").pull, Pull::Changes);
    let gone = &world.records("customers").await[&customers[2]];
    assert!(gone.deleted_at.is_some());
    assert_eq!(gone.changed_how.as_deref(), Some("reconciliation"));
    world.assert_matches("customers", "Customer").await;
    world.assert_matches("items", "Item").await;
    world.finish().await;
}

async fn a_cursor_older_than_the_feed_window_gets_a_full_pull(backend: Backend) {
    let Some(world) = World::start(backend).await else {
        return;
    };
    let tally = &world.tally;
    let customers = seed(tally, "Customer", 4);
    seed(tally, "Item", 2);
    // The last sync was 40 days ago: the feed no longer reaches its cursor.
    tally.set_clock_offset(-chrono::Duration::days(40));
    world.sync().await;
    tally.set_clock_offset(chrono::Duration::zero());
    tally.delete("Customer", &customers[3]);
    let before = calls_now(tally);
    let reports = world.resync().await;

    let calls = calls_since(tally, &before);
    assert_eq!(calls["cdc"], 0, "the feed is not asked beyond its window");
    for kind in ["customers", "items"] {
        assert_eq!(report(&reports, kind).pull, Pull::Full, "{kind}");
    }
    assert!(
        world.records("customers").await[&customers[3]]
            .deleted_at
            .is_some()
    );
    world.assert_matches("customers", "Customer").await;

    // Now inside the window: the feed again.
    let before = calls_now(tally);
    let reports = world.resync().await;
    assert_eq!(calls_since(tally, &before)["cdc"], 1);
    assert_eq!(report(&reports, "customers").pull, Pull::Changes);
    world.finish().await;
}
