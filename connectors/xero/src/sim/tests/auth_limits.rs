//! OAuth2 token endpoint, token expiry, tenants, connections, rate limits.

use std::time::Duration;

use base64::Engine as _;
use reqwest::{Client, Method};
use serde_json::Value;

use super::{Sim, config};
use crate::sim::{Force429, SimConfig, SimFaults, SimLimits, XeroSim};

#[tokio::test]
async fn token_endpoint_grants_and_errors() {
    let h = XeroSim::start(config(10), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let c = Client::new();
    let url = format!("{}/connect/token", h.base_url());
    let post = |form: Vec<(&'static str, String)>| c.post(&url).form(&form).send();
    let r = post(vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", h.client_id().into()),
        ("client_secret", "wrong".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");
    let r = post(vec![
        ("grant_type", "password".into()),
        ("client_id", h.client_id().into()),
        ("client_secret", h.client_secret().into()),
    ])
    .await
    .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );
    let r = post(vec![("client_id", h.client_id().into())])
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_request");
    // HTTP Basic client authentication.
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        h.client_id(),
        h.client_secret()
    ));
    let r = c
        .post(&url)
        .header("Authorization", format!("Basic {basic}"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "accounting.transactions"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 1800);
    assert_eq!(v["scope"], "accounting.transactions");
    assert!(v["access_token"].as_str().is_some_and(|t| t.len() > 30));
    let r = c
        .get(format!("{}/identity/connect/authorize", h.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "an authorize request without parameters");
    assert!(r.headers().get("location").is_none());
}

#[tokio::test]
async fn expired_tokens_get_401_and_tenants_are_checked() {
    let cfg = SimConfig {
        token_ttl: Duration::from_millis(300),
        ..config(10)
    };
    let sim = Sim::start(cfg).await;
    assert_eq!(sim.get("Invoices").await.status(), 200);
    let r = sim
        .c
        .get(sim.api("Invoices"))
        .bearer_auth(&sim.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "missing xero-tenant-id");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["Title"], "Forbidden");
    let r = sim
        .c
        .get(sim.api("Invoices"))
        .bearer_auth(&sim.token)
        .header("xero-tenant-id", uuid::Uuid::new_v4().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "unknown tenant");

    let r = sim
        .c
        .get(format!("{}/connections", sim.h.base_url()))
        .bearer_auth(&sim.token)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    let conn = &v[0];
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(conn["tenantId"], sim.h.tenant_id().to_string());
    assert_eq!(conn["tenantType"], "ORGANISATION");
    for k in ["id", "tenantName", "createdDateUtc", "updatedDateUtc"] {
        assert!(conn[k].is_string(), "{k}");
    }

    tokio::time::sleep(Duration::from_millis(400)).await;
    let r = sim.get("Invoices").await;
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("www-authenticate"));
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["Title"], "Unauthorized");
    assert_eq!(v["Status"], 401);
    assert!(
        v["Detail"]
            .as_str()
            .unwrap()
            .starts_with("TokenExpired: token expired at ")
    );
    let r = sim
        .c
        .get(sim.api("Invoices"))
        .bearer_auth("made-up")
        .header("xero-tenant-id", sim.h.tenant_id().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn minute_limit_gives_429_with_headers() {
    let limits = SimLimits {
        per_window: 60,
        window: Duration::from_secs(2),
        ..SimLimits::real()
    };
    let sim = Sim::start(SimConfig {
        limits,
        ..config(10)
    })
    .await;
    for i in 0..60u32 {
        let r = sim.get("Items").await;
        assert_eq!(r.status(), 200, "request {i}");
        assert_eq!(
            r.headers()["X-MinLimit-Remaining"],
            (59 - i).to_string().as_str()
        );
        assert_eq!(
            r.headers()["X-DayLimit-Remaining"],
            (4999 - i).to_string().as_str()
        );
    }
    let r = sim.get("Items").await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["X-Rate-Limit-Problem"], "minute");
    let retry: u64 = r.headers()["Retry-After"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    assert_eq!(r.headers()["X-MinLimit-Remaining"], "0");
    let stats = sim.h.stats();
    assert_eq!(stats.throttled, 1);
    assert_eq!(stats.requests["GET /api.xro/2.0/Items"], 61);
    // /_sim is never limited.
    let r = sim
        .c
        .get(format!("{}/_sim/stats", sim.h.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn concurrent_limit_and_peak_in_flight() {
    let cfg = SimConfig {
        limits: SimLimits::real(),
        faults: SimFaults {
            latency_ms: 300,
            ..SimFaults::default()
        },
        ..config(10)
    };
    let sim = Sim::start(cfg).await;
    let reqs = (0..6).map(|_| sim.req(Method::GET, "Items").send());
    let results = futures_join(reqs.collect()).await;
    let throttled: Vec<_> = results.iter().filter(|r| r.0 == 429).collect();
    assert_eq!(throttled.len(), 1, "{results:?}");
    assert_eq!(throttled[0].1, "concurrent");
    assert_eq!(sim.h.stats().peak_in_flight, 5);
}

/// Runs the requests at once; (status, X-Rate-Limit-Problem) of each.
async fn futures_join<F>(futs: Vec<F>) -> Vec<(u16, String)>
where
    F: std::future::Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static,
{
    let handles: Vec<_> = futs.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        let r = h.await.unwrap().unwrap();
        let problem = r
            .headers()
            .get("X-Rate-Limit-Problem")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        out.push((r.status().as_u16(), problem));
    }
    out
}

#[tokio::test]
async fn forced_429_blocks_until_retry_after() {
    let sim = Sim::start(config(10)).await;
    sim.h.set_faults(SimFaults {
        force_429: Some(Force429 {
            count: 1,
            retry_after_secs: 1,
        }),
        ..SimFaults::default()
    });
    let r = sim.get("Items").await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["Retry-After"], "1");
    let r = sim.get("Items").await;
    assert_eq!(r.status(), 429, "still inside Retry-After");
    assert_eq!(sim.h.stats().throttled, 2);
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(sim.get("Items").await.status(), 200);
}
