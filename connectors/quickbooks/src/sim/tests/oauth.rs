//! The OAuth 2.0 flow as Intuit documents it: discovery, consent with
//! `realmId`, the code exchange with HTTP Basic, refresh rotation,
//! revocation, `invalid_grant`.

use std::collections::HashMap;

use reqwest::{Client, redirect};
use serde_json::{Value, json};
use tether_sim_kit::pkce;

use super::{Sim, config, status_json};

const REDIRECT: &str = "http://127.0.0.1:9/callback";

fn no_redirects() -> Client {
    Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

/// The discovery document (Intuit's path ends with a slash).
async fn discovery(sim: &Sim, c: &Client) -> Value {
    let url = format!("{}/.well-known/openid_configuration/", sim.h.base_url());
    status_json(c.get(url).send().await.unwrap()).await.1
}

/// Follows discovery to the authorize endpoint and consents; answers the
/// redirect's query parameters.
async fn consent(sim: &Sim, c: &Client, extra: &[(&str, &str)]) -> HashMap<String, String> {
    let disco = discovery(sim, c).await;
    let authorize = disco["authorization_endpoint"].as_str().unwrap();
    let mut params = vec![
        ("client_id", sim.h.client_id()),
        ("response_type", "code"),
        ("scope", "com.intuit.quickbooks.accounting"),
        ("redirect_uri", REDIRECT),
        ("state", "st4te"),
    ];
    params.extend_from_slice(extra);
    let r = c.get(authorize).query(&params).send().await.unwrap();
    assert_eq!(r.status(), 302, "the consent redirects at once");
    let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(REDIRECT));
    location.query_pairs().into_owned().collect()
}

async fn token(sim: &Sim, c: &Client, form: &[(&str, &str)]) -> (u16, Value) {
    let disco = discovery(sim, c).await;
    let r = c
        .post(disco["token_endpoint"].as_str().unwrap())
        .basic_auth(sim.h.client_id(), Some(sim.h.client_secret()))
        .form(form)
        .send()
        .await
        .unwrap();
    status_json(r).await
}

/// A `refresh_token` grant.
async fn refresh(sim: &Sim, c: &Client, refresh_token: &str) -> (u16, Value) {
    token(
        sim,
        c,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

/// An `authorization_code` grant, with the PKCE verifier if given.
async fn exchange(sim: &Sim, c: &Client, code: &str, verifier: Option<&str>) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
    ];
    form.extend(verifier.map(|v| ("code_verifier", v)));
    token(sim, c, &form).await
}

