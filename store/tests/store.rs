//! The store's behaviour, run on SQLite and, when `TETHER_TEST_POSTGRES_URL`
//! is set, on PostgreSQL: every case below runs once per engine.

mod common;

use std::time::Duration;

use common::{TestDb, bad, commit, commit_with, connection, deleted, rec, run, t};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, Statement};
use serde_json::json;
use tether_core::store::{
    Checkpoint, KindTotals, NewConnection, PageCommit, RecordQuery, RunCounts, RunStatus,
    RunType, Store, StoredRecord, SweepEnd, SyncState,
};
use tether_core::{ErrorKind, PageToken, RateLimitPolicy};
use tether_store::SeaStore;
use tether_store::entity::records;

/// Generates `sqlite::<case>` and `postgres::<case>` for each case.
macro_rules! on_both_engines {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let db = crate::common::TestDb::sqlite().await;
                    super::$case(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(db) = crate::common::TestDb::postgres().await else { return };
                    super::$case(&db).await;
                }
            )*
        }
    };
}

on_both_engines!(
    migrations_apply_once_and_rerun_as_no_ops,
    connections_round_trip_and_replace_by_name,
    pages_upsert_by_external_id_without_duplicates,
    changed_by_run_moves_only_when_content_or_deletion_changes,
    status_deletion_keeps_its_first_time_and_clears_when_live_again,
    checkpoint_round_trips_through_sync_state,
    finish_sweep_deletes_unseen_records_and_advances_the_cursor,
    a_failed_page_leaves_neither_records_nor_checkpoint,
    empty_pages_and_pages_beyond_one_statement_commit,
    start_run_interrupts_the_running_run_of_the_same_kind,
    records_page_by_local_id,
    totals_count_live_deleted_and_quarantined_per_kind,
    quarantine_is_listed_newest_first,
);

/// Reads every record of a kind, deleted included.
async fn all(db: &TestDb, c: tether_core::store::ConnectionId, kind: &str) -> Vec<StoredRecord> {
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

fn by_ext<'a>(records: &'a [StoredRecord], id: &str) -> &'a StoredRecord {
    records
        .iter()
        .find(|r| r.external_id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("record {id} missing"))
}

