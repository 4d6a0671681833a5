//! Faults of applied writes over HTTP: answers lost after the commit, and
//! answers held back longer than a client waits.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use super::writes::{contact_id, invoice};
use super::{Sim, config};
use crate::sim::SimFaults;

fn ids(sim: &Sim) -> Vec<Value> {
    sim.h
        .snapshot("invoices")
        .into_iter()
        .map(|i| i["InvoiceID"].clone())
        .collect()
}

#[tokio::test]
async fn lost_answers_are_applied_counted_and_count_down() {
    let sim = Sim::start(config(20)).await;
    let body = json!({ "Invoices": [invoice(&contact_id(&sim), "200", "DRAFT")] });
    let before = ids(&sim);
    let base = sim.h.base_url();
    let r = sim
        .c
        .post(format!("{base}/_sim/faults"))
        .json(&json!({ "lose_write_answers": 2 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Reads are not writes: their answers arrive and spend nothing.
    assert_eq!(sim.get("Invoices?page=1").await.status(), 200);

    let send = || {
        sim.req(Method::PUT, "Invoices")
            .header("Idempotency-Key", "lost-1")
            .json(&body)
            .send()
    };
    assert!(send().await.is_err(), "no response after the commit");
    let after = ids(&sim);
    assert_eq!(after.len(), before.len() + 1, "the write happened");
    let created = after
        .iter()
        .find(|id| !before.contains(id))
        .unwrap()
        .clone();
    assert_eq!(sim.h.stats().lost_answers, 1);
    let left: Value = sim
        .c
        .get(format!("{base}/_sim/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(left["lose_write_answers"], 1);

    // The second lost answer: a DELETE, applied all the same.
    let item = sim.h.snapshot("items")[0]["ItemID"]
        .as_str()
        .unwrap()
        .to_string();
    let r = sim
        .req(Method::DELETE, &format!("Items/{item}"))
        .send()
        .await;
    assert!(r.is_err(), "no response after the delete");
    assert!(sim.h.snapshot("items").iter().all(|i| i["ItemID"] != item));
    assert_eq!(sim.h.stats().lost_answers, 2);

    // Counted down to zero: the retry with the same key is answered, with
    // the object the lost answer would have named.
    let r = send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["Invoices"][0]["InvoiceID"], created);
    assert_eq!(ids(&sim).len(), before.len() + 1, "no second object");
    assert_eq!(sim.h.stats().lost_answers, 2);
    assert_eq!(sim.h.stats().dropped, 0);
}

#[tokio::test]
async fn delayed_answers_still_apply() {
    let sim = Sim::start(config(20)).await;
    let contact = contact_id(&sim);
    let before = sim.h.snapshot("invoices").len();
    sim.h.set_faults(SimFaults {
        write_answer_delay_ms: 500,
        ..SimFaults::default()
    });

    // A client that waits less gives up, but the provider committed.
    let r = sim
        .req(Method::PUT, "Invoices")
        .timeout(Duration::from_millis(150))
        .json(&json!({ "Invoices": [invoice(&contact, "200", "DRAFT")] }))
        .send()
        .await;
    assert!(r.is_err_and(|e| e.is_timeout()), "the client timed out");
    assert_eq!(sim.h.snapshot("invoices").len(), before + 1);

    // A patient client gets the answer, late.
    let t = Instant::now();
    let r = sim
        .send(
            Method::PUT,
            "Invoices",
            &json!({ "Invoices": [invoice(&contact, "200", "AUTHORISED")] }),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(500));
    let v: Value = r.json().await.unwrap();
    let id = v["Invoices"][0]["InvoiceID"].clone();
    assert!(
        sim.h
            .snapshot("invoices")
            .iter()
            .any(|i| i["InvoiceID"] == id)
    );
    assert_eq!(sim.h.snapshot("invoices").len(), before + 2);

    // Reads are not held back.
    let t = Instant::now();
    assert_eq!(sim.get("Items").await.status(), 200);
    assert!(t.elapsed() < Duration::from_millis(500));
}
