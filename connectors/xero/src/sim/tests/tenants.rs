//! Several organisations: each its own data, rate budget and idempotency
//! keys, reachable through a consent's token and a handle's tenant view;
//! the auth clock is per simulator and movable over HTTP.

use reqwest::Method;
use serde_json::{Value, json};

use super::oauth::*;
use super::{Sim, config};
use crate::sim::{SimConfig, SimLimits};

fn ids(list: &[Value], field: &str) -> Vec<String> {
    list.iter()
        .map(|o| o[field].as_str().unwrap().to_string())
        .collect()
}

/// An API request as `token` for `tenant`.
fn req(
    sim: &Sim,
    token: &str,
    tenant: uuid::Uuid,
    method: Method,
    path: &str,
) -> reqwest::RequestBuilder {
    sim.c
        .request(method, sim.api(path))
        .bearer_auth(token)
        .header("xero-tenant-id", tenant.to_string())
}

#[tokio::test]
async fn each_tenant_has_data_of_its_own() {
    let sim = start(3).await;
    let tenants = sim.h.tenant_ids();
    assert_eq!(tenants.len(), 3);
    assert_eq!(tenants[0], sim.h.tenant_id());
    let token = s(&tokens(&sim).await, "access_token");
    let mut seen = Vec::new();
    for t in &tenants {
        let view = sim.h.tenant_view(*t);
        assert_eq!(view.tenant_id(), *t);
        let r = req(&sim, &token, *t, Method::GET, "Invoices?page=1")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        let served = ids(v["Invoices"].as_array().unwrap(), "InvoiceID");
        let mut snap = ids(&view.snapshot("invoices"), "InvoiceID");
        snap.sort();
        let mut sorted = served.clone();
        sorted.sort();
        assert_eq!(sorted, snap, "the view reads what the API serves");
        seen.push(served);
    }
    assert_ne!(seen[0], seen[1]);
    assert_ne!(seen[1], seen[2]);

    // A write to one tenant, and a corruption through a view, stay there.
    let second = sim.h.tenant_view(tenants[1]);
    let before = (
        sim.h.snapshot("contacts").len(),
        second.snapshot("contacts").len(),
    );
    let body = json!({ "Contacts": [{ "Name": "Only In Two" }] });
    let r = req(&sim, &token, tenants[1], Method::PUT, "Contacts")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(sim.h.snapshot("contacts").len(), before.0);
    assert_eq!(second.snapshot("contacts").len(), before.1 + 1);
    let item = second.snapshot("items")[0]["ItemID"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(second.corrupt("items", &item, "Name", json!(7)));
    assert!(
        !sim.h.corrupt("items", &item, "Name", json!(7)),
        "not an item of the first"
    );
    drop(second);
    assert_eq!(
        sim.get("Items").await.status(),
        200,
        "a dropped view leaves the server up"
    );
}

#[tokio::test]
async fn one_tenant_by_default_with_the_data_it_always_had() {
    let one = Sim::start(config(10)).await;
    let three = start(3).await;
    assert_eq!(one.h.tenant_ids(), vec![one.h.tenant_id()]);
    assert_eq!(one.h.tenant_id(), three.h.tenant_id());
    assert_eq!(one.h.snapshot("invoices"), three.h.snapshot("invoices"));
}

#[tokio::test]
async fn rate_limits_and_idempotency_keys_are_per_tenant() {
    let sim = Sim::start(SimConfig {
        tenants: 2,
        limits: SimLimits {
            per_window: 3,
            ..SimLimits::real()
        },
        ..config(10)
    })
    .await;
    let token = s(&tokens(&sim).await, "access_token");
    let [first, second] = sim.h.tenant_ids()[..] else {
        panic!("two tenants")
    };
    let body = json!({ "Contacts": [{ "Name": "Same Key" }] });
    let put = |t| {
        req(&sim, &token, t, Method::PUT, "Contacts")
            .header("Idempotency-Key", "one-key")
            .json(&body)
            .send()
    };
    let a: Value = put(second).await.unwrap().json().await.unwrap();
    let view = sim.h.tenant_view(second);
    let n = view.snapshot("contacts").len();
    let again: Value = put(second).await.unwrap().json().await.unwrap();
    assert_eq!(
        a["Contacts"][0]["ContactID"], again["Contacts"][0]["ContactID"],
        "replayed"
    );
    assert_eq!(view.snapshot("contacts").len(), n);
    // The same key on the other tenant is a key of its own: a new contact.
    let other: Value = put(first).await.unwrap().json().await.unwrap();
    assert_ne!(
        other["Contacts"][0]["ContactID"],
        a["Contacts"][0]["ContactID"]
    );

    // Three calls a window each: the first tenant spends its last two.
    for _ in 0..2 {
        assert_eq!(api_status(&sim, &token, first, "Items").await, 200);
    }
    assert_eq!(api_status(&sim, &token, first, "Items").await, 429);
    assert_eq!(
        api_status(&sim, &token, second, "Items").await,
        200,
        "its own budget"
    );
    assert_eq!(api_status(&sim, &token, second, "Items").await, 429);
}

#[tokio::test]
async fn the_auth_clock_is_per_simulator_and_movable_over_http() {
    let (a, b) = (start(1).await, start(1).await);
    let (ca, cb) = (code(&a, SCOPE).await, code(&b, SCOPE).await);
    let r =
        a.c.post(format!("{}/_sim/clock", a.h.base_url()))
            .json(&json!({ "advance_secs": 301 }))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["offset_secs"], 301);
    let (status, v) = exchange(&a, &ca).await;
    assert_eq!(
        (status.as_u16(), v["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(
        exchange(&b, &cb).await.0,
        200,
        "the other simulator's clock did not move"
    );
    let v: Value =
        b.c.get(format!("{}/_sim/clock", b.h.base_url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(v["offset_secs"], 0);
}
