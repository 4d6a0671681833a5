//! `Idempotency-Key` over HTTP: replay within the window, expiry, replayed
//! errors, refused reuse, and rate limiting that consumes no key.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use super::writes::{contact_id, invoice};
use super::{Sim, config};
use crate::sim::{Force429, SimConfig, SimFaults};

/// A small organisation whose keys live `window`.
fn with_window(window: Duration) -> SimConfig {
    SimConfig {
        idempotency_window: window,
        ..config(20)
    }
}

impl Sim {
    /// `PUT /Invoices` with an `Idempotency-Key`: status and body text.
    async fn put_keyed(&self, key: &str, body: &Value) -> (u16, String) {
        let r = self
            .req(Method::PUT, "Invoices")
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}

#[tokio::test]
async fn replays_within_the_window_and_runs_again_after_it() {
    let sim = Sim::start(with_window(Duration::from_millis(300))).await;
    let body = json!({ "Invoices": [invoice(&contact_id(&sim), "200", "DRAFT")] });
    let before = sim.h.snapshot("invoices").len();

    let (status, first) = sim.put_keyed("window-key", &body).await;
    assert_eq!(status, 200, "{first}");
    let (status, again) = sim.put_keyed("window-key", &body).await;
    assert_eq!(status, 200);
    assert_eq!(first, again, "the stored answer, byte for byte");
    assert_eq!(sim.h.snapshot("invoices").len(), before + 1, "nothing new");

    tokio::time::sleep(Duration::from_millis(400)).await;
    let (status, later) = sim.put_keyed("window-key", &body).await;
    assert_eq!(status, 200);
    assert_ne!(first, later, "a new object once the key expired");
    assert_eq!(sim.h.snapshot("invoices").len(), before + 2);
}

#[tokio::test]
async fn an_error_is_replayed_and_a_fixed_request_needs_a_new_key() {
    let sim = Sim::start(config(20)).await;
    let contact = contact_id(&sim);
    let broken = json!({ "Invoices": [invoice(&contact, "4711", "DRAFT")] });
    let before = sim.h.snapshot("invoices").len();

    let (status, error) = sim.put_keyed("err-key", &broken).await;
    assert_eq!(status, 400, "{error}");
    assert!(error.contains("'4711'"), "{error}");
    // The account appears: run again, the request would now succeed...
    let r = sim
        .send(
            Method::PUT,
            "Accounts",
            &json!({ "Code": "4711", "Name": "Consulting income", "Type": "REVENUE" }),
        )
        .await;
    assert_eq!(r.status(), 200);
    // ...but the key answers what it answered the first time.
    let (status, replay) = sim.put_keyed("err-key", &broken).await;
    assert_eq!((status, replay.as_str()), (400, error.as_str()));
    assert_eq!(sim.h.snapshot("invoices").len(), before);

    let fixed = json!({ "Invoices": [invoice(&contact, "200", "DRAFT")] });
    let (status, refused) = sim.put_keyed("err-key", &fixed).await;
    assert_eq!(status, 400);
    let v: Value = serde_json::from_str(&refused).unwrap();
    assert_eq!(v["ErrorNumber"], 10);
    assert_eq!(v["Type"], "ValidationException");
    assert_eq!(v["Message"], "A validation exception occurred");
    assert_eq!(
        v["Elements"][0]["ValidationErrors"][0]["Message"],
        "The Idempotency-Key has already been used for a different request."
    );
    assert_eq!(sim.h.snapshot("invoices").len(), before);

    let (status, _) = sim.put_keyed("err-key-2", &fixed).await;
    assert_eq!(status, 200);
    assert_eq!(sim.h.snapshot("invoices").len(), before + 1);
}

#[tokio::test]
async fn same_key_with_another_query_or_body_is_refused() {
    let sim = Sim::start(config(20)).await;
    let body = json!({ "Invoices": [invoice(&contact_id(&sim), "200", "DRAFT")] });
    let (status, _) = sim.put_keyed("reuse", &body).await;
    assert_eq!(status, 200);
    let r = sim
        .req(Method::PUT, "Invoices?summarizeErrors=false")
        .header("Idempotency-Key", "reuse")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let mut other = body.clone();
    other["Invoices"][0]["Reference"] = json!("another");
    let (status, text) = sim.put_keyed("reuse", &other).await;
    assert_eq!(status, 400);
    assert!(text.contains("Idempotency-Key"), "{text}");
    // A malformed body is an answer too: stored, replayed, its key spent.
    let bad = |key: &'static str| {
        sim.req(Method::PUT, "Invoices")
            .header("Idempotency-Key", key)
            .body("{not json")
            .send()
    };
    let first = bad("broken").await.unwrap().text().await.unwrap();
    assert!(first.contains("PostDataInvalidException"), "{first}");
    assert_eq!(bad("broken").await.unwrap().text().await.unwrap(), first);
    let (status, text) = sim.put_keyed("broken", &body).await;
    assert_eq!(status, 400);
    assert!(text.contains("Idempotency-Key"), "{text}");
    let long = "k".repeat(129);
    let (status, text) = sim.put_keyed(&long, &body).await;
    assert_eq!(status, 400);
    assert!(text.contains("128"), "{text}");
}

#[tokio::test]
async fn a_throttled_request_does_not_spend_its_key() {
    let sim = Sim::start(config(20)).await;
    let body = json!({ "Invoices": [invoice(&contact_id(&sim), "200", "DRAFT")] });
    let before = sim.h.snapshot("invoices").len();
    sim.h.set_faults(SimFaults {
        force_429: Some(Force429 {
            count: 1,
            retry_after_secs: 0,
        }),
        ..SimFaults::default()
    });
    let (status, _) = sim.put_keyed("throttled", &body).await;
    assert_eq!(status, 429);
    assert_eq!(sim.h.snapshot("invoices").len(), before);
    let (status, text) = sim.put_keyed("throttled", &body).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(sim.h.snapshot("invoices").len(), before + 1);
    let (_, replay) = sim.put_keyed("throttled", &body).await;
    assert_eq!(replay, text);
    assert_eq!(sim.h.snapshot("invoices").len(), before + 1);
}
