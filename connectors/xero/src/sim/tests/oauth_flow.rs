//! The authorization code flow: consent redirect, refused requests, PKCE,
//! single-use codes, code expiry on the moved clock, the token answer.

use std::time::Duration;

use reqwest::header;
use serde_json::Value;

use super::oauth::*;
use super::{Sim, config};
use crate::sim::SimConfig;

#[tokio::test]
async fn consent_redirects_with_code_scope_and_state() {
    let sim = start(1).await;
    let state = "a b&c=d/é?%";
    let r = authorize(
        &sim,
        &[
            ("response_type", "code"),
            ("client_id", sim.h.client_id()),
            ("redirect_uri", REDIRECT),
            ("scope", "openid offline_access accounting.transactions"),
            ("state", state),
        ],
    )
    .await;
    let q = callback(&r);
    let loc = r.headers()[header::LOCATION].to_str().unwrap();
    assert!(loc.starts_with(&format!("{REDIRECT}?code=")), "{loc}");
    assert_eq!(
        param(&q, "state").as_deref(),
        Some(state),
        "state echoed exactly"
    );
    assert_eq!(
        param(&q, "scope").as_deref(),
        Some("openid offline_access accounting.transactions")
    );
    assert!(param(&q, "code").is_some_and(|c| c.len() >= 32));
    assert!(param(&q, "session_state").is_some());

    // A redirect URI with a query of its own keeps it; no state, none echoed.
    let r = authorize(
        &sim,
        &[
            ("response_type", "code"),
            ("client_id", sim.h.client_id()),
            ("redirect_uri", "http://localhost:9/cb?x=1"),
            ("scope", "accounting.contacts"),
        ],
    )
    .await;
    let q = callback(&r);
    assert_eq!(param(&q, "x").as_deref(), Some("1"));
    assert_eq!(param(&q, "state"), None);
    assert_eq!(sim.h.stats().codes_issued, 2);
}

#[tokio::test]
async fn refused_consents_answer_400_and_never_redirect() {
    let sim = start(1).await;
    let web = sim.h.client_id().to_string();
    let pkce = sim.h.pkce_client_id().to_string();
    let ok = |client: &str| {
        vec![
            ("response_type".to_string(), "code".to_string()),
            ("client_id".into(), client.to_string()),
            ("redirect_uri".into(), REDIRECT.into()),
            ("scope".into(), "openid accounting.transactions".into()),
            ("state".into(), "s".into()),
        ]
    };
    let with = |client: &str, key: &str, value: Option<&str>| {
        let mut p = ok(client);
        p.retain(|(k, _)| k != key);
        if let Some(v) = value {
            p.push((key.to_string(), v.to_string()));
        }
        p
    };
    let cases = [
        ("unknown client", with(&web, "client_id", Some("NOPE"))),
        ("no client", with(&web, "client_id", None)),
        (
            "unregistered redirect",
            with(&web, "redirect_uri", Some("https://evil.example/cb")),
        ),
        ("no redirect", with(&web, "redirect_uri", None)),
        ("implicit flow", with(&web, "response_type", Some("token"))),
        (
            "unknown scope",
            with(&web, "scope", Some("openid bogus.scope")),
        ),
        ("no scope", with(&web, "scope", None)),
        ("PKCE app without challenge", ok(&pkce)),
        ("plain challenge", {
            let mut p = with(&pkce, "code_challenge", Some(VERIFIER));
            p.push(("code_challenge_method".into(), "plain".into()));
            p
        }),
    ];
    for (what, params) in cases {
        let pairs: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = authorize(&sim, &pairs).await;
        assert_eq!(r.status(), 400, "{what}");
        assert!(
            r.headers().get(header::LOCATION).is_none(),
            "{what}: no redirect"
        );
        assert!(
            r.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
    assert_eq!(sim.h.stats().codes_issued, 0);
}

#[tokio::test]
async fn configured_redirect_uris_replace_the_loopback_rule() {
    let sim = Sim::start(SimConfig {
        redirect_uris: vec!["https://app.example/xero/callback".into()],
        ..config(5)
    })
    .await;
    let params = |uri: &'static str| {
        vec![
            ("response_type", "code"),
            ("client_id", sim.h.client_id()),
            ("redirect_uri", uri),
            ("scope", "accounting.transactions"),
        ]
    };
    let r = authorize(&sim, &params("https://app.example/xero/callback")).await;
    assert_eq!(r.status(), 302);
    assert_eq!(authorize(&sim, &params(REDIRECT)).await.status(), 400);
    let r = authorize(&sim, &params("https://app.example/xero/callback/")).await;
    assert_eq!(r.status(), 400, "matched exactly");
}

#[tokio::test]
async fn pkce_verifier_must_match_the_challenge() {
    let sim = start(1).await;
    let c = code(&sim, SCOPE).await;
    let wrong = "wrong-verifier-wrong-verifier-wrong-verifier-0";
    let r = token_request(
        &sim,
        &[
            ("grant_type", "authorization_code"),
            ("code", &c),
            ("redirect_uri", REDIRECT),
            ("code_verifier", wrong),
        ],
    )
    .await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_grant");
    let r = token_request(
        &sim,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code(&sim, SCOPE).await),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "invalid_grant",
        "no verifier"
    );
    let (status, v) = exchange(&sim, &code(&sim, SCOPE).await).await;
    assert_eq!(status, 200, "{v}");
}

