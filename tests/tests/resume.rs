//! A sync cut off at any point resumes from its last committed page: nothing
//! lost, nothing duplicated, and the same result as an uncut sync.

use std::time::Duration;

use tether_core::store::{RunStatus, Store};
use tether_core::sync::KindReport;
use tether_tests::{
    Backend, Cut, Env, Scenario, Simulator, assert_store_matches_provider, cut_sync,
    on_every_provider,
};

async fn cut_after_pages_then_resume<S: Simulator>(backend: Backend) {
    let scenario = Scenario {
        latency: Duration::from_millis(30),
        ..Scenario::sized(9500)
    };
    let Some(env) = Env::<S>::of(backend, &scenario).await else {
        return;
    };
    let conn = env.session.connection.id;
    let mut committed = 0;
    for pages in [1, 2, 3] {
        cut_sync(&env, "invoices", Cut::AfterPages(pages)).await;
        let state = env.store.sync_state(conn, "invoices").await.unwrap();
        let checkpoint = state.checkpoint.expect("a cut sync leaves a checkpoint");
        assert!(
            checkpoint.pages >= committed + pages as i64,
            "pages {} after cut at {pages}",
            checkpoint.pages
        );
        committed = checkpoint.pages;
        assert!(
            state.cursor.is_none(),
            "the cursor moves only when a pull completes"
        );
    }
    let reports: Vec<KindReport> = env.sync(&["invoices"]).await;
    let report = &reports[0];
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert!(report.resumed, "the last run resumes the cut pull");
    assert_eq!(
        report.counts.pages,
        10 - committed,
        "only the pages not yet committed are fetched"
    );
    assert_store_matches_provider(&env.store, conn, &env.sim, &["invoices"]).await;
    let runs = env.store.runs(conn, 10).await.unwrap();
    let interrupted = runs
        .iter()
        .filter(|r| r.status == RunStatus::Interrupted)
        .count();
    assert_eq!(interrupted, 3, "each cut run is recorded as interrupted");
    env.finish().await;
}

async fn cut_at_arbitrary_moments_then_resume<S: Simulator>(backend: Backend) {
    let scenario = Scenario {
        latency: Duration::from_millis(40),
        ..Scenario::sized(6000)
    };
    let Some(env) = Env::<S>::of(backend, &scenario).await else {
        return;
    };
    // Cuts land mid-request, mid-parse or mid-commit, wherever the clock says.
    for millis in [15, 90, 170, 260] {
        cut_sync(&env, "invoices", Cut::After(Duration::from_millis(millis))).await;
    }
    let reports = env.sync(&["invoices"]).await;
    assert_eq!(
        reports[0].status,
        RunStatus::Succeeded,
        "{:?}",
        reports[0].error
    );
    let n = assert_store_matches_provider(
        &env.store,
        env.session.connection.id,
        &env.sim,
        &["invoices"],
    )
    .await;
    assert_eq!(n, 6000);
    env.finish().await;
}

on_every_provider!(
    cut_after_pages_then_resume,
    cut_at_arbitrary_moments_then_resume
);