async fn count(db: &TestDb, sql: &str) -> i64 {
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

async fn migrations_apply_once_and_rerun_as_no_ops(db: &TestDb) {
    assert_eq!(count(db, "SELECT COUNT(*) FROM seaql_migrations").await, 5);
    db.store.migrate().await.expect("second migration run");
    // Opening again runs the migrator once more, on an up-to-date schema.
    let again = SeaStore::connect(&db.url).await.expect("reopen");
    again.migrate().await.expect("third migration run");
    assert_eq!(count(db, "SELECT COUNT(*) FROM seaql_migrations").await, 5);
    for table in ["connections", "records", "sync_state", "runs", "quarantine"] {
        assert_eq!(
            count(db, &format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table} should exist and be empty on {}",
            db.engine()
        );
    }
    again.close().await.expect("close");
}

async fn connections_round_trip_and_replace_by_name(db: &TestDb) {
    let store = &db.store;
    let limits = RateLimitPolicy {
        concurrency: 5,
        per_window: 60,
        window: Duration::from_secs(60),
        per_day: Some(5000),
    };
    let new = NewConnection {
        name: "acme".to_owned(),
        provider: "xero".to_owned(),
        tenant_id: "t-1".to_owned(),
        tenant_name: "Acme Ltd".to_owned(),
        base_url: Some("http://127.0.0.1:9999".to_owned()),
        sealed_credentials: "v1:ciphertext".to_owned(),
        rate_limits: Some(limits),
    };
    let saved = store.save_connection(&new).await.expect("save");
    assert_eq!(saved.name, "acme");
    assert_eq!(saved.status, "active");
    let read = store.connection("acme").await.expect("read").expect("exists");
    assert_eq!(read.id, saved.id);
    assert_eq!(read.tenant_id, "t-1");
    assert_eq!(read.tenant_name, "Acme Ltd");
    assert_eq!(read.base_url.as_deref(), Some("http://127.0.0.1:9999"));
    assert_eq!(read.sealed_credentials, "v1:ciphertext");
    assert_eq!(read.rate_limits, Some(limits));
    assert_eq!(read.created_at, saved.created_at);

    // Saving under the same name replaces in place: same id, new values.
    let replaced = store
        .save_connection(&NewConnection {
            sealed_credentials: "v1:rotated".to_owned(),
            base_url: None,
            rate_limits: None,
            ..new.clone()
        })
        .await
        .expect("replace");
    assert_eq!(replaced.id, saved.id);
    assert_eq!(replaced.sealed_credentials, "v1:rotated");
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

async fn pages_upsert_by_external_id_without_duplicates(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let r = run(store, c, "invoices").await;
    commit(store, c, "invoices", r, t(1), &[rec("a", r#"{"n":1}"#), rec("b", r#"{"n":2}"#)]).await;
    let first = all(db, c, "invoices").await;
    // b again on the next page, changed; and a duplicate of c within the page.
    commit(
        store,
        c,
        "invoices",
        r,
        t(2),
        &[rec("b", r#"{"n":20}"#), rec("c", r#"{"n":3}"#), rec("c", r#"{"n":30}"#)],
    )
    .await;
    let after = all(db, c, "invoices").await;
    assert_eq!(after.len(), 3, "one row per external id");
    assert_eq!(by_ext(&after, "b").id, by_ext(&first, "b").id, "local id kept");
    assert_eq!(by_ext(&after, "b").data, json!({"n": 20}));
    assert_eq!(by_ext(&after, "b").synced_at, Some(t(2)));
    assert_eq!(by_ext(&after, "a").synced_at, Some(t(1)));
    assert_eq!(by_ext(&after, "c").data, json!({"n": 30}), "last copy wins");
    assert_eq!(by_ext(&after, "a").remote_updated_at, Some(t(-100)));
    // The same external id under another kind or connection is another record.
    let other = connection(store, "beta").await;
    let r2 = run(store, other, "invoices").await;
    commit(store, other, "invoices", r2, t(3), &[rec("a", "{}")]).await;
    commit(store, c, "contacts", r, t(3), &[rec("a", "{}")]).await;
    assert_eq!(all(db, c, "invoices").await.len(), 3);
    assert_eq!(all(db, other, "invoices").await.len(), 1);
    assert_eq!(count(db, "SELECT COUNT(*) FROM records").await, 5);
}

async fn changed_by_run_moves_only_when_content_or_deletion_changes(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let r1 = run(store, c, "invoices").await;
    commit(store, c, "invoices", r1, t(1), &[rec("a", r#"{"v":1}"#), rec("b", "{}")]).await;
    let r2 = run(store, c, "invoices").await;
    // Same content: the record is seen (synced_at moves) but not changed.
    commit(store, c, "invoices", r2, t(2), &[rec("a", r#"{"v":1}"#)]).await;
    let rows = all(db, c, "invoices").await;
    assert_eq!(by_ext(&rows, "a").changed_by_run, Some(r1.0));
    assert_eq!(by_ext(&rows, "a").synced_at, Some(t(2)));
    let r3 = run(store, c, "invoices").await;
    commit(store, c, "invoices", r3, t(3), &[rec("a", r#"{"v":2}"#)]).await;
    assert_eq!(by_ext(&all(db, c, "invoices").await, "a").changed_by_run, Some(r3.0));
    // Same content but now deleted by status: a change.
    let r4 = run(store, c, "invoices").await;
    commit(store, c, "invoices", r4, t(4), &[deleted("b", "{}")]).await;
    let rows = all(db, c, "invoices").await;
    assert_eq!(by_ext(&rows, "b").changed_by_run, Some(r4.0));
    assert_eq!(by_ext(&rows, "a").changed_by_run, Some(r3.0));
    // Still deleted, same content: no change.
    let r5 = run(store, c, "invoices").await;
    commit(store, c, "invoices", r5, t(5), &[deleted("b", "{}")]).await;
    assert_eq!(by_ext(&all(db, c, "invoices").await, "b").changed_by_run, Some(r4.0));
}

async fn status_deletion_keeps_its_first_time_and_clears_when_live_again(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let r = run(store, c, "invoices").await;
    commit(store, c, "invoices", r, t(1), &[deleted("a", "{}"), rec("b", "{}")]).await;
    let a = by_ext(&all(db, c, "invoices").await, "a").clone();
    assert_eq!(a.deleted_at, Some(t(1)), "a new deleted object is deleted as of its page");
    assert_eq!(a.deletion_source.as_deref(), Some("status"));
    commit(store, c, "invoices", r, t(2), &[deleted("a", r#"{"again":1}"#), deleted("b", "{}")]).await;
    let rows = all(db, c, "invoices").await;
    assert_eq!(by_ext(&rows, "a").deleted_at, Some(t(1)), "first deletion time kept");
    assert_eq!(by_ext(&rows, "a").data, json!({"again": 1}), "content still updated");
    assert_eq!(by_ext(&rows, "b").deleted_at, Some(t(2)));
    // Live records only, by default.
    let live = store
        .records(&RecordQuery {
            connection: c,
            kind: "invoices".to_owned(),
            after_id: 0,
            limit: 10,
            include_deleted: false,
        })
        .await
        .expect("read");
    assert!(live.is_empty());
    commit(store, c, "invoices", r, t(3), &[rec("a", "{}")]).await;
    let a = by_ext(&all(db, c, "invoices").await, "a").clone();
    assert_eq!(a.deleted_at, None, "undeleted when the provider lists it live");
    assert_eq!(a.deletion_source, None);
}

async fn checkpoint_round_trips_through_sync_state(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    assert_eq!(
        store.sync_state(c, "invoices").await.expect("state"),
        SyncState::default()
    );
    let r = run(store, c, "invoices").await;
    for (pages, next) in [(1, Some("page=2")), (2, None)] {
        let cp = Checkpoint {
            sweep: r,
            next: next.map(|n| PageToken(n.to_owned())),
            pending_cursor: Some(t(-300)),
            pages,
        };
        store
            .commit_page(PageCommit {
                connection: c,
                kind: "invoices",
                run: r,
                synced_at: t(pages),
                records: &[rec(&format!("x{pages}"), "{}")],
                quarantined: &[],
                checkpoint: &cp,
            })
            .await
            .expect("commit");
        let state = store.sync_state(c, "invoices").await.expect("state");
        assert_eq!(state.checkpoint, Some(cp));
        assert_eq!(state.cursor, None, "only the end of a pull moves the cursor");
        assert_eq!(state.last_full_sync_at, None);
    }
    assert_eq!(
        store.sync_state(c, "contacts").await.expect("state"),
        SyncState::default(),
        "states are per kind"
    );
}

async fn finish_sweep_deletes_unseen_records_and_advances_the_cursor(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let first = run(store, c, "items").await;
    commit(store, c, "items", first, t(1), &[rec("a", "{}"), rec("b", "{}"), rec("c", "{}")]).await;
    // Another kind's records are not part of this kind's sweep.
    commit(store, c, "contacts", first, t(1), &[rec("z", "{}")]).await;
    // A local record, never exported: no external id, never reconciled.
    records::Entity::insert(records::ActiveModel {
        connection_id: Set(c.0),
        kind: Set("items".to_owned()),
        external_id: Set(None),
        data: Set(r#"{"local":true}"#.to_owned()),
        pending_change: Set(Some("create".to_owned())),
        created_at: Set(t(0)),
        ..Default::default()
    })
    .exec(store.db())
    .await
    .expect("insert a local record");

    let second = run(store, c, "items").await;
    commit(store, c, "items", second, t(10), &[rec("a", "{}"), rec("c", "{}")]).await;
    let end = |run| SweepEnd {
        connection: c,
        kind: "items",
        run,
        sweep: second,
        cursor: Some(t(5)),
        seen_at: t(11),
        deletion_source: "vanish",
    };
    assert_eq!(store.finish_sweep(end(second)).await.expect("sweep"), 1);
    let rows = all(db, c, "items").await;
    assert_eq!(rows.len(), 4);
    let b = by_ext(&rows, "b");
    assert_eq!(b.deleted_at, Some(t(11)));
    assert_eq!(b.deletion_source.as_deref(), Some("vanish"));
    assert_eq!(b.changed_by_run, Some(second.0));
    assert!(by_ext(&rows, "a").deleted_at.is_none());
    assert!(by_ext(&rows, "c").deleted_at.is_none());
    let local = rows.iter().find(|r| r.external_id.is_none()).expect("local");
    assert!(local.deleted_at.is_none(), "local records are not reconciled");
    assert!(by_ext(&all(db, c, "contacts").await, "z").deleted_at.is_none());

    let state = store.sync_state(c, "items").await.expect("state");
    assert_eq!(state.cursor, Some(t(5)));
    assert_eq!(state.last_full_sync_at, Some(t(11)));
    assert_eq!(state.checkpoint, None);
    // Already deleted records are not deleted again.
    assert_eq!(store.finish_sweep(end(second)).await.expect("sweep"), 0);

    // b comes back in a later pull: live again.
    let third = run(store, c, "items").await;
    commit(store, c, "items", third, t(20), &[rec("b", "{}")]).await;
    assert!(by_ext(&all(db, c, "items").await, "b").deleted_at.is_none());
}

async fn a_failed_page_leaves_neither_records_nor_checkpoint(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let r = run(store, c, "invoices").await;
    commit(store, c, "invoices", r, t(1), &[rec("a", r#"{"v":1}"#)]).await;
    let before = store.sync_state(c, "invoices").await.expect("state");

    // The quarantine row names a run that does not exist: the insert fails
    // after the records were upserted, and everything must roll back.
    let ghost = tether_core::store::RunId(r.0 + 1000);
    let cp = Checkpoint {
        sweep: r,
        next: Some(PageToken("page=3".to_owned())),
        pending_cursor: None,
        pages: 2,
    };
    let err = store
        .commit_page(PageCommit {
            connection: c,
            kind: "invoices",
            run: r,
            synced_at: t(2),
            records: &[rec("a", r#"{"v":2}"#), rec("b", "{}")],
            quarantined: &[bad("invoices", Some("q"), ghost)],
            checkpoint: &cp,
        })
        .await
        .expect_err("the page must fail");
    assert_eq!(err.kind(), ErrorKind::Store);
    assert!(
        err.message().contains("committing page 2 of invoices"),
        "message says what was being done: {}",
        err.message()
    );
    let rows = all(db, c, "invoices").await;
    assert_eq!(rows.len(), 1, "b was not kept");
    assert_eq!(rows[0].data, json!({"v": 1}), "a was not updated");
    assert_eq!(rows[0].synced_at, Some(t(1)));
    assert_eq!(store.sync_state(c, "invoices").await.expect("state"), before);
    assert!(store.quarantined(c, 10).await.expect("quarantine").is_empty());

    // A page for a connection that does not exist fails too, on both engines
    // (SQLite enforces foreign keys because connect turns them on).
    let err = commit_with(store, tether_core::store::ConnectionId(c.0 + 99), "invoices", r, t(3), &[rec("x", "{}")], &[])
        .await
        .expect_err("unknown connection");
    assert_eq!(err.kind(), ErrorKind::Store);
    assert_eq!(count(db, "SELECT COUNT(*) FROM records").await, 1);
}

async fn empty_pages_and_pages_beyond_one_statement_commit(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let r = run(store, c, "journals").await;
    commit(store, c, "journals", r, t(1), &[]).await;
    let state = store.sync_state(c, "journals").await.expect("state");
    assert_eq!(state.checkpoint.map(|cp| cp.sweep), Some(r), "checkpoint saved");
    assert!(all(db, c, "journals").await.is_empty());

    // More records than one statement can bind on SQLite (32766 / 11).
    let big: Vec<_> = (0..7000).map(|i| rec(&format!("j{i:05}"), &format!(r#"{{"i":{i}}}"#))).collect();
    commit(store, c, "journals", r, t(2), &big).await;
    commit(store, c, "journals", r, t(3), &big).await;
    let rows = all(db, c, "journals").await;
    assert_eq!(rows.len(), 7000);
    assert!(rows.iter().all(|r| r.synced_at == Some(t(3))));
    assert_eq!(by_ext(&rows, "j06999").data, json!({"i": 6999}));
}

async fn start_run_interrupts_the_running_run_of_the_same_kind(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let other = connection(store, "beta").await;
    let r1 = run(store, c, "invoices").await;
    let contacts = run(store, c, "contacts").await;
    let elsewhere = run(store, other, "invoices").await;
    let r2 = store
        .start_run(c, "invoices", RunType::Resync)
        .await
        .expect("start");
    assert!(r2.0 > r1.0);
    let runs = store.runs(c, 10).await.expect("runs");
    let ids: Vec<_> = runs.iter().map(|r| r.id).collect();
    assert_eq!(ids, [r2, contacts, r1], "newest first, this connection only");
    assert_eq!(runs[0].status, RunStatus::Running);
    assert_eq!(runs[0].run_type, RunType::Resync);
    assert_eq!(runs[0].kind, "invoices");
    assert_eq!(runs[0].connection_id, c.0);
    assert_eq!(runs[1].status, RunStatus::Running, "other kinds untouched");
    assert_eq!(runs[2].status, RunStatus::Interrupted);
    assert!(runs[2].finished_at.is_some());
    assert_eq!(store.runs(other, 10).await.expect("runs")[0].id, elsewhere);
    assert_eq!(store.runs(other, 10).await.expect("runs")[0].status, RunStatus::Running);

    let counts = RunCounts {
        pages: 3,
        fetched: 250,
        stored: 248,
        quarantined: 2,
        deleted: 1,
        api_calls: 4,
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
        .finish_run(tether_core::store::RunId(r2.0 + 1000), RunStatus::Succeeded, &counts, None)
        .await
        .expect_err("no such run");
    assert_eq!(err.kind(), ErrorKind::Store);
}

async fn records_page_by_local_id(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let r = run(store, c, "contacts").await;
    let mut page: Vec<_> = (0..25).map(|i| rec(&format!("c{i}"), &format!(r#"{{"i":{i}}}"#))).collect();
    page[7] = deleted("c7", r#"{"i":7}"#);
    commit(store, c, "contacts", r, t(1), &page).await;
    commit(store, c, "invoices", r, t(1), &[rec("i1", "{}")]).await;

    let mut seen = Vec::new();
    let mut after_id = 0;
    let mut sizes = Vec::new();
    loop {
        let batch = store
            .records(&RecordQuery {
                connection: c,
                kind: "contacts".to_owned(),
                after_id,
                limit: 10,
                include_deleted: false,
            })
            .await
            .expect("page");
        if batch.is_empty() {
            break;
        }
        sizes.push(batch.len());
        assert!(batch.windows(2).all(|w| w[0].id < w[1].id), "ordered by id");
        assert!(batch[0].id > after_id);
        after_id = batch.last().unwrap().id;
        seen.extend(batch);
    }
    assert_eq!(sizes, [10, 10, 4]);
    assert!(seen.iter().all(|r| r.kind == "contacts" && r.deleted_at.is_none()));
    assert!(!seen.iter().any(|r| r.external_id.as_deref() == Some("c7")));
    assert_eq!(by_ext(&seen, "c12").data, json!({"i": 12}));
    assert_eq!(by_ext(&seen, "c12").changed_by_run, Some(r.0));
    assert_eq!(all(db, c, "contacts").await.len(), 25);
}

async fn totals_count_live_deleted_and_quarantined_per_kind(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let other = connection(store, "beta").await;
    assert!(store.totals(c).await.expect("totals").is_empty());
    let r = run(store, c, "invoices").await;
    commit(store, c, "invoices", r, t(1), &[rec("a", "{}"), rec("b", "{}"), rec("c", "{}"), deleted("d", "{}")]).await;
    commit_with(store, c, "contacts", r, t(1), &[rec("x", "{}"), rec("y", "{}")], &[bad("contacts", Some("q"), r)])
        .await
        .expect("commit");
    commit_with(store, c, "items", r, t(1), &[], &[bad("items", None, r), bad("items", Some("i"), r)])
        .await
        .expect("commit");
    let r2 = run(store, other, "invoices").await;
    commit(store, other, "invoices", r2, t(1), &[rec("a", "{}")]).await;

    let totals = store.totals(c).await.expect("totals");
    let expected = [("contacts", 2, 0, 1), ("invoices", 3, 1, 0), ("items", 0, 0, 2)]
        .map(|(kind, live, deleted, quarantined)| KindTotals {
            kind: kind.to_owned(),
            live,
            deleted,
            quarantined,
        });
    assert_eq!(totals, expected);
}

async fn quarantine_is_listed_newest_first(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let r = run(store, c, "invoices").await;
    for id in ["q1", "q2", "q3"] {
        commit_with(store, c, "invoices", r, t(1), &[], &[bad("invoices", Some(id), r)])
            .await
            .expect("commit");
    }
    let listed = store.quarantined(c, 2).await.expect("quarantine");
    let ids: Vec<_> = listed.iter().map(|q| q.external_id.as_deref()).collect();
    assert_eq!(ids, [Some("q3"), Some("q2")]);
    assert_eq!(listed[0].run_id, r);
    assert_eq!(listed[0].payload, r#"{"Total":"x"}"#);
    assert_eq!(listed[0].created_at, t(0));
    assert!(listed[0].error.contains("field `Total`"));
}

#[tokio::test]
async fn sqlite_connections_get_wal_foreign_keys_and_a_busy_timeout() {
    let db = TestDb::sqlite().await;
    let conn = db.store.db();
    let pragma = |name: &str| {
        let sql = format!("PRAGMA {name}");
        async move {
            let row = conn
                .query_one_raw(Statement::from_string(sea_orm::DbBackend::Sqlite, sql))
                .await
                .expect("pragma")
                .expect("row");
            row.try_get_by_index::<sea_orm::JsonValue>(0)
                .ok()
                .map(|v| v.to_string())
                .or_else(|| row.try_get_by_index::<String>(0).ok())
                .or_else(|| row.try_get_by_index::<i64>(0).ok().map(|v| v.to_string()))
                .expect("a value")
        }
    };
    assert_eq!(pragma("journal_mode").await.trim_matches('"'), "wal");
    assert_eq!(pragma("foreign_keys").await, "1");
    assert_eq!(pragma("synchronous").await, "1", "NORMAL");
    assert_eq!(pragma("busy_timeout").await, "30000");
}

#[tokio::test]
async fn unsupported_urls_are_refused_with_a_configuration_error() {
    let err = SeaStore::connect("mysql://localhost/x").await.expect_err("no MySQL");
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.message().contains("mysql://localhost/x"));
}

#[tokio::test]
async fn in_memory_sqlite_keeps_its_data_across_calls() {
    let store = SeaStore::connect("sqlite::memory:").await.expect("memory store");
    let c = connection(&store, "acme").await;
    let r = run(&store, c, "invoices").await;
    commit(&store, c, "invoices", r, t(1), &[rec("a", "{}")]).await;
    assert_eq!(
        store.totals(c).await.expect("totals"),
        [KindTotals { kind: "invoices".to_owned(), live: 1, deleted: 0, quarantined: 0 }]
    );
}
