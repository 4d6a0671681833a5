//! Grants: one refresh at a time (a claim on the grant's version, judged by
//! the database's clock), its tokens saved only by the claimant and only
//! over the version it read, and a connection's status read through its
//! grant. On SQLite and (when `TETHER_TEST_POSTGRES_URL` is set) PostgreSQL.

#[macro_use]
mod common;

use std::time::Duration;

use common::*;
use tether_core::auth::{GrantStatus, GrantStore, NewTokens};
use tether_core::store::*;

on_both_engines!(
    one_refresh_at_a_time_and_only_over_the_version_read,
    a_stale_claim_is_taken_over,
    a_refused_grant_makes_its_connections_need_reauth,
    a_disconnected_connection_keeps_its_data,
);

fn tokens(tag: &str) -> NewTokens {
    NewTokens {
        sealed_grant: format!("v1:{tag}"),
        sealed_access: format!("v1:{tag}-access"),
        expires_at: t(3600),
    }
}

async fn one_refresh_at_a_time_and_only_over_the_version_read(db: &TestDb) {
    let store = &db.store;
    let g = grant(store, "v1:first").await;
    let ttl = Duration::from_secs(60);
    let read = store.grant(g).await.expect("read");
    assert_eq!((read.version, read.status), (0, GrantStatus::Active));
    assert!(
        store.claim_refresh(g, 0, "a", ttl).await.unwrap(),
        "free: a claims"
    );
    assert!(
        !store.claim_refresh(g, 0, "b", ttl).await.unwrap(),
        "b waits while a's claim runs"
    );
    assert!(
        !store.save_tokens(g, 0, "b", &tokens("b")).await.unwrap(),
        "b cannot save without the claim"
    );
    assert!(store.save_tokens(g, 0, "a", &tokens("a")).await.unwrap());
    let after = store.grant(g).await.unwrap();
    assert_eq!(after.version, 1);
    assert_eq!(after.sealed, "v1:a");
    assert_eq!(after.access, Some(("v1:a-access".to_owned(), t(3600))));
    assert!(
        !store.save_tokens(g, 0, "a", &tokens("late")).await.unwrap(),
        "a second save over the old version is refused"
    );
    assert!(
        !store.claim_refresh(g, 0, "b", ttl).await.unwrap(),
        "a claim on a version that moved on is refused"
    );
    assert!(store.claim_refresh(g, 1, "b", ttl).await.unwrap());
    store.release_refresh(g, "b").await.unwrap();
    assert!(
        store.claim_refresh(g, 1, "c", ttl).await.unwrap(),
        "a released claim is free"
    );
    assert_eq!(
        store.grant(g).await.unwrap().sealed,
        "v1:a",
        "nothing saved meanwhile"
    );
}

async fn a_stale_claim_is_taken_over(db: &TestDb) {
    let store = &db.store;
    let g = grant(store, "v1:first").await;
    assert!(
        store
            .claim_refresh(g, 0, "crashed", Duration::ZERO)
            .await
            .unwrap()
    );
    assert!(
        store
            .claim_refresh(g, 0, "next", Duration::from_secs(60))
            .await
            .unwrap(),
        "an expired claim (its holder died mid-refresh) is taken over"
    );
    assert!(
        !store
            .save_tokens(g, 0, "crashed", &tokens("zombie"))
            .await
            .unwrap(),
        "the old claimant can no longer save"
    );
    assert!(
        store
            .save_tokens(g, 0, "next", &tokens("next"))
            .await
            .unwrap()
    );
}

async fn a_refused_grant_makes_its_connections_need_reauth(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let acme = store.connection("acme").await.unwrap().unwrap();
    assert_eq!(acme.id, c);
    store
        .set_grant_status(acme.grant, GrantStatus::NeedsReauth, Some("invalid_grant"))
        .await
        .unwrap();
    let after = store.connection("acme").await.unwrap().unwrap();
    assert_eq!(after.status, ConnectionStatus::NeedsReauth);
    assert_eq!(after.status_reason.as_deref(), Some("invalid_grant"));
    assert!(
        !store
            .claim_refresh(acme.grant, 0, "a", Duration::from_secs(60))
            .await
            .unwrap(),
        "a refused grant is not refreshed"
    );
    // Connecting again saves a new grant under the same name: repaired.
    let fresh = grant(store, "v1:again").await;
    let repaired = store
        .save_connection(&NewConnection {
            name: after.name.clone(),
            provider: after.provider.clone(),
            tenant_id: after.tenant_id.clone(),
            tenant_name: after.tenant_name.clone(),
            tenant_link: None,
            base_url: None,
            grant: fresh,
            rate_limits: None,
        })
        .await
        .unwrap();
    assert_eq!(
        (repaired.id, repaired.status),
        (c, ConnectionStatus::Active)
    );
}

async fn a_disconnected_connection_keeps_its_data(db: &TestDb) {
    let store = &db.store;
    let c = connection(store, "acme").await;
    let r = run(store, c, "items").await;
    commit(store, c, "items", r, t(1), &[rec("a", "{}")]).await;
    store.disconnect(c).await.unwrap();
    let after = store.connection("acme").await.unwrap().unwrap();
    assert_eq!(after.status, ConnectionStatus::Disconnected);
    assert_eq!(all(db, c, "items").await.len(), 1, "its records stay");
}
