//! Intuit allows a company 40 batch requests a minute within its 500: the
//! connector marks its batches, so the one past that window waits for it
//! instead of provoking a 429.

use std::time::Duration;

use serde_json::json;
use tether_core::{Connector, WriteRequest};

use super::against_the_simulator::start_with;
use crate::QuickBooksConnector;
use crate::sim::{SimConfig, SimLimits, SimSizes};

/// Batches a minute in this test's simulator.
const BATCHES: u32 = 3;

/// Writes one customer in a batch of its own, for at most `patience`;
/// whether it was written in that time.
async fn batch(api: &tether_core::http::Api, n: u32, patience: Duration) -> bool {
    let customers = QuickBooksConnector.kind("customers").unwrap();
    let request = WriteRequest {
        external_id: None,
        version: None,
        body: json!({ "DisplayName": format!("Batch Co {n}") }),
    };
    let key = format!("tether-batch-{n}");
    let write = customers
        .writer()
        .unwrap()
        .write_batch(api, std::slice::from_ref(&request), &key);
    tokio::time::timeout(patience, write)
        .await
        .is_ok_and(|written| written.is_ok())
}

/// The simulator's 429s and whether the batch past the window was written
/// within a few seconds, with or without the batch window kept.
async fn past_the_window(kept: bool) -> (u64, bool) {
    let config = SimConfig {
        sizes: SimSizes::scaled(10),
        limits: SimLimits {
            batch_per_minute: BATCHES,
            ..SimLimits::real()
        },
        ..SimConfig::default()
    };
    let limits = tether_core::RateLimitPolicy {
        batch_per_window: kept.then_some(BATCHES),
        ..QuickBooksConnector.rate_limits()
    };
    let (sim, api) = start_with(config, limits).await;
    for n in 0..BATCHES {
        assert!(batch(&api, n, Duration::from_secs(30)).await, "batch {n}");
    }
    let last = batch(&api, BATCHES, Duration::from_secs(3)).await;
    let throttled = sim.stats().throttled;
    sim.shutdown().await;
    (throttled, last)
}

#[tokio::test]
async fn a_batch_past_the_window_waits_without_a_429() {
    let (throttled, written) = past_the_window(true).await;
    assert_eq!(throttled, 0, "the batch window was overrun");
    assert!(
        !written,
        "the batch past the window went before the minute was out"
    );
}

#[tokio::test]
async fn without_the_batch_window_the_provider_throttles() {
    let (throttled, _) = past_the_window(false).await;
    assert!(
        throttled > 0,
        "the control provoked no 429: the test proves nothing"
    );
}
