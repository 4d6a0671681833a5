//! The end of a full pull, and reading back: keyset paging, totals,
//! quarantine, on SQLite and (when `TETHER_TEST_POSTGRES_URL` is set) PostgreSQL.

#[macro_use]
mod common;

use common::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use tether_core::store::*;
use tether_store::entity::records;

on_both_engines!(
    finish_pull_deletes_confirmed_absent_records_and_advances_the_cursor,
    a_pull_without_reconcile_deletes_nothing,
    tombstones_delete_keeping_the_last_values_and_spare_pending_edits,
    records_page_by_local_id,
    totals_count_live_deleted_and_quarantined_per_kind,
    quarantine_is_listed_newest_first,
);

async fn finish_pull_deletes_confirmed_absent_records_and_advances_the_cursor(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let first = run(store, c, "items").await;
    commit(
        store,
        c,
        "items",
        first,
        t(1),
        &[rec("a", "{}"), rec("b", "{}"), rec("c", "{}")],
    )
    .await;
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
    commit(
        store,
        c,
        "items",
        second,
        t(10),
        &[rec("a", "{}"), rec("c", "{}")],
    )
    .await;
    let unseen = store.unseen(c, "items", second).await.expect("unseen");
    assert_eq!(unseen, ["b"], "only the synced record the pull missed");
    // "a" is named too, as a confirmation racing a later sighting would:
    // a record the pull saw is never deleted.
    let absent = ["a".to_owned(), "b".to_owned()];
    assert_eq!(finish(store, c, "items", second, t(11), &absent).await, 1);
    let rows = all(db, c, "items").await;
    assert_eq!(rows.len(), 4);
    let b = by_ext(&rows, "b");
    assert_eq!(b.deleted_at, Some(t(11)));
    assert_eq!(b.deletion_source.as_deref(), Some("vanish"));
    assert_eq!(b.changed_by_run, Some(second.0));
    assert!(by_ext(&rows, "a").deleted_at.is_none());
    assert!(by_ext(&rows, "c").deleted_at.is_none());
    let local = rows
        .iter()
        .find(|r| r.external_id.is_none())
        .expect("local");
    assert!(
        local.deleted_at.is_none(),
        "local records are not reconciled"
    );
    assert!(
        by_ext(&all(db, c, "contacts").await, "z")
            .deleted_at
            .is_none()
    );

    let state = store.sync_state(c, "items").await.expect("state");
    assert_eq!(state.cursor, Some(t(5)));
    assert_eq!(state.last_full_sync_at, Some(t(11)));
    assert_eq!(state.checkpoint, None);
    // Already deleted records are not deleted again.
    assert_eq!(finish(store, c, "items", second, t(11), &absent).await, 0);
    assert!(
        store
            .unseen(c, "items", second)
            .await
            .expect("unseen")
            .is_empty()
    );

    // b comes back in a later pull: live again.
    let third = run(store, c, "items").await;
    commit(store, c, "items", third, t(20), &[rec("b", "{}")]).await;
    assert!(by_ext(&all(db, c, "items").await, "b").deleted_at.is_none());
}

