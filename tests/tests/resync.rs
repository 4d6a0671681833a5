//! Resync over real HTTP, on both stores: only what changed is pulled, every
//! kind of deletion is seen (status, archive, hard delete), a suspicious mass
//! deletion is held until confirmed, a resync cut at any point and run again
//! gives the same store, and an unchanged organisation costs one call a kind.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tether_core::store::{Pull, RunStatus, Store};
use tether_core::sync::{KindReport, SyncOptions};
use tether_tests::{
    Backend, Cut, Env, XeroApp, assert_store_matches_provider, kinds_named, on_every_store,
    sim_config, stored_records,
};
use tether_xero::sim::{SimConfig, SimSizes};

const ALL_KINDS: [&str; 10] = [
    "contacts",
    "invoices",
    "credit_notes",
    "payments",
    "bank_transactions",
    "manual_journals",
    "items",
    "accounts",
    "tax_rates",
    "tracking_categories",
];

async fn resync(env: &Env, kinds: &[&str], options: SyncOptions) -> Vec<KindReport> {
    let session = env.reopen().await;
    let outcome = env
        .syncer(&session)
        .options(options)
        .resync_kinds(&kinds_named(&session, kinds))
        .await
        .expect("leases");
    assert!(outcome.held.is_empty());
    for r in &outcome.reports {
        assert_eq!(r.status, RunStatus::Succeeded, "{}: {:?}", r.kind, r.error);
    }
    outcome.reports
}

fn report<'r>(reports: &'r [KindReport], kind: &str) -> &'r KindReport {
    reports.iter().find(|r| r.kind == kind).expect("a report")
}

async fn call(app: &XeroApp, method: Method, path: &str, body: Option<Value>) {
    let (status, answer) = app.call(method.clone(), path, body).await;
    assert!(
        status == StatusCode::OK || status == StatusCode::NO_CONTENT,
        "{method} {path}: {status} {answer}"
    );
}

