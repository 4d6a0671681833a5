//! Test databases: a SQLite file in a temporary directory, or a fresh
//! PostgreSQL database per test (created through `TETHER_TEST_POSTGRES_URL`,
//! dropped afterwards) so tests run in parallel without seeing each other.

#![allow(dead_code)]

/// Generates `sqlite::<case>` and `postgres::<case>` tests for each case, an
/// `async fn(&TestDb)` in the calling file.
macro_rules! on_both_engines {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let db = $crate::common::TestDb::sqlite().await;
                    super::$case(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(db) = $crate::common::TestDb::postgres().await else { return };
                    super::$case(&db).await;
                }
            )*
        }
    };
}

use std::time::Duration;

use chrono::{TimeZone, Utc};
use sea_orm::{ConnectionTrait, Database, Statement};
use tether_core::ParsedObject;
use tether_core::Timestamp;
use tether_core::auth::{GrantId, GrantStore, NewTokens};
use tether_core::lease::{Holder, Lease};
use tether_core::store::{
    Checkpoint, ConnectionId, NewConnection, PageCommit, Provenance, Pull, PullEnd,
    QuarantineEntry, Reconcile, RecordQuery, RunCounts, RunId, RunType, Store, StoredRecord,
};
use tether_store::SeaStore;

/// The variable naming a PostgreSQL server the tests may create databases on.
pub const POSTGRES_ENV: &str = "TETHER_TEST_POSTGRES_URL";

/// A store on a database of its own, removed when dropped.
pub struct TestDb {
    /// The store under test.
    pub store: SeaStore,
    /// The URL it was opened with, to open it again.
    pub url: String,
    _sqlite_dir: Option<tempfile::TempDir>,
    pg: Option<PgCleanup>,
}

impl TestDb {
    /// A store on a new SQLite file (in a directory that does not exist yet,
    /// so connect has to create it).
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = SeaStore::url_for_sqlite_path(dir.path().join("nested/dir/tether.db"));
        let store = SeaStore::connect(&url).await.expect("open SQLite store");
        TestDb {
            store,
            url,
            _sqlite_dir: Some(dir),
            pg: None,
        }
    }

    /// A store on a new PostgreSQL database, or `None` (with a note) when
    /// no server is configured.
    pub async fn postgres() -> Option<TestDb> {
        let Ok(admin) = std::env::var(POSTGRES_ENV) else {
            eprintln!("{POSTGRES_ENV} is not set; skipping the PostgreSQL run of this test");
            return None;
        };
        let name = format!("tether_test_{}", uuid::Uuid::new_v4().simple());
        let admin_db = Database::connect(admin.as_str())
            .await
            .expect("connect to the PostgreSQL admin database");
        admin_db
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create the test database");
        admin_db.close().await.ok();
        let url = with_database(&admin, &name);
        let cleanup = PgCleanup { admin, name };
        let store = SeaStore::connect(&url)
            .await
            .expect("open PostgreSQL store");
        Some(TestDb {
            store,
            url,
            _sqlite_dir: None,
            pg: Some(cleanup),
        })
    }

    /// Which engine, for messages.
    pub fn engine(&self) -> &'static str {
        if self.pg.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    }
}

/// The admin URL pointed at another database.
fn with_database(admin: &str, name: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

/// Drops a test database, even when the test panicked.
struct PgCleanup {
    admin: String,
    name: String,
}

impl Drop for PgCleanup {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime: do the async work on a thread
        // with a runtime of its own.
        let done = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("cleanup runtime");
            rt.block_on(async {
                let db = Database::connect(admin.as_str()).await?;
                db.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await?;
                db.close().await
            })
        })
        .join();
        if !matches!(done, Ok(Ok(()))) {
            eprintln!("could not drop test database {}", self.name);
        }
    }
}

/// A provider time: whole seconds, as a `Date` header gives.
pub fn t(secs: i64) -> Timestamp {
    Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
}

/// A saved grant (its "sealed" values are placeholders: the store never
/// opens them).
pub async fn grant(store: &SeaStore, sealed: &str) -> GrantId {
    store
        .insert_grant(
            "xero",
            &NewTokens {
                sealed_grant: sealed.to_owned(),
                sealed_access: format!("{sealed}:access"),
                expires_at: t(1800),
            },
        )
        .await
        .expect("save grant")
}

