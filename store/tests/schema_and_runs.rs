//! The schema, connections and run history, on SQLite and (when
//! `TETHER_TEST_POSTGRES_URL` is set) PostgreSQL.

#[macro_use]
mod common;

use common::*;
use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;
use tether_core::auth::GrantStore;
use tether_core::store::*;
use tether_core::{ErrorKind, RateLimitPolicy};
use tether_store::{Migrator, SeaStore};

on_both_engines!(
    migrations_apply_once_and_rerun_as_no_ops,
    a_first_release_store_upgrades_with_its_data,
    connections_round_trip_and_replace_by_name,
    start_run_interrupts_the_running_run_of_the_same_kind,
);

async fn migrations_apply_once_and_rerun_as_no_ops(db: &TestDb) {
    let migrations = Migrator::migrations().len() as i64;
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM seaql_migrations").await,
        migrations
    );
    db.store.migrate().await.expect("second migration run");
    // Opening again runs the migrator once more, on an up-to-date schema.
    let again = SeaStore::connect(&db.url).await.expect("reopen");
    again.migrate().await.expect("third migration run");
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM seaql_migrations").await,
        migrations
    );
    for table in [
        "connections",
        "records",
        "sync_state",
        "runs",
        "quarantine",
        "leases",
    ] {
        assert_eq!(
            count(db, &format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table} should exist and be empty on {}",
            db.engine()
        );
    }
    again.close().await.expect("close");
}

/// A store written by the first release (five migrations) upgrades in
/// place: its records stay, and its quarantine log keeps one entry per object.
async fn a_first_release_store_upgrades_with_its_data(db: &TestDb) {
    let sql = |s: &str| Statement::from_string(db.store.db().get_database_backend(), s.to_owned());
    Migrator::down(db.store.db(), None)
        .await
        .expect("empty schema");
    Migrator::up(db.store.db(), Some(5))
        .await
        .expect("first release schema");
    for statement in [
        "INSERT INTO connections (id, name, provider, tenant_id, tenant_name, sealed_credentials, \
             status, created_at, updated_at) \
         VALUES (1, 'acme', 'xero', 't', 'T', 'sealed', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        "INSERT INTO runs (id, connection_id, kind, run_type, status, started_at) \
         VALUES (1, 1, 'invoices', 'sync', 'succeeded', '2026-01-01T00:00:00Z')",
        "INSERT INTO records (connection_id, kind, external_id, data, created_at) \
         VALUES (1, 'invoices', 'a', '{}', '2026-01-01T00:00:00Z')",
        "INSERT INTO quarantine (connection_id, kind, external_id, run_id, error, payload, created_at) \
         VALUES (1, 'invoices', 'q', 1, 'old', '{}', '2026-01-01T00:00:00Z'), \
                (1, 'invoices', 'q', 1, 'new', '{}', '2026-01-02T00:00:00Z'), \
                (1, 'invoices', NULL, 1, 'no id', '{}', '2026-01-02T00:00:00Z'), \
                (1, 'invoices', NULL, 1, 'no id', '{}', '2026-01-02T00:00:00Z')",
    ] {
        db.store
            .db()
            .execute_raw(sql(statement))
            .await
            .expect("first release data");
    }
    db.store.migrate().await.expect("upgrade");
    assert_eq!(count(db, "SELECT COUNT(*) FROM records").await, 1);
    let entries = db
        .store
        .quarantined(ConnectionId(1), 10)
        .await
        .expect("quarantine");
    let errors: Vec<&str> = entries.iter().map(|q| q.error.as_str()).collect();
    assert_eq!(
        errors,
        ["no id", "no id", "new"],
        "one entry per identified object"
    );
    let runs = db.store.runs(ConnectionId(1), 10).await.expect("runs");
    assert_eq!(runs[0].worker, None, "older runs name no worker");
    let acme = db
        .store
        .connection("acme")
        .await
        .expect("read")
        .expect("the connection survives");
    assert_eq!(acme.status, ConnectionStatus::Active);
    let grant = db.store.grant(acme.grant).await.expect("its grant");
    assert_eq!(
        (grant.provider.as_str(), grant.sealed.as_str()),
        ("xero", "sealed"),
        "its credentials moved into a grant of its own"
    );
}

