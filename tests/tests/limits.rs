//! Tether keeps to the provider's limits by itself, honours `Retry-After`,
//! and rides out server errors, dropped connections and garbled bodies.

use std::time::Duration;

use tether_core::store::RunStatus;
use tether_tests::{Backend, Env, assert_store_matches_provider, on_every_store, sim_config};
use tether_xero::sim::{Force429, SimFaults, SimLimits};

const KINDS: [&str; 4] = ["contacts", "invoices", "items", "accounts"];

async fn scaled_limits_provoke_no_429(backend: Backend) {
    let mut config = sim_config(8000);
    // Xero's limits scaled down: 8 calls per 1-second window, 3 in flight.
    config.limits = SimLimits {
        enabled: true,
        concurrent: 3,
        per_window: 8,
        window: Duration::from_secs(1),
        per_day: 5000,
        app_per_window: 10_000,
    };
    let Some(env) = Env::start(backend, config).await else {
        return;
    };
    let mut calls = 0;
    for _ in 0..2 {
        for r in env.sync(&[]).await {
            assert_eq!(r.status, RunStatus::Succeeded, "{}: {:?}", r.kind, r.error);
            calls += r.counts.api_calls;
        }
    }
    assert!(
        calls > 16,
        "the runs must span several windows to mean anything: {calls} calls"
    );
    let stats = env.sim.stats();
    assert_eq!(
        stats.throttled, 0,
        "proactive limiting provoked a 429: {stats:?}"
    );
    assert!(stats.peak_in_flight <= 3);
    env.finish().await;
}

async fn forced_429s_are_waited_out(backend: Backend) {
    let Some(env) = Env::start(backend, sim_config(3000)).await else {
        return;
    };
    env.sim.set_faults(SimFaults {
        force_429: Some(Force429 {
            count: 3,
            retry_after_secs: 1,
        }),
        ..SimFaults::default()
    });
    let reports = env.sync(&["invoices"]).await;
    assert_eq!(
        reports[0].status,
        RunStatus::Succeeded,
        "{:?}",
        reports[0].error
    );
    // A request sent before Retry-After passed would have earned another 429.
    assert_eq!(env.sim.stats().throttled, 3, "Retry-After was not honoured");
    assert_eq!(
        env.reopen().await.api.stats().throttled(),
        0,
        "a fresh session starts clean"
    );
    assert_store_matches_provider(
        &env.store,
        env.session.connection.id,
        &env.sim,
        &["invoices"],
    )
    .await;
    env.finish().await;
}

async fn faults_are_retried(backend: Backend) {
    // About 16 calls at a 40% fault rate: a run without a fault is a 1-in-3000 event.
    let mut config = sim_config(10_000);
    config.faults = SimFaults {
        error_rate: 0.2,
        drop_rate: 0.1,
        malformed_rate: 0.1,
        ..SimFaults::default()
    };
    let Some(env) = Env::start(backend, config).await else {
        return;
    };
    for r in env.sync(&KINDS).await {
        assert_eq!(r.status, RunStatus::Succeeded, "{}: {:?}", r.kind, r.error);
    }
    let stats = env.sim.stats();
    assert!(
        stats.errors_injected + stats.dropped > 0,
        "no fault was injected: {stats:?}"
    );
    env.sim.set_faults(SimFaults::default());
    assert_store_matches_provider(&env.store, env.session.connection.id, &env.sim, &KINDS).await;
    env.finish().await;
}

on_every_store!(
    scaled_limits_provoke_no_429,
    forced_429s_are_waited_out,
    faults_are_retried
);
