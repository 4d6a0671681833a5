//! Refresh-token rotation: a new pair each time, the 30-minute grace
//! period of a rotated token, 60-day idle expiry, a lost refresh answer,
//! access-token expiry.

use std::time::Duration;

use serde_json::{Value, json};

use super::oauth::*;
use crate::sim::SimFaults;

const MIN: u64 = 60;
const DAY: u64 = 86_400;

fn refused(status: reqwest::StatusCode, v: &Value) -> bool {
    status == 400 && v["error"] == "invalid_grant"
}

#[tokio::test]
async fn refresh_rotates_the_pair() {
    let sim = start(1).await;
    let t = tokens(&sim).await;
    let (a1, r1) = (s(&t, "access_token"), s(&t, "refresh_token"));
    let (status, v) = refresh(&sim, &r1).await;
    assert_eq!(status, 200, "{v}");
    let (a2, r2) = (s(&v, "access_token"), s(&v, "refresh_token"));
    assert_ne!(r1, r2);
    assert_ne!(a1, a2);
    assert_eq!(v["expires_in"], 1800);
    assert_eq!(v["scope"], SCOPE);
    assert!(v["id_token"].is_string(), "openid: a new ID token");
    let tenant = sim.h.tenant_id();
    assert_eq!(api_status(&sim, &a2, tenant, "Items").await, 200);
    assert_eq!(
        api_status(&sim, &a1, tenant, "Items").await,
        200,
        "the old one lives out its 30 minutes"
    );
    let (status, v) = refresh(&sim, &r2).await;
    assert_eq!(status, 200);
    assert_ne!(s(&v, "refresh_token"), r2);
    assert_eq!(
        claims(&a1)["authentication_event_id"],
        claims(&s(&v, "access_token"))["authentication_event_id"]
    );
    assert_eq!(sim.h.stats().refreshes, 2);
}

#[tokio::test]
async fn a_rotated_token_works_for_30_minutes_then_is_refused() {
    let sim = start(1).await;
    let r1 = s(&tokens(&sim).await, "refresh_token");
    let (_, v) = refresh(&sim, &r1).await;
    let r2 = s(&v, "refresh_token");

    sim.h.advance_clock(Duration::from_secs(29 * MIN));
    let (status, v) = refresh(&sim, &r1).await;
    assert_eq!(status, 200, "reuse inside the grace period: {v}");
    let r2b = s(&v, "refresh_token");
    assert_ne!(r2b, r2, "a fresh pair again");
    assert_eq!(
        api_status(&sim, &s(&v, "access_token"), sim.h.tenant_id(), "Items").await,
        200
    );

    sim.h.advance_clock(Duration::from_secs(MIN));
    let (status, v) = refresh(&sim, &r1).await;
    assert!(refused(status, &v), "30 minutes after its first use: {v}");
    // The tokens it gave out are still good.
    assert_eq!(refresh(&sim, &r2).await.0, 200);
    assert_eq!(refresh(&sim, &r2b).await.0, 200);
    let (status, v) = refresh(&sim, "never-issued").await;
    assert!(refused(status, &v));
    let stats = sim.h.stats();
    assert_eq!((stats.refreshes, stats.refreshes_refused), (4, 2));
}

#[tokio::test]
async fn unused_refresh_tokens_expire_after_60_days() {
    let sim = start(1).await;
    let r1 = s(&tokens(&sim).await, "refresh_token");
    sim.h.advance_clock(Duration::from_secs(60 * DAY - MIN));
    let (status, v) = refresh(&sim, &r1).await;
    assert_eq!(status, 200, "59 days 23 hours 59 minutes: {v}");
    let r2 = s(&v, "refresh_token");
    sim.h.advance_clock(Duration::from_secs(60 * DAY));
    let (status, v) = refresh(&sim, &r2).await;
    assert!(refused(status, &v), "60 days unused: {v}");
}

#[tokio::test]
async fn a_lost_refresh_answer_still_rotates() {
    let sim = start(1).await;
    let r1 = s(&tokens(&sim).await, "refresh_token");
    let base = sim.h.base_url();
    let r = sim
        .c
        .post(format!("{base}/_sim/faults"))
        .json(&json!({ "lose_token_answers": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let lost = sim
        .c
        .post(format!("{base}/connect/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", r1.as_str()),
            ("client_id", sim.h.client_id()),
            ("client_secret", sim.h.client_secret()),
        ])
        .send()
        .await;
    assert!(lost.is_err(), "no answer reaches the client");
    let stats = sim.h.stats();
    assert_eq!(
        (stats.refreshes, stats.lost_token_answers),
        (1, 1),
        "the rotation happened"
    );
    // The client that never saw R2 retries R1 inside the grace period.
    let (status, v) = refresh(&sim, &r1).await;
    assert_eq!(status, 200, "recovered: {v}");
    assert_eq!(
        api_status(&sim, &s(&v, "access_token"), sim.h.tenant_id(), "Items").await,
        200
    );
    sim.h.set_faults(SimFaults::default());
    // After the grace period the rotated token is refused: R1 was spent.
    sim.h.advance_clock(Duration::from_secs(30 * MIN));
    let (status, v) = refresh(&sim, &r1).await;
    assert!(refused(status, &v), "{v}");
}

#[tokio::test]
async fn access_tokens_expire_on_the_clock_and_on_demand() {
    let sim = start(1).await;
    let t = tokens(&sim).await;
    let tenant = sim.h.tenant_id();
    let a1 = s(&t, "access_token");
    sim.h.advance_clock(Duration::from_secs(29 * MIN));
    assert_eq!(api_status(&sim, &a1, tenant, "Items").await, 200);
    sim.h.advance_clock(Duration::from_secs(MIN));
    let r = sim
        .c
        .get(sim.api("Items"))
        .bearer_auth(&a1)
        .header("xero-tenant-id", tenant.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["Detail"].as_str().unwrap().starts_with("TokenExpired"),
        "{v}"
    );

    let (_, v) = refresh(&sim, &s(&t, "refresh_token")).await;
    let a2 = s(&v, "access_token");
    assert_eq!(api_status(&sim, &a2, tenant, "Items").await, 200);
    assert_eq!(
        api_status(&sim, &sim.token, tenant, "Items").await,
        401,
        "issued 30 minutes ago"
    );
    let custom = super::token(&sim.c, &sim.h).await;
    assert_eq!(api_status(&sim, &custom, tenant, "Items").await, 200);
    sim.h.expire_access_tokens();
    assert_eq!(
        api_status(&sim, &a2, tenant, "Items").await,
        401,
        "expired mid-sync"
    );
    assert_eq!(
        api_status(&sim, &custom, tenant, "Items").await,
        401,
        "client credentials too"
    );
    let (_, v) = refresh(&sim, &s(&v, "refresh_token")).await;
    assert_eq!(
        api_status(&sim, &s(&v, "access_token"), tenant, "Items").await,
        200
    );
}
