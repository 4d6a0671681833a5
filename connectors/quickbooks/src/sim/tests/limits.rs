//! Throttles and faults over HTTP.

use std::time::Duration;

use serde_json::json;

use super::{Sim, config, fault_code};
use crate::sim::{Force429, SimFaults, SimLimits};

#[tokio::test]
async fn over_the_per_minute_limit_is_429_fault_003001() {
    let mut cfg = config(5);
    cfg.limits = SimLimits {
        per_minute: 5,
        ..SimLimits::real()
    };
    let sim = Sim::start(cfg).await;
    for _ in 0..5 {
        assert_eq!(sim.get("invoice/1").await.0, 200);
    }
    let (status, body) = sim.get("invoice/1").await;
    assert_eq!(status, 429);
    assert_eq!(fault_code(&body), "003001");
    assert_eq!(body["Fault"]["type"], "SERVICE");
    assert_eq!(sim.h.stats().throttled, 1);
}

#[tokio::test]
async fn batches_have_their_own_budget() {
    let mut cfg = config(5);
    cfg.limits = SimLimits {
        batch_per_minute: 2,
        ..SimLimits::real()
    };
    let sim = Sim::start(cfg).await;
    let batch = json!({"BatchItemRequest": [{"bId": "1", "Query": "SELECT * FROM Item"}]});
    assert_eq!(sim.post("batch", &batch).await.0, 200);
    assert_eq!(sim.post("batch", &batch).await.0, 200);
    assert_eq!(sim.post("batch", &batch).await.0, 429);
    assert_eq!(
        sim.get("invoice/1").await.0,
        200,
        "other calls still go through"
    );
}

#[tokio::test]
async fn injected_errors_forced_429s_and_lost_answers() {
    let sim = Sim::start(config(5)).await;
    sim.h.set_faults(SimFaults {
        error_rate: 1.0,
        ..SimFaults::default()
    });
    let (status, body) = sim.get("invoice/1").await;
    assert!(status == 500 || status == 503);
    assert_eq!(fault_code(&body), "10000");
    sim.h.set_faults(SimFaults {
        force_429: Some(Force429 {
            count: 1,
            retry_after_secs: 1,
        }),
        ..SimFaults::default()
    });
    assert_eq!(sim.get("invoice/1").await.0, 429);

    tokio::time::sleep(Duration::from_millis(1100)).await;
    sim.h.set_faults(SimFaults {
        lose_write_answers: 1,
        ..SimFaults::default()
    });
    let before = sim.h.snapshot("customers").len();
    let sent = sim
        .c
        .post(format!("{}?minorversion=75", sim.api("customer")))
        .bearer_auth(&sim.token)
        .json(&json!({"DisplayName": "Lost Answer Ltd"}))
        .send()
        .await;
    assert!(sent.is_err(), "the answer never came");
    assert_eq!(
        sim.h.snapshot("customers").len(),
        before + 1,
        "but the write was applied"
    );
    assert_eq!(sim.h.stats().lost_answers, 1);
}

#[tokio::test]
async fn more_calls_in_flight_than_allowed_are_429() {
    let mut cfg = config(5);
    cfg.limits = SimLimits {
        concurrent: 2,
        ..SimLimits::real()
    };
    cfg.latency = Duration::from_millis(300);
    let sim = Sim::start(cfg).await;
    let (a, b, c) = tokio::join!(
        sim.get("invoice/1"),
        sim.get("invoice/1"),
        sim.get("invoice/1")
    );
    let statuses = [a.0, b.0, c.0];
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        2,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(sim.h.stats().peak_in_flight, 2);
}
