//! The kit's OAuth server over HTTP with the Intuit-like profile: refresh
//! rotation (no grace), a lost refresh answer, the PKCE app, expired
//! tokens, and the moved clock.

use std::time::Duration;

use serde_json::Value;

use super::{client, connect, roomy, start};
use crate::config::SimFaults;
use crate::pkce::challenge_of;

async fn refresh(
    h: &crate::handle::SimHandle<super::Widgets>,
    rt: &str,
) -> reqwest::Result<reqwest::Response> {
    client()
        .post(format!("{}/token", h.base_url()))
        .basic_auth(h.client_id(), Some(h.client_secret()))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", rt)])
        .send()
        .await
}

#[tokio::test]
async fn refresh_rotates_and_a_lost_answer_still_rotated() {
    let h = start(roomy()).await;
    let (_, rt, _) = connect(&h).await;
    let r = refresh(&h, &rt).await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let rt2 = v["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(rt2, rt);
    // No grace in this profile: the old token is spent.
    let again: Value = refresh(&h, &rt).await.unwrap().json().await.unwrap();
    assert_eq!(again["error"], "invalid_grant");
    h.set_faults(SimFaults {
        lose_token_answers: 1,
        ..Default::default()
    });
    assert!(refresh(&h, &rt2).await.is_err(), "the answer is lost");
    let s = h.stats();
    assert_eq!(
        (s.refreshes, s.refreshes_refused, s.lost_token_answers),
        (2, 1, 1)
    );
    let after: Value = refresh(&h, &rt2).await.unwrap().json().await.unwrap();
    assert_eq!(after["error"], "invalid_grant", "it rotated all the same");
    h.shutdown().await;
}

#[tokio::test]
async fn the_pkce_app_needs_its_verifier() {
    let h = start(roomy()).await;
    let c = client();
    let verifier = "v".repeat(50);
    let challenge = challenge_of(&verifier);
    let authorize = |with_challenge: bool| {
        let mut q = vec![
            ("client_id", h.pkce_client_id().to_string()),
            ("redirect_uri", "http://127.0.0.1:9/cb".to_string()),
            ("response_type", "code".to_string()),
            ("scope", "openid".to_string()),
        ];
        if with_challenge {
            q.push(("code_challenge", challenge.clone()));
            q.push(("code_challenge_method", "S256".to_string()));
        }
        c.get(format!("{}/authorize", h.base_url()))
            .query(&q)
            .send()
    };
    assert_eq!(authorize(false).await.unwrap().status(), 400);
    let r = authorize(true).await.unwrap();
    assert_eq!(r.status(), 302);
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let code = loc
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let exchange = |v: &str| {
        c.post(format!("{}/token", h.base_url()))
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", h.pkce_client_id()),
                ("code", code.as_str()),
                ("redirect_uri", "http://127.0.0.1:9/cb"),
                ("code_verifier", v),
            ])
            .send()
    };
    let v: Value = exchange("w".repeat(50).as_str())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["error"], "invalid_grant",
        "a wrong verifier spends the code"
    );
    let v: Value = exchange(&verifier).await.unwrap().json().await.unwrap();
    assert_eq!(v["error"], "invalid_grant", "single use");
    assert_eq!(h.stats().code_exchanges, 0);
    h.shutdown().await;
}

#[tokio::test]
async fn tokens_expire_by_the_moved_clock_and_on_demand() {
    let h = start(roomy()).await;
    let (at, _, realm) = connect(&h).await;
    let c = client();
    let query = || {
        c.post(format!("{}/v3/company/{realm}/query", h.base_url()))
            .bearer_auth(&at)
            .send()
    };
    assert_eq!(query().await.unwrap().status(), 200);
    h.advance_clock(Duration::from_secs(3601));
    assert_eq!(query().await.unwrap().status(), 401, "an hour later");
    let (at2, _, _) = connect(&h).await;
    h.expire_access_tokens();
    let r = c
        .post(format!("{}/v3/company/{realm}/query", h.base_url()))
        .bearer_auth(&at2)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    h.shutdown().await;
}