async fn connections_round_trip_and_replace_by_name(db: &TestDb) {
    let store = &db.store;
    let limits = RateLimitPolicy {
        concurrency: 5,
        per_window: 60,
        window: Duration::from_secs(60),
        per_day: Some(5000),
        app_per_window: Some(10_000),
        batch_per_window: None,
    };
    let first = grant(store, "v1:ciphertext").await;
    let new = NewConnection {
        name: "acme".to_owned(),
        provider: "xero".to_owned(),
        tenant_id: "t-1".to_owned(),
        tenant_name: "Acme Ltd".to_owned(),
        tenant_link: Some("link-1".to_owned()),
        base_url: Some("http://127.0.0.1:9999".to_owned()),
        grant: first,
        rate_limits: Some(limits),
    };
    let saved = store.save_connection(&new).await.expect("save");
    assert_eq!(saved.name, "acme");
    assert_eq!(saved.status, ConnectionStatus::Active);
    assert_eq!(saved.token_expires_at, Some(t(1800)));
    let read = store
        .connection("acme")
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read.id, saved.id);
    assert_eq!(read.tenant_id, "t-1");
    assert_eq!(read.tenant_name, "Acme Ltd");
    assert_eq!(read.base_url.as_deref(), Some("http://127.0.0.1:9999"));
    assert_eq!(read.grant, first);
    assert_eq!(read.tenant_link.as_deref(), Some("link-1"));
    assert_eq!(read.rate_limits, Some(limits));
    assert_eq!(read.created_at, saved.created_at);

    // Saving under the same name replaces in place: same id, new values.
    let second = grant(store, "v1:rotated").await;
    let replaced = store
        .save_connection(&NewConnection {
            grant: second,
            base_url: None,
            rate_limits: None,
            ..new.clone()
        })
        .await
        .expect("replace");
    assert_eq!(replaced.id, saved.id);
    assert_eq!(replaced.grant, second);
    assert_eq!(replaced.base_url, None);
    assert_eq!(replaced.rate_limits, None);
    assert_eq!(replaced.created_at, saved.created_at);

    let other = connection(store, "beta").await;
    assert_ne!(other, saved.id);
    let names: Vec<_> = store
        .connections()
        .await
        .expect("list")
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["acme", "beta"]);
    assert!(store.connection("nobody").await.expect("read").is_none());
}

async fn start_run_interrupts_the_running_run_of_the_same_kind(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let other = connection(store, "beta").await;
    let r1 = run(store, c, "invoices").await;
    let contacts = run(store, c, "contacts").await;
    let elsewhere = run(store, other, "invoices").await;
    let r2 = store
        .start_run(&lease(c, "invoices"), RunType::Resync)
        .await
        .expect("start");
    assert!(r2.0 > r1.0);
    let runs = store.runs(c, 10).await.expect("runs");
    let ids: Vec<_> = runs.iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        [r2, contacts, r1],
        "newest first, this connection only"
    );
    assert_eq!(runs[0].status, RunStatus::Running);
    assert_eq!(runs[0].run_type, RunType::Resync);
    assert_eq!(runs[0].kind, "invoices");
    assert_eq!(runs[0].connection_id, c);
    assert_eq!(runs[1].status, RunStatus::Running, "other kinds untouched");
    assert_eq!(runs[2].status, RunStatus::Interrupted);
    assert!(runs[2].finished_at.is_some());
    assert_eq!(store.runs(other, 10).await.expect("runs")[0].id, elsewhere);
    assert_eq!(
        store.runs(other, 10).await.expect("runs")[0].status,
        RunStatus::Running
    );

    let counts = RunCounts {
        pages: 3,
        fetched: 250,
        stored: 248,
        quarantined: 2,
        deleted: 1,
        api_calls: 4,
        written: 5,
        refused: 6,
        conflicts: 7,
        uncertain: 8,
        held: 9,
    };
    store
        .finish_run(r2, RunStatus::Failed, &counts, Some("provider said 500"))
        .await
        .expect("finish");
    let done = &store.runs(c, 1).await.expect("runs")[0];
    assert_eq!(done.id, r2);
    assert_eq!(done.status, RunStatus::Failed);
    assert_eq!(done.counts, counts);
    assert_eq!(done.error.as_deref(), Some("provider said 500"));
    assert!(done.finished_at >= Some(done.started_at));
    let err = store
        .finish_run(
            tether_core::store::RunId(r2.0 + 1000),
            RunStatus::Succeeded,
            &counts,
            None,
        )
        .await
        .expect_err("no such run");
    assert_eq!(err.kind(), ErrorKind::Store);
}

#[tokio::test]
async fn sqlite_connections_get_wal_foreign_keys_and_a_busy_timeout() {
    // TestDb::sqlite opens a file in directories that do not exist yet.
    let db = TestDb::sqlite().await;
    let store = &db.store;
    let pragma = |name: &'static str| async move {
        store
            .db()
            .query_one_raw(Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                format!("PRAGMA {name}"),
            ))
            .await
            .expect("pragma")
            .expect("a row")
    };
    let journal: String = pragma("journal_mode").await.try_get_by_index(0).unwrap();
    assert_eq!(journal, "wal");
    let int = |row: sea_orm::QueryResult| row.try_get_by_index::<i64>(0).unwrap();
    assert_eq!(int(pragma("foreign_keys").await), 1);
    assert_eq!(int(pragma("synchronous").await), 1, "NORMAL");
    assert_eq!(int(pragma("busy_timeout").await), 30_000);
}

#[tokio::test]
async fn unsupported_urls_are_refused_with_a_configuration_error() {
    let err = SeaStore::connect("mysql://localhost/x")
        .await
        .expect_err("no MySQL");
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.message().contains("mysql://localhost/x"));
}

#[tokio::test]
async fn in_memory_sqlite_keeps_its_data_across_calls() {
    let store = SeaStore::connect("sqlite::memory:")
        .await
        .expect("memory store");
    let c = connection(&store, "acme").await;
    let r = run(&store, c, "invoices").await;
    commit(&store, c, "invoices", r, t(1), &[rec("a", "{}")]).await;
    assert_eq!(
        store.totals(c).await.expect("totals"),
        [KindTotals {
            kind: "invoices".to_owned(),
            live: 1,
            deleted: 0,
            quarantined: 0,
            held: 0,
            pending: 0,
            conflicts: 0,
        }]
    );
}