async fn records_page_by_local_id(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let r = run(store, c, "contacts").await;
    let mut page: Vec<_> = (0..25)
        .map(|i| rec(&format!("c{i}"), &format!(r#"{{"i":{i}}}"#)))
        .collect();
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
    assert!(
        seen.iter()
            .all(|r| r.kind == "contacts" && r.deleted_at.is_none())
    );
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
    commit(
        store,
        c,
        "invoices",
        r,
        t(1),
        &[
            rec("a", "{}"),
            rec("b", "{}"),
            rec("c", "{}"),
            deleted("d", "{}"),
        ],
    )
    .await;
    commit_with(
        store,
        c,
        "contacts",
        r,
        t(1),
        &[rec("x", "{}"), rec("y", "{}")],
        &[bad("contacts", Some("q"), r)],
    )
    .await
    .expect("commit");
    commit_with(
        store,
        c,
        "items",
        r,
        t(1),
        &[],
        &[bad("items", None, r), bad("items", Some("i"), r)],
    )
    .await
    .expect("commit");
    let r2 = run(store, other, "invoices").await;
    commit(store, other, "invoices", r2, t(1), &[rec("a", "{}")]).await;

    let totals = store.totals(c).await.expect("totals");
    let expected = [
        ("contacts", 2, 0, 1),
        ("invoices", 3, 1, 0),
        ("items", 0, 0, 2),
    ]
    .map(|(kind, live, deleted, quarantined)| KindTotals {
        kind: kind.to_owned(),
        live,
        deleted,
        quarantined,
        held: 0,
        pending: 0,
        conflicts: 0,
    });
    assert_eq!(totals, expected);
}

async fn quarantine_is_listed_newest_first(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let r = run(store, c, "invoices").await;
    for id in ["q1", "q2", "q3"] {
        commit_with(
            store,
            c,
            "invoices",
            r,
            t(1),
            &[],
            &[bad("invoices", Some(id), r)],
        )
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

async fn a_pull_without_reconcile_deletes_nothing(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let full = run(store, c, "items").await;
    commit(
        store,
        c,
        "items",
        full,
        t(1),
        &[rec("a", "{}"), rec("b", "{}")],
    )
    .await;
    finish(store, c, "items", full, t(2), &[]).await;

    // A modified-since pull sees only "a": "b" must stay live, the cursor
    // moves, and the last full sync time stays the full pull's.
    let partial = run(store, c, "items").await;
    commit_changes(store, c, "items", partial, t(8), &[rec("a", r#"{"v":2}"#)]).await;
    let midway = store.sync_state(c, "items").await.expect("state");
    assert!(
        midway.checkpoint.is_none(),
        "a pull of changes leaves the full checkpoint alone"
    );
    assert_eq!(midway.changes.map(|cp| cp.pull), Some(Pull::Changes));
    let deleted = store
        .finish_pull(PullEnd {
            lease: &lease(c, "items"),
            pull: Pull::Changes,
            run: partial,
            cursor: Some(t(7)),
            seen_at: t(9),
            reconcile: None,
        })
        .await
        .expect("partial pull ends");
    assert_eq!(deleted, 0);
    let rows = all(db, c, "items").await;
    assert!(
        by_ext(&rows, "b").deleted_at.is_none(),
        "not seen by a partial pull is not deleted"
    );
    let state = store.sync_state(c, "items").await.expect("state");
    assert_eq!(state.cursor, Some(t(7)));
    assert_eq!(state.last_full_sync_at, Some(t(2)), "the full pull's end");
    assert!(state.checkpoint.is_none() && state.changes.is_none());
}

async fn tombstones_delete_keeping_the_last_values_and_spare_pending_edits(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let full = run(store, c, "items").await;
    commit(
        store,
        c,
        "items",
        full,
        t(1),
        &[rec("a", r#"{"v":"a"}"#), rec("b", "{}")],
    )
    .await;
    finish(store, c, "items", full, t(2), &[]).await;
    // "b" has a local edit waiting for export.
    records::Entity::update_many()
        .col_expr(records::Column::PendingChange, Expr::value("update"))
        .filter(records::Column::ExternalId.eq("b"))
        .exec(store.db())
        .await
        .expect("stage an edit");

    let feed = run(store, c, "items").await;
    let deleted = commit_tombstones(store, c, "items", feed, t(8), &["a", "b", "never-seen"]).await;
    assert_eq!(deleted, 1, "only the live record without a pending edit");
    let rows = all(db, c, "items").await;
    let a = by_ext(&rows, "a");
    assert_eq!(a.deleted_at, Some(t(8)));
    assert_eq!(a.deletion_source.as_deref(), Some("tombstone"));
    assert_eq!(a.changed_how.as_deref(), Some("tombstone"));
    assert_eq!(a.changed_by_run, Some(feed.0));
    assert_eq!(a.data, json!({"v": "a"}), "the last values are kept");
    assert!(
        by_ext(&rows, "b").deleted_at.is_none(),
        "not deleted under an edit"
    );
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) FROM records WHERE external_id = 'b' AND pending_state = 'conflict'"
        )
        .await,
        1,
        "the provider's deletion of an edited record is a conflict"
    );
    assert_eq!(rows.len(), 2, "a tombstone of an unknown id adds nothing");
    // A tombstone seen again changes nothing.
    assert_eq!(
        commit_tombstones(store, c, "items", feed, t(9), &["a"]).await,
        0
    );
    assert_eq!(
        by_ext(&all(db, c, "items").await, "a").deleted_at,
        Some(t(8))
    );
}