fn first(env: &Env, kind: &str, keep: impl Fn(&Value) -> bool) -> String {
    let field = tether_xero::sim::SimHandle::id_field(kind);
    env.sim
        .snapshot(kind)
        .into_iter()
        .find(|o| keep(o))
        .unwrap_or_else(|| panic!("no suitable {kind}"))[field]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn resync_pulls_what_changed_and_sees_every_deletion(backend: Backend) {
    let Some(env) = Env::start(backend, sim_config(300)).await else {
        return;
    };
    env.sync(&[]).await;
    let app = XeroApp::connect(&env.sim).await;
    // What a Xero user does meanwhile: edit, void, delete, archive,
    // hard-delete, create.
    let edited = first(&env, "invoices", |i| i["Status"] == "DRAFT");
    call(
        &app,
        Method::POST,
        &format!("Invoices/{edited}"),
        Some(json!({"Invoices": [{"InvoiceID": edited, "Reference": "changed"}]})),
    )
    .await;
    let voided = first(&env, "invoices", |i| {
        i["Status"] == "AUTHORISED" && i["AmountPaid"].as_f64() == Some(0.0)
    });
    call(
        &app,
        Method::POST,
        &format!("Invoices/{voided}"),
        Some(json!({"Invoices": [{"InvoiceID": voided, "Status": "VOIDED"}]})),
    )
    .await;
    let deleted = first(&env, "invoices", |i| {
        i["Status"] == "DRAFT" && i["InvoiceID"] != edited.as_str()
    });
    call(
        &app,
        Method::POST,
        &format!("Invoices/{deleted}"),
        Some(json!({"Invoices": [{"InvoiceID": deleted, "Status": "DELETED"}]})),
    )
    .await;
    let archived = first(&env, "contacts", |c| c["ContactStatus"] == "ACTIVE");
    call(
        &app,
        Method::POST,
        &format!("Contacts/{archived}"),
        Some(json!({"Contacts": [{"ContactID": archived, "ContactStatus": "ARCHIVED"}]})),
    )
    .await;
    let gone = first(&env, "items", |_| true);
    call(&app, Method::DELETE, &format!("Items/{gone}"), None).await;
    call(
        &app,
        Method::PUT,
        "Contacts",
        Some(json!({"Contacts": [{"Name": "Arrived Ltd"}]})),
    )
    .await;

    env.sim.reset_stats();
    let reports = resync(&env, &[], SyncOptions::default()).await;
    let invoices = report(&reports, "invoices");
    assert_eq!(invoices.pull, Pull::Changes);
    assert_eq!(
        invoices.counts.fetched, 3,
        "only the changed invoices are pulled"
    );
    assert_eq!(report(&reports, "contacts").counts.fetched, 2);
    assert_eq!(
        report(&reports, "items").pull,
        Pull::Full,
        "items vanish: listed whole"
    );
    assert_eq!(report(&reports, "items").counts.deleted, 1);
    let conn = env.connection_id();
    let invoices = stored_records(&env.store, conn, "invoices").await;
    assert_eq!(invoices[&edited].data["Reference"], "changed");
    assert_eq!(invoices[&voided].deletion_source.as_deref(), Some("status"));
    assert_eq!(
        invoices[&voided].data["Status"], "VOIDED",
        "its last values kept"
    );
    assert!(invoices[&deleted].deleted_at.is_some());
    let contacts = stored_records(&env.store, conn, "contacts").await;
    assert!(contacts[&archived].deleted_at.is_some());
    assert_eq!(
        stored_records(&env.store, conn, "items").await[&gone]
            .deletion_source
            .as_deref(),
        Some("vanish")
    );
    assert_store_matches_provider(&env.store, conn, &env.sim, &ALL_KINDS).await;

    // Restoring the contact brings it back.
    call(
        &app,
        Method::POST,
        &format!("Contacts/{archived}"),
        Some(json!({"Contacts": [{"ContactID": archived, "ContactStatus": "ACTIVE"}]})),
    )
    .await;
    resync(&env, &["contacts"], SyncOptions::default()).await;
    assert!(
        stored_records(&env.store, conn, "contacts").await[&archived]
            .deleted_at
            .is_none()
    );
    env.finish().await;
}

async fn a_mass_deletion_is_held_until_confirmed(backend: Backend) {
    let mut config = sim_config(100);
    config.sizes.items = 120;
    let Some(env) = Env::start(backend, config).await else {
        return;
    };
    env.sync(&["items"]).await;
    let app = XeroApp::connect(&env.sim).await;
    let items: Vec<String> = env
        .sim
        .snapshot("items")
        .iter()
        .map(|i| i["ItemID"].as_str().unwrap().to_owned())
        .collect();
    // Below the threshold (10 % and 10 records): applied.
    for id in &items[..5] {
        call(&app, Method::DELETE, &format!("Items/{id}"), None).await;
    }
    let r = resync(&env, &["items"], SyncOptions::default()).await;
    assert_eq!((r[0].counts.deleted, r[0].counts.held), (5, 0));
    // Above it: held, the rest of the run applied, shown in the totals.
    for id in &items[5..35] {
        call(&app, Method::DELETE, &format!("Items/{id}"), None).await;
    }
    let edited = &items[50];
    call(
        &app,
        Method::POST,
        &format!("Items/{edited}"),
        Some(json!({"Items": [{"ItemID": edited, "Name": "Still here"}]})),
    )
    .await;
    let r = resync(&env, &["items"], SyncOptions::default()).await;
    assert_eq!((r[0].counts.deleted, r[0].counts.held), (0, 30));
    let conn = env.connection_id();
    let stored = stored_records(&env.store, conn, "items").await;
    assert!(
        items[5..35]
            .iter()
            .all(|id| stored[id].deleted_at.is_none()),
        "held, not deleted"
    );
    assert_eq!(
        stored[edited].data["Name"], "Still here",
        "the run's other changes applied"
    );
    let totals = env.store.totals(conn).await.unwrap();
    assert_eq!(totals.iter().find(|t| t.kind == "items").unwrap().held, 30);
    // A later run holds them again; a confirmed one applies them.
    let r = resync(&env, &["items"], SyncOptions::default()).await;
    assert_eq!(r[0].counts.held, 30);
    let confirmed = SyncOptions {
        confirm_deletes: true,
        ..SyncOptions::default()
    };
    let r = resync(&env, &["items"], confirmed).await;
    assert_eq!((r[0].counts.deleted, r[0].counts.held), (30, 0));
    let totals = env.store.totals(conn).await.unwrap();
    assert_eq!(totals.iter().find(|t| t.kind == "items").unwrap().held, 0);
    assert_store_matches_provider(&env.store, conn, &env.sim, &["items"]).await;
    env.finish().await;
}

async fn a_resync_cut_anywhere_then_rerun_gives_the_same_store(backend: Backend) {
    let mut config = sim_config(4000);
    config.faults.latency_ms = 25;
    let Some(env) = Env::start(backend, config).await else {
        return;
    };
    env.sync(&["invoices"]).await;
    let app = XeroApp::connect(&env.sim).await;
    // Every invoice that may still change: more than a page of changes.
    let drafts: Vec<String> = env
        .sim
        .snapshot("invoices")
        .iter()
        .filter(|i| {
            matches!(
                i["Status"].as_str(),
                Some("DRAFT" | "SUBMITTED" | "AUTHORISED")
            )
        })
        .map(|i| i["InvoiceID"].as_str().unwrap().to_owned())
        .collect();
    for chunk in drafts.chunks(50) {
        let body: Vec<Value> = chunk
            .iter()
            .map(|id| json!({"InvoiceID": id, "Reference": "wave"}))
            .collect();
        call(
            &app,
            Method::POST,
            "Invoices",
            Some(json!({"Invoices": body})),
        )
        .await;
    }
    assert!(
        drafts.len() > 1000,
        "more than a page of changes ({})",
        drafts.len()
    );
    let before = env
        .store
        .sync_state(env.connection_id(), "invoices")
        .await
        .unwrap();
    for cut in [Cut::AfterPages(1), Cut::After(Duration::from_millis(70))] {
        tether_tests::cut_resync(&env, "invoices", cut).await;
        let state = env
            .store
            .sync_state(env.connection_id(), "invoices")
            .await
            .unwrap();
        assert_eq!(
            state.checkpoint, before.checkpoint,
            "the full pull's checkpoint is untouched"
        );
    }
    let r = resync(&env, &["invoices"], SyncOptions::default()).await;
    assert!(r[0].resumed, "the cut pull of changes is resumed");
    assert_eq!(r[0].pull, Pull::Changes);
    assert_store_matches_provider(&env.store, env.connection_id(), &env.sim, &["invoices"]).await;
    env.finish().await;
}

on_every_store!(
    resync_pulls_what_changed_and_sees_every_deletion,
    a_mass_deletion_is_held_until_confirmed,
    a_resync_cut_anywhere_then_rerun_gives_the_same_store,
);

/// An unchanged organisation of 100,000 invoices: one call a kind (every
/// paged kind asks for its changes; the rest are listed in one call each).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_organisation_costs_one_call_per_kind() {
    let config = SimConfig {
        sizes: SimSizes::only_invoices(100_000),
        ..sim_config(0)
    };
    let Some(env) = Env::start(Backend::Sqlite, config).await else {
        return;
    };
    env.sync(&[]).await;
    env.sim.reset_stats();
    let reports = resync(&env, &[], SyncOptions::default()).await;
    let stats = env.sim.stats();
    let api: u64 = stats
        .requests
        .iter()
        .filter(|(k, _)| k.contains("/api.xro/"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(
        api,
        ALL_KINDS.len() as u64,
        "one call a kind: {:?}",
        stats.requests
    );
    assert_eq!(stats.requests.get("GET /api.xro/2.0/Invoices"), Some(&1));
    assert!(
        reports
            .iter()
            .all(|r| r.counts.deleted == 0 && r.counts.api_calls == 1)
    );
    assert_eq!(report(&reports, "invoices").counts.fetched, 0);
    env.finish().await;
}