async fn api_status(sim: &Sim, realm: &str, access: &str) -> u16 {
    let url = format!(
        "{}/v3/company/{realm}/query?query=SELECT%20COUNT(*)%20FROM%20Invoice&minorversion=75",
        sim.h.base_url()
    );
    sim.c
        .get(url)
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn consent_code_token_refresh_rotation_revoke_invalid_grant() {
    let sim = Sim::start(config(5)).await;
    let c = no_redirects();
    let disco = discovery(&sim, &c).await;
    assert_eq!(disco["issuer"], "https://oauth.platform.intuit.com/op/v1");
    for key in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "revocation_endpoint",
        "jwks_uri",
    ] {
        assert!(
            disco[key]
                .as_str()
                .is_some_and(|u| u.starts_with(&sim.h.base_url())),
            "{key}"
        );
    }
    let back = consent(&sim, &c, &[]).await;
    assert_eq!(back["state"], "st4te");
    assert_eq!(back["realmId"], sim.realm);
    let (status, t) = exchange(&sim, &c, &back["code"], None).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["token_type"], "bearer");
    assert_eq!(t["expires_in"], 3600);
    assert_eq!(t["x_refresh_token_expires_in"], 8_726_400);
    let access = t["access_token"].as_str().unwrap();
    assert_eq!(api_status(&sim, &sim.realm, access).await, 200);
    let (status, again) = exchange(&sim, &c, &back["code"], None).await;
    assert_eq!(
        (status, again["error"].as_str()),
        (400, Some("invalid_grant")),
        "a code is used once"
    );

    let first_refresh = t["refresh_token"].as_str().unwrap();
    let (status, t2) = refresh(&sim, &c, first_refresh).await;
    assert_eq!(status, 200);
    let second_refresh = t2["refresh_token"].as_str().unwrap();
    assert_ne!(second_refresh, first_refresh, "refresh tokens rotate");
    let (status, used) = refresh(&sim, &c, first_refresh).await;
    assert_eq!(
        (status, used["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    let (_, who) = status_json(
        c.get(disco["userinfo_endpoint"].as_str().unwrap())
            .bearer_auth(t2["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(who["sub"].is_string() && who["email"].is_string());

    let r = c
        .post(disco["revocation_endpoint"].as_str().unwrap())
        .basic_auth(sim.h.client_id(), Some(sim.h.client_secret()))
        .json(&json!({"token": second_refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (status, revoked) = refresh(&sim, &c, second_refresh).await;
    assert_eq!(
        (status, revoked["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(
        api_status(&sim, &sim.realm, t2["access_token"].as_str().unwrap()).await,
        401
    );
    let stats = sim.h.stats();
    assert_eq!(
        (
            stats.codes_issued,
            stats.code_exchanges,
            stats.refreshes,
            stats.revocations
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(stats.refreshes_refused, 2);
}

#[tokio::test]
async fn client_auth_grant_types_and_pkce_are_checked() {
    let sim = Sim::start(config(5)).await;
    let c = no_redirects();
    let r = c
        .post(format!("{}/oauth2/v1/tokens/bearer", sim.h.base_url()))
        .basic_auth(sim.h.client_id(), Some("wrong"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let (status, body) = token(&sim, &c, &[("grant_type", "client_credentials")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );

    let verifier = "a".repeat(20) + &"b".repeat(30);
    let challenge = pkce::challenge_of(&verifier);
    let back = consent(
        &sim,
        &c,
        &[
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let wrong = "c".repeat(50);
    let (status, _) = exchange(&sim, &c, &back["code"], Some(&wrong)).await;
    assert_eq!(status, 400);
    let back = consent(
        &sim,
        &c,
        &[
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let (status, t) = exchange(&sim, &c, &back["code"], Some(&verifier)).await;
    assert_eq!(status, 200, "{t}");
    let back = consent(&sim, &c, &[("scope", "openid")]).await;
    assert!(back.contains_key("code"));
    let r = c
        .get(format!("{}/connect/oauth2", sim.h.base_url()))
        .query(&[
            ("client_id", sim.h.client_id()),
            ("response_type", "code"),
            ("scope", "com.intuit.quickbooks.accounting"),
            ("redirect_uri", "https://evil.example/cb"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "only loopback redirect URIs");
}

#[tokio::test]
async fn each_consent_picks_the_next_company_not_yet_granted() {
    let mut cfg = config(5);
    cfg.tenants = 3;
    let sim = Sim::start(cfg).await;
    let c = no_redirects();
    let mut realms = Vec::new();
    for _ in 0..4 {
        let back = consent(&sim, &c, &[]).await;
        let (status, _) = exchange(&sim, &c, &back["code"], None).await;
        assert_eq!(status, 200);
        realms.push(back["realmId"].clone());
    }
    let ids = sim.h.tenant_ids();
    // The test's Playground token already granted the first company.
    assert_eq!(
        realms[..2],
        ids[1..],
        "the companies not yet granted, in order"
    );
    assert_eq!(
        realms[2..],
        [ids[0].clone(), ids[1].clone()],
        "then wrapping"
    );
}

#[tokio::test]
async fn refresh_tokens_expire_after_100_days_on_the_moved_clock() {
    let sim = Sim::start(config(5)).await;
    let c = no_redirects();
    let back = consent(&sim, &c, &[]).await;
    let (_, t) = exchange(&sim, &c, &back["code"], None).await;
    let access = t["access_token"].as_str().unwrap();
    sim.h.advance_clock(std::time::Duration::from_secs(3601));
    assert_eq!(
        api_status(&sim, &back["realmId"], access).await,
        401,
        "an hour"
    );
    let (status, t2) = refresh(&sim, &c, t["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    sim.h
        .advance_clock(std::time::Duration::from_secs(8_726_400));
    let (status, body) = refresh(&sim, &c, t2["refresh_token"].as_str().unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}
