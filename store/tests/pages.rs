//! Committing pages: the batched upsert, its deletion and change tracking,
//! and its atomicity with the checkpoint, on SQLite and (when
//! `TETHER_TEST_POSTGRES_URL` is set) PostgreSQL.

#[macro_use]
mod common;

use common::*;
use serde_json::json;
use tether_core::store::*;
use tether_core::{ErrorKind, PageToken};
use tether_store::SeaStore;

on_both_engines!(
    pages_upsert_by_external_id_without_duplicates,
    changed_by_run_moves_only_when_content_or_deletion_changes,
    status_deletion_keeps_its_first_time_and_clears_when_live_again,
    checkpoint_round_trips_through_sync_state,
    a_failed_page_leaves_neither_records_nor_checkpoint,
    empty_pages_and_pages_beyond_one_statement_commit,
    concurrent_pages_of_different_kinds_all_commit,
);

async fn pages_upsert_by_external_id_without_duplicates(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let r = run(store, c, "invoices").await;
    commit(
        store,
        c,
        "invoices",
        r,
        t(1),
        &[rec("a", r#"{"n":1}"#), rec("b", r#"{"n":2}"#)],
    )
    .await;
    let first = all(db, c, "invoices").await;
    // b again on the next page, changed; and a duplicate of c within the page.
    commit(
        store,
        c,
        "invoices",
        r,
        t(2),
        &[
            rec("b", r#"{"n":20}"#),
            rec("c", r#"{"n":3}"#),
            rec("c", r#"{"n":30}"#),
        ],
    )
    .await;
    let after = all(db, c, "invoices").await;
    assert_eq!(after.len(), 3, "one row per external id");
    assert_eq!(
        by_ext(&after, "b").id,
        by_ext(&first, "b").id,
        "local id kept"
    );
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
    commit(
        store,
        c,
        "invoices",
        r1,
        t(1),
        &[rec("a", r#"{"v":1}"#), rec("b", "{}")],
    )
    .await;
    let r2 = run(store, c, "invoices").await;
    // Same content: the record is seen (synced_at moves) but not changed.
    commit(store, c, "invoices", r2, t(2), &[rec("a", r#"{"v":1}"#)]).await;
    let rows = all(db, c, "invoices").await;
    assert_eq!(by_ext(&rows, "a").changed_by_run, Some(r1.0));
    assert_eq!(by_ext(&rows, "a").synced_at, Some(t(2)));
    let r3 = run(store, c, "invoices").await;
    commit(store, c, "invoices", r3, t(3), &[rec("a", r#"{"v":2}"#)]).await;
    assert_eq!(
        by_ext(&all(db, c, "invoices").await, "a").changed_by_run,
        Some(r3.0)
    );
    // Same content but now deleted by status: a change.
    let r4 = run(store, c, "invoices").await;
    commit(store, c, "invoices", r4, t(4), &[deleted("b", "{}")]).await;
    let rows = all(db, c, "invoices").await;
    assert_eq!(by_ext(&rows, "b").changed_by_run, Some(r4.0));
    assert_eq!(by_ext(&rows, "a").changed_by_run, Some(r3.0));
    // Still deleted, same content: no change.
    let r5 = run(store, c, "invoices").await;
    commit(store, c, "invoices", r5, t(5), &[deleted("b", "{}")]).await;
    assert_eq!(
        by_ext(&all(db, c, "invoices").await, "b").changed_by_run,
        Some(r4.0)
    );
}

async fn status_deletion_keeps_its_first_time_and_clears_when_live_again(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let r = run(store, c, "invoices").await;
    commit(
        store,
        c,
        "invoices",
        r,
        t(1),
        &[deleted("a", "{}"), rec("b", "{}")],
    )
    .await;
    let a = by_ext(&all(db, c, "invoices").await, "a").clone();
    assert_eq!(
        a.deleted_at,
        Some(t(1)),
        "a new deleted object is deleted as of its page"
    );
    assert_eq!(a.deletion_source.as_deref(), Some("status"));
    commit(
        store,
        c,
        "invoices",
        r,
        t(2),
        &[deleted("a", r#"{"again":1}"#), deleted("b", "{}")],
    )
    .await;
    let rows = all(db, c, "invoices").await;
    assert_eq!(
        by_ext(&rows, "a").deleted_at,
        Some(t(1)),
        "first deletion time kept"
    );
    assert_eq!(
        by_ext(&rows, "a").data,
        json!({"again": 1}),
        "content still updated"
    );
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
    assert_eq!(
        a.deleted_at, None,
        "undeleted when the provider lists it live"
    );
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
            pull: Pull::Full,
            sweep: r,
            next: next.map(|n| PageToken(n.to_owned())),
            pending_cursor: Some(t(-300)),
            pages,
        };
        store
            .commit_page(PageCommit {
                lease: &lease(c, "invoices"),
                run: r,
                synced_at: t(pages),
                records: &[rec(&format!("x{pages}"), "{}")],
                quarantined: &[],
                tombstones: &[],
                how: Provenance::FullPage,
                checkpoint: &cp,
                counts: &RunCounts::default(),
            })
            .await
            .expect("commit");
        let state = store.sync_state(c, "invoices").await.expect("state");
        assert_eq!(state.checkpoint, Some(cp));
        assert_eq!(
            state.cursor, None,
            "only the end of a pull moves the cursor"
        );
        assert_eq!(state.last_full_sync_at, None);
    }
    assert_eq!(
        store.sync_state(c, "contacts").await.expect("state"),
        SyncState::default(),
        "states are per kind"
    );
    // A restarted process finds the checkpoint where the last page left it.
    let reopened = SeaStore::connect(&db.url).await.expect("reopen");
    let resumed = reopened.sync_state(c, "invoices").await.expect("state");
    assert_eq!(
        resumed.checkpoint.map(|cp| (cp.pages, cp.next)),
        Some((2, None))
    );
    reopened.close().await.expect("close");
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
        pull: Pull::Full,
        sweep: r,
        next: Some(PageToken("page=3".to_owned())),
        pending_cursor: None,
        pages: 2,
    };
    let err = store
        .commit_page(PageCommit {
            lease: &lease(c, "invoices"),
            run: r,
            synced_at: t(2),
            records: &[rec("a", r#"{"v":2}"#), rec("b", "{}")],
            quarantined: &[bad("invoices", Some("q"), ghost)],
            tombstones: &[],
            how: Provenance::FullPage,
            checkpoint: &cp,
            counts: &RunCounts::default(),
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
    assert_eq!(
        store.sync_state(c, "invoices").await.expect("state"),
        before
    );
    assert!(
        store
            .quarantined(c, 10)
            .await
            .expect("quarantine")
            .is_empty()
    );

    // Work on a connection that does not exist cannot even take its lease,
    // on both engines (SQLite enforces foreign keys because connect turns
    // them on); and a page committed without the lease writes nothing.
    let ghost_connection = tether_core::store::ConnectionId(c.0 + 99);
    let err = store
        .acquire_leases(&[lease(ghost_connection, "invoices")], &[])
        .await
        .expect_err("unknown connection");
    assert_eq!(err.kind(), ErrorKind::Store);
    let err = commit_with(
        store,
        ghost_connection,
        "invoices",
        r,
        t(3),
        &[rec("x", "{}")],
        &[],
    )
    .await
    .expect_err("no lease");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(count(db, "SELECT COUNT(*) FROM records").await, 1);
}

async fn empty_pages_and_pages_beyond_one_statement_commit(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let r = run(store, c, "journals").await;
    commit(store, c, "journals", r, t(1), &[]).await;
    let state = store.sync_state(c, "journals").await.expect("state");
    assert_eq!(
        state.checkpoint.map(|cp| cp.sweep),
        Some(r),
        "checkpoint saved"
    );
    assert!(all(db, c, "journals").await.is_empty());

    // More records than one statement can bind on SQLite (32766 / 11).
    let big: Vec<_> = (0..7000)
        .map(|i| rec(&format!("j{i:05}"), &format!(r#"{{"i":{i}}}"#)))
        .collect();
    commit(store, c, "journals", r, t(2), &big).await;
    commit(store, c, "journals", r, t(3), &big).await;
    let rows = all(db, c, "journals").await;
    assert_eq!(rows.len(), 7000);
    assert!(rows.iter().all(|r| r.synced_at == Some(t(3))));
    assert_eq!(by_ext(&rows, "j06999").data, json!({"i": 6999}));
}

async fn concurrent_pages_of_different_kinds_all_commit(db: &TestDb) {
    // Several kinds sync at once: on SQLite the writers queue on the write
    // lock (IMMEDIATE transactions, busy timeout) instead of failing.
    let c = connection(&db.store, "acme").await;
    let mut tasks = Vec::new();
    for k in 0..6 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            let kind = format!("kind{k}");
            let r = run(&store, c, &kind).await;
            for p in 0..15 {
                let page: Vec<_> = (0..50).map(|i| rec(&format!("{p}-{i}"), "{}")).collect();
                commit(&store, c, &kind, r, t(p), &page).await;
                // Readers run beside the writers.
                store.totals(c).await.expect("totals while writing");
            }
        }));
    }
    for task in tasks {
        task.await.expect("writer task");
    }
    let totals = db.store.totals(c).await.expect("totals");
    assert_eq!(totals.len(), 6);
    assert!(totals.iter().all(|k| k.live == 750), "{totals:?}");
}