/// A connection to hang records on.
pub async fn connection(store: &SeaStore, name: &str) -> ConnectionId {
    let grant = grant(store, "v1:sealed").await;
    store
        .save_connection(&NewConnection {
            name: name.to_owned(),
            provider: "xero".to_owned(),
            tenant_id: format!("tenant-{name}"),
            tenant_name: format!("Tenant {name}"),
            tenant_link: None,
            base_url: None,
            grant,
            rate_limits: None,
        })
        .await
        .expect("save connection")
        .id
}

/// A live record.
pub fn rec(id: &str, data: &str) -> ParsedObject {
    ParsedObject {
        external_id: id.to_owned(),
        remote_updated_at: Some(t(-100)),
        version: Some("v1".to_owned()),
        deleted: false,
        data: data.to_owned(),
    }
}

/// A record whose status says deleted.
pub fn deleted(id: &str, data: &str) -> ParsedObject {
    ParsedObject {
        deleted: true,
        ..rec(id, data)
    }
}

/// A checkpoint of a pull started by `sweep`.
pub fn checkpoint(sweep: RunId, next: Option<&str>, pages: i64) -> Checkpoint {
    Checkpoint {
        pull: Pull::Full,
        sweep,
        next: next.map(|n| tether_core::PageToken(n.to_owned())),
        pending_cursor: Some(t(-60)),
        pages,
    }
}

/// A holder, as a process of its own.
pub fn holder(name: &str) -> Holder {
    Holder {
        token: format!("token-{name}"),
        host: format!("host-{name}"),
        pid: 4242,
    }
}

/// The lease these tests write under, held by `holder("tests")`.
pub fn lease(connection: ConnectionId, kind: &str) -> Lease {
    lease_for(connection, kind, holder("tests"), Duration::from_secs(60))
}

/// A lease on (connection, kind) for `holder`.
pub fn lease_for(connection: ConnectionId, kind: &str, holder: Holder, ttl: Duration) -> Lease {
    Lease {
        connection,
        kind: kind.to_owned(),
        holder,
        ttl,
    }
}

/// Takes one lease: `None` when granted, or who holds it.
pub async fn take(
    store: &SeaStore,
    lease: &Lease,
) -> tether_core::Result<Option<tether_core::lease::LeaseInfo>> {
    Ok(store
        .acquire_leases(std::slice::from_ref(lease), &[])
        .await?
        .remove(0))
}

/// Ends the pull of `kind` that `sweep` started, deleting `confirmed_absent`.
pub async fn finish(
    store: &SeaStore,
    connection: ConnectionId,
    kind: &str,
    sweep: RunId,
    seen_at: Timestamp,
    confirmed_absent: &[String],
) -> u64 {
    store
        .finish_pull(PullEnd {
            lease: &lease(connection, kind),
            pull: Pull::Full,
            run: sweep,
            cursor: Some(t(5)),
            seen_at,
            reconcile: Some(Reconcile {
                sweep,
                confirmed_absent,
                deletion_source: "vanish",
            }),
        })
        .await
        .expect("finish pull")
}

/// Commits `records` as a page of a pull started by `run`, itself the sweep.
pub async fn commit(
    store: &SeaStore,
    connection: ConnectionId,
    kind: &str,
    run: RunId,
    synced_at: Timestamp,
    records: &[ParsedObject],
) {
    commit_with(store, connection, kind, run, synced_at, records, &[])
        .await
        .expect("commit page");
}

/// Commits `records` as a page of a pull of changes started by `run`.
pub async fn commit_changes(
    store: &SeaStore,
    connection: ConnectionId,
    kind: &str,
    run: RunId,
    synced_at: Timestamp,
    records: &[ParsedObject],
) {
    let checkpoint = Checkpoint {
        pull: Pull::Changes,
        ..checkpoint(run, Some("next"), 1)
    };
    commit_page(
        store,
        connection,
        kind,
        run,
        synced_at,
        records,
        &[],
        &[],
        &checkpoint,
    )
    .await
    .expect("commit page");
}

