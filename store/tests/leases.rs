//! Leases: one holder per (connection, kind), taken over only when expired
//! (by the database's clock) or when its holder is known dead, and a run
//! that lost its lease cannot write. On SQLite and (when
//! `TETHER_TEST_POSTGRES_URL` is set) PostgreSQL.

#[macro_use]
mod common;

use std::time::Duration;

use common::*;
use tether_core::ErrorKind;
use tether_core::store::*;

on_both_engines!(
    a_lease_has_one_holder_until_released,
    an_expired_lease_is_taken_over_and_fences_its_old_holder,
    a_dead_holder_is_taken_over_at_once,
    leases_asked_for_together_are_granted_together,
);

async fn a_lease_has_one_holder_until_released(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let ttl = Duration::from_secs(60);
    let a = lease_for(c, "invoices", holder("a"), ttl);
    let b = lease_for(c, "invoices", holder("b"), ttl);
    assert_eq!(take(store, &a).await.unwrap(), None, "free: granted");
    let first = store
        .acquire_leases(std::slice::from_ref(&a), &[])
        .await
        .unwrap();
    assert_eq!(first, [None], "its holder may take it again (renewal)");

    let held = take(store, &b).await.unwrap().expect("held by a");
    assert_eq!(held.kind, "invoices");
    assert_eq!(held.holder.host, "host-a");
    assert_eq!(held.holder.pid, 4242);
    assert!(held.expires_at > held.since);
    let again = take(store, &b).await.unwrap().expect("still held");
    assert_eq!(again.since, held.since, "renewals keep when it was taken");

    // Another kind and another connection are other leases.
    let other = connection(store, "beta").await;
    assert_eq!(
        take(store, &lease_for(c, "items", holder("b"), ttl))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        take(store, &lease_for(other, "invoices", holder("b"), ttl))
            .await
            .unwrap(),
        None
    );

    assert!(!store.renew_lease(&b).await.unwrap(), "b does not hold it");
    store.release_lease(&b).await.unwrap();
    assert!(
        store.renew_lease(&a).await.unwrap(),
        "b's release left a's lease alone"
    );
    store.release_lease(&a).await.unwrap();
    assert_eq!(take(store, &b).await.unwrap(), None, "released: b gets it");
}

async fn an_expired_lease_is_taken_over_and_fences_its_old_holder(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let short = lease_for(c, "invoices", holder("a"), Duration::from_millis(300));
    let b = lease_for(c, "invoices", holder("b"), Duration::from_secs(60));
    assert_eq!(take(store, &short).await.unwrap(), None);
    let run_a = store.start_run(&short, RunType::Sync).await.unwrap();
    assert!(take(store, &b).await.unwrap().is_some(), "not expired yet");

    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(take(store, &b).await.unwrap(), None, "expired: taken over");
    assert!(!store.renew_lease(&short).await.unwrap(), "a lost it");

    // a wakes up and tries to write: refused, nothing written.
    let checkpoint = checkpoint(run_a, Some("2"), 1);
    let err = store
        .commit_page(PageCommit {
            lease: &short,
            run: run_a,
            synced_at: t(1),
            records: &[rec("x", "{}")],
            quarantined: &[],
            tombstones: &[],
            how: Provenance::FullPage,
            checkpoint: &checkpoint,
            counts: &RunCounts::default(),
        })
        .await
        .expect_err("a's lease was taken over");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.message().contains("taken over"), "{}", err.message());
    assert!(all(db, c, "invoices").await.is_empty());
    assert_eq!(
        store.sync_state(c, "invoices").await.unwrap(),
        SyncState::default()
    );
    let err = store
        .start_run(&short, RunType::Sync)
        .await
        .expect_err("no run without the lease");
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

async fn a_dead_holder_is_taken_over_at_once(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let ttl = Duration::from_secs(60);
    let dead = lease_for(c, "invoices", holder("dead"), ttl);
    let b = lease_for(c, "invoices", holder("b"), ttl);
    assert_eq!(take(store, &dead).await.unwrap(), None);
    let unrelated = vec!["token-someone-else".to_owned()];
    let answer = store
        .acquire_leases(std::slice::from_ref(&b), &unrelated)
        .await
        .unwrap();
    assert!(
        answer[0].is_some(),
        "only a named dead holder is overridden"
    );
    let answer = store
        .acquire_leases(std::slice::from_ref(&b), &["token-dead".to_owned()])
        .await
        .unwrap();
    assert_eq!(answer, [None]);
    assert!(!store.renew_lease(&dead).await.unwrap());
}

async fn leases_asked_for_together_are_granted_together(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let ttl = Duration::from_secs(60);
    let kinds = ["accounts", "contacts", "invoices", "items"];
    let set = |who: &str| -> Vec<_> {
        kinds
            .iter()
            .map(|k| lease_for(c, k, holder(who), ttl))
            .collect()
    };
    // b already holds one of them.
    assert_eq!(take(store, &set("b")[2]).await.unwrap(), None);
    let (a, b) = (set("a"), set("b"));
    let (first, second) =
        tokio::join!(store.acquire_leases(&a, &[]), store.acquire_leases(&b, &[]));
    let (first, second) = (first.unwrap(), second.unwrap());
    for i in 0..kinds.len() {
        assert!(
            first[i].is_none() != second[i].is_none(),
            "{}: exactly one holder ({:?} / {:?})",
            kinds[i],
            first[i],
            second[i]
        );
    }
    assert!(second[2].is_none(), "b kept what it had");
    let a_got = first.iter().filter(|h| h.is_none()).count();
    assert!(
        a_got == 0 || a_got == kinds.len() - 1,
        "one transaction each: a gets all it can or nothing, never half ({a_got})"
    );
}
