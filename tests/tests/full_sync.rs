//! A full sync of every kind equals the provider's data, on both stores.

use tether_core::store::{RunStatus, RunType, Store};
use tether_tests::{
    Backend, Env, Scenario, Simulator, assert_store_matches_provider, on_every_provider,
};

async fn every_kind_equals_the_provider<S: Simulator>(backend: Backend) {
    let Some(env) = Env::<S>::of(backend, &Scenario::sized(2500)).await else {
        return;
    };
    let all_kinds: Vec<&str> = env
        .session
        .connector
        .kinds()
        .iter()
        .map(|k| k.name())
        .collect();
    let reports = env.sync(&[]).await;
    assert_eq!(reports.len(), all_kinds.len());
    for r in &reports {
        assert_eq!(r.status, RunStatus::Succeeded, "{}: {:?}", r.kind, r.error);
        assert_eq!(r.counts.quarantined, 0, "{} quarantined objects", r.kind);
        assert!(!r.resumed);
    }
    let compared =
        assert_store_matches_provider(&env.store, env.session.connection.id, &env.sim, &all_kinds)
            .await;
    assert!(compared > 2500, "compared only {compared} objects");

    // Pages of 1000: 2500 invoices take exactly three calls.
    let invoices = reports.iter().find(|r| r.kind == "invoices").unwrap();
    assert_eq!(invoices.counts.fetched, 2500);
    assert_eq!(invoices.counts.api_calls, 3);

    // History and cursors.
    let runs = env
        .store
        .runs(env.session.connection.id, 100)
        .await
        .unwrap();
    assert_eq!(runs.len(), all_kinds.len());
    assert!(
        runs.iter()
            .all(|r| r.run_type == RunType::Sync && r.status == RunStatus::Succeeded)
    );
    let state = env
        .store
        .sync_state(env.session.connection.id, "invoices")
        .await
        .unwrap();
    let cursor = state.cursor.expect("a cursor after a full sync");
    let now = chrono::Utc::now();
    assert!(
        cursor < now - chrono::Duration::minutes(4),
        "the cursor keeps an overlap: {cursor}"
    );
    assert!(
        cursor > now - chrono::Duration::minutes(10),
        "the cursor comes from the provider clock: {cursor}"
    );
    assert!(
        state.checkpoint.is_none(),
        "a finished pull leaves no checkpoint"
    );
    env.finish().await;
}

async fn a_second_full_sync_changes_nothing<S: Simulator>(backend: Backend) {
    let Some(env) = Env::<S>::of(backend, &Scenario::sized(300)).await else {
        return;
    };
    env.sync(&[]).await;
    let first =
        tether_tests::stored_records(&env.store, env.session.connection.id, "invoices").await;
    let reports = env.sync(&[]).await;
    assert!(
        reports
            .iter()
            .all(|r| r.status == RunStatus::Succeeded && r.counts.deleted == 0)
    );
    let second =
        tether_tests::stored_records(&env.store, env.session.connection.id, "invoices").await;
    assert_eq!(first.len(), second.len());
    for (id, before) in &first {
        let after = &second[id];
        assert_eq!(before.id, after.id, "{id}: the local id is stable");
        assert_eq!(before.data, after.data);
        assert_eq!(
            before.changed_by_run, after.changed_by_run,
            "{id}: unchanged content keeps its run"
        );
    }
    env.finish().await;
}

on_every_provider!(
    every_kind_equals_the_provider,
    a_second_full_sync_changes_nothing
);