/// Commits a change feed's tombstones as a page of a pull of changes
/// started by `run`; returns how many records they marked deleted.
pub async fn commit_tombstones(
    store: &SeaStore,
    connection: ConnectionId,
    kind: &str,
    run: RunId,
    synced_at: Timestamp,
    ids: &[&str],
) -> u64 {
    let checkpoint = Checkpoint {
        pull: Pull::Changes,
        ..checkpoint(run, None, 1)
    };
    let ids: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
    commit_page(
        store,
        connection,
        kind,
        run,
        synced_at,
        &[],
        &[],
        &ids,
        &checkpoint,
    )
    .await
    .expect("commit tombstones")
}

/// Like [`commit`], with quarantined entries, returning the result.
pub async fn commit_with(
    store: &SeaStore,
    connection: ConnectionId,
    kind: &str,
    run: RunId,
    synced_at: Timestamp,
    records: &[ParsedObject],
    quarantined: &[QuarantineEntry],
) -> tether_core::Result<()> {
    let checkpoint = checkpoint(run, Some("next"), 1);
    commit_page(
        store,
        connection,
        kind,
        run,
        synced_at,
        records,
        quarantined,
        &[],
        &checkpoint,
    )
    .await
    .map(|_| ())
}

/// Commits a page with `checkpoint`, taking (or renewing) the tests' lease.
#[allow(clippy::too_many_arguments)]
async fn commit_page(
    store: &SeaStore,
    connection: ConnectionId,
    kind: &str,
    run: RunId,
    synced_at: Timestamp,
    records: &[ParsedObject],
    quarantined: &[QuarantineEntry],
    tombstones: &[String],
    checkpoint: &Checkpoint,
) -> tether_core::Result<u64> {
    let lease = lease(connection, kind);
    // Taking a lease one already holds renews it; a connection that does not
    // exist has none to take, and the commit below is refused.
    let _ = take(store, &lease).await;
    store
        .commit_page(PageCommit {
            lease: &lease,
            run,
            synced_at,
            records,
            quarantined,
            tombstones,
            how: match checkpoint.pull {
                Pull::Full => Provenance::FullPage,
                Pull::Changes => Provenance::ModifiedSince,
            },
            checkpoint,
            counts: &RunCounts::default(),
        })
        .await
}

/// Takes the tests' lease on (connection, kind) and starts a sync run under it.
pub async fn run(store: &SeaStore, connection: ConnectionId, kind: &str) -> RunId {
    let lease = lease(connection, kind);
    let held = take(store, &lease).await.expect("take lease");
    assert!(held.is_none(), "the tests' lease is free: {held:?}");
    store
        .start_run(&lease, RunType::Sync)
        .await
        .expect("start run")
}

/// A quarantined object met by `run`.
pub fn bad(kind: &str, id: Option<&str>, run: RunId) -> QuarantineEntry {
    QuarantineEntry {
        kind: kind.to_owned(),
        external_id: id.map(str::to_owned),
        error: format!("{kind} {}: field `Total`: not a number", id.unwrap_or("?")),
        payload: r#"{"Total":"x"}"#.to_owned(),
        run_id: run,
        created_at: t(0),
    }
}

/// Reads every record of a kind, deleted included.
pub async fn all(
    db: &TestDb,
    c: tether_core::store::ConnectionId,
    kind: &str,
) -> Vec<StoredRecord> {
    db.store
        .records(&RecordQuery {
            connection: c,
            kind: kind.to_owned(),
            after_id: 0,
            limit: 1_000_000,
            include_deleted: true,
        })
        .await
        .expect("read records")
}

/// The record with this external id.
pub fn by_ext<'a>(records: &'a [StoredRecord], id: &str) -> &'a StoredRecord {
    records
        .iter()
        .find(|r| r.external_id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("record {id} missing"))
}

/// The single integer a query returns.
pub async fn count(db: &TestDb, sql: &str) -> i64 {
    let backend = db.store.db().get_database_backend();
    let row = db
        .store
        .db()
        .query_one_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .expect("count query")
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("an integer")
}

#[test]
fn admin_url_is_repointed() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/test?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://h:5432", "x"),
        "postgres://h:5432/x"
    );
}