#[tokio::test]
async fn the_pkce_app_sends_only_its_client_id() {
    let sim = start(2).await;
    let pkce = sim.h.pkce_client_id().to_string();
    let r = authorize(
        &sim,
        &[
            ("response_type", "code"),
            ("client_id", &pkce),
            ("redirect_uri", REDIRECT),
            ("scope", SCOPE),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let c = param(&callback(&r), "code").unwrap();
    let url = format!("{}/connect/token", sim.h.base_url());
    let form = |extra: &[(&'static str, String)]| {
        let mut f = vec![
            ("grant_type", "authorization_code".to_string()),
            ("client_id", pkce.clone()),
            ("code", c.clone()),
            ("redirect_uri", REDIRECT.to_string()),
            ("code_verifier", VERIFIER.to_string()),
        ];
        f.extend_from_slice(extra);
        f
    };
    let r = sim
        .c
        .post(&url)
        .form(&form(&[("client_secret", "guess".into())]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "invalid_client",
        "it has no secret"
    );
    let v: Value = sim
        .c
        .post(&url)
        .form(&form(&[]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refresh_token = s(&v, "refresh_token");
    assert_eq!(claims(&s(&v, "access_token"))["client_id"], pkce.as_str());
    let r = sim
        .c
        .post(&url)
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", &pkce),
            ("refresh_token", &refresh_token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The web app cannot spend the PKCE app's refresh token.
    let (status, v) = refresh(&sim, &refresh_token).await;
    assert_eq!(
        (status.as_u16(), v["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn codes_are_single_use_bound_to_redirect_and_expire() {
    let sim = start(1).await;
    let c = code(&sim, SCOPE).await;
    assert_eq!(exchange(&sim, &c).await.0, 200);
    let (status, v) = exchange(&sim, &c).await;
    assert_eq!(
        (status.as_u16(), v["error"].as_str()),
        (400, Some("invalid_grant")),
        "second use"
    );

    let c = code(&sim, SCOPE).await;
    let r = token_request(
        &sim,
        &[
            ("grant_type", "authorization_code"),
            ("code", &c),
            ("redirect_uri", "http://127.0.0.1:1/other"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "invalid_grant",
        "other redirect_uri"
    );

    let c = code(&sim, SCOPE).await;
    sim.h.advance_clock(Duration::from_secs(4 * 60 + 50));
    assert_eq!(exchange(&sim, &c).await.0, 200, "still inside 5 minutes");
    let c = code(&sim, SCOPE).await;
    sim.h.advance_clock(Duration::from_secs(5 * 60));
    let (status, v) = exchange(&sim, &c).await;
    assert_eq!(
        (status.as_u16(), v["error"].as_str()),
        (400, Some("invalid_grant")),
        "expired"
    );
    assert_eq!(sim.h.stats().code_exchanges, 2);
}

#[tokio::test]
async fn token_answer_has_xeros_shape_and_claims() {
    let sim = start(2).await;
    let v = tokens(&sim).await;
    assert_eq!(v["expires_in"], 1800);
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["scope"], SCOPE);
    assert_eq!(s(&v, "refresh_token").len(), 64);
    let access = claims(&s(&v, "access_token"));
    let id = claims(&s(&v, "id_token"));
    assert_eq!(id["aud"], sim.h.client_id());
    assert_eq!(id["xero_userid"], access["xero_userid"]);
    assert_eq!(
        access["scope"].as_array().unwrap().len(),
        SCOPE.split(' ').count()
    );
    let conns = connections(&sim, &s(&v, "access_token"), "").await;
    assert_eq!(conns.len(), 2, "a consent grants every organisation");
    for c in &conns {
        assert_eq!(c["authEventId"], access["authentication_event_id"]);
    }

    // No offline_access: no refresh token; no openid: no ID token.
    let (status, v) = exchange(&sim, &code(&sim, "accounting.transactions").await).await;
    assert_eq!(status, 200);
    assert!(
        v.get("refresh_token").is_none() && v.get("id_token").is_none(),
        "{v}"
    );
    assert_eq!(
        api_status(&sim, &s(&v, "access_token"), sim.h.tenant_id(), "Items").await,
        200
    );
}
