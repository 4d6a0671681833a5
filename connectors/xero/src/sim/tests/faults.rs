//! Injected faults, corruption and the `/_sim` control endpoints.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use super::{Sim, config};
use crate::sim::SimFaults;

#[tokio::test]
async fn errors_and_malformed_bodies() {
    let sim = Sim::start(config(10)).await;
    sim.h.set_faults(SimFaults {
        error_rate: 1.0,
        ..SimFaults::default()
    });
    let r = sim.get("Invoices").await;
    assert!(r.status() == 500 || r.status() == 503, "{}", r.status());
    let v: Value = r.json().await.unwrap();
    assert!(v["ErrorNumber"].is_number() && v["Type"].is_string());
    assert_eq!(sim.h.stats().errors_injected, 1);

    sim.h.set_faults(SimFaults {
        malformed_rate: 1.0,
        ..SimFaults::default()
    });
    let r = sim.get("Invoices").await;
    assert_eq!(r.status(), 200);
    let body = r.bytes().await.unwrap();
    assert!(!body.is_empty());
    assert!(serde_json::from_slice::<Value>(&body).is_err());
    assert_eq!(sim.h.stats().malformed, 1);
}

#[tokio::test]
async fn dropped_write_then_idempotent_retry_creates_one_object() {
    let sim = Sim::start(config(20)).await;
    let contact = sim.h.snapshot("contacts")[0]["ContactID"].clone();
    let body = json!({ "Invoices": [{ "Type": "ACCPAY", "Contact": { "ContactID": contact },
        "LineItems": [{ "Description": "Paper", "Quantity": 1, "UnitAmount": 9.99, "AccountCode": "453" }] }] });
    let before = sim.h.snapshot("invoices").len();
    sim.h.set_faults(SimFaults {
        drop_rate: 1.0,
        ..SimFaults::default()
    });
    let send = || {
        sim.req(Method::PUT, "Invoices")
            .header("Idempotency-Key", "retry-me")
            .json(&body)
            .send()
    };
    let err = send().await;
    assert!(
        err.is_err(),
        "connection should close without a response: {err:?}"
    );
    assert_eq!(sim.h.stats().dropped, 1);
    // The provider processed it before the connection dropped.
    assert_eq!(sim.h.snapshot("invoices").len(), before + 1);
    sim.h.set_faults(SimFaults::default());
    let r = send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        sim.h.snapshot("invoices").len(),
        before + 1,
        "no second object"
    );
    let id = &v["Invoices"][0]["InvoiceID"];
    assert!(
        sim.h
            .snapshot("invoices")
            .iter()
            .any(|i| &i["InvoiceID"] == id)
    );
}

#[tokio::test]
async fn corruption_and_control_endpoints() {
    let sim = Sim::start(config(10)).await;
    let base = sim.h.base_url();
    let id = sim.h.snapshot("invoices")[0]["InvoiceID"]
        .as_str()
        .unwrap()
        .to_string();
    let r = sim
        .c
        .post(format!("{base}/_sim/corrupt"))
        .json(&json!({ "kind": "invoices", "id": id, "field": "Total", "value": "not-a-number" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v = sim.get_json(&format!("Invoices/{id}")).await;
    assert_eq!(v["Invoices"][0]["Total"], "not-a-number");
    assert!(
        sim.h
            .corrupt("invoices", &id, "UpdatedDateUTC", json!("/Date(garbage)/"))
    );
    assert_eq!(
        sim.h
            .snapshot("invoices")
            .iter()
            .find(|i| i["InvoiceID"] == id.as_str())
            .unwrap()["UpdatedDateUTC"],
        "/Date(garbage)/"
    );
    assert!(!sim.h.corrupt(
        "invoices",
        &uuid::Uuid::new_v4().to_string(),
        "Total",
        json!(1)
    ));
    assert!(sim.h.corrupt("tax_rates", "OUTPUT2", "Name", json!(null)));

    let r = sim
        .c
        .post(format!("{base}/_sim/faults"))
        .json(&json!({ "latency_ms": 150 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let t = Instant::now();
    assert_eq!(sim.get("Items").await.status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(150));

    let stats: Value = sim
        .c
        .get(format!("{base}/_sim/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(stats["total_requests"].as_u64().unwrap() >= 3);
    assert!(stats["requests"]["POST /connect/token"].as_u64() == Some(1));
    let reset: Value = sim
        .c
        .post(format!("{base}/_sim/stats/reset"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reset["total_requests"], 0);
    assert_eq!(sim.h.stats().total_requests, 0);
    assert_eq!(crate::sim::SimHandle::id_field("tax_rates"), "TaxType");
    assert_eq!(
        crate::sim::SimHandle::id_field("credit_notes"),
        "CreditNoteID"
    );
}
