//! Tether keeps to the provider's limits by itself, honours `Retry-After`,
//! and rides out server errors, dropped connections and garbled bodies.

use std::time::Duration;

use tether_core::store::RunStatus;
use tether_sim_kit::config::{Force429, SimFaults};
use tether_tests::{
    Backend, Env, ScaledLimits, Scenario, Simulator, assert_store_matches_provider,
    on_every_provider,
};

/// Kinds every provider has.
const KINDS: [&str; 3] = ["invoices", "items", "accounts"];

async fn scaled_limits_provoke_no_429<S: Simulator>(backend: Backend) {
    // The provider's limits scaled down: 8 calls per 1-second window, 3 in flight.
    let scenario = Scenario {
        limits: Some(ScaledLimits {
            concurrent: 3,
            per_window: 8,
            window: Duration::from_secs(1),
        }),
        ..Scenario::sized(8000)
    };
    let Some(env) = Env::<S>::of(backend, &scenario).await else {
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

async fn forced_429s_are_waited_out<S: Simulator>(backend: Backend) {
    let Some(env) = Env::<S>::of(backend, &Scenario::sized(3000)).await else {
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

async fn faults_are_retried<S: Simulator>(backend: Backend) {
    let Some(env) = Env::<S>::of(backend, &Scenario::sized(10_000)).await else {
        return;
    };
    // About 14 calls at a 40% fault rate: a run without a fault is a 1-in-1000 event.
    env.sim.set_faults(SimFaults {
        error_rate: 0.2,
        drop_rate: 0.1,
        malformed_rate: 0.1,
        ..SimFaults::default()
    });
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

on_every_provider!(
    scaled_limits_provoke_no_429,
    forced_429s_are_waited_out,
    faults_are_retried
);
