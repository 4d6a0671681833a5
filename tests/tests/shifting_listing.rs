//! A full sync re-run while the provider's objects change during it marks no
//! live object deleted. Objects already read are edited between pages: under
//! an `UpdatedDateUTC` order (manual journals, which Xero pages in its own
//! order) each edited object jumps to the end and the one after it slides
//! onto a page already read, so the listing misses it and only the
//! confirmation by id keeps it live; invoices page over their id, so their
//! listing misses nothing and needs no confirmation at all.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tether_core::store::RunStatus;
use tether_tests::{
    Backend, Cut, Env, XeroApp, assert_store_matches_provider, cut_sync, on_every_store,
    sim_config, stored_records,
};
use tether_xero::sim::SimHandle;

/// Objects edited at the provider while the pull is between its pages.
const EDITS: usize = 20;

/// Edits `EDITS` objects of `kind` among the first page of its listing,
/// the way a Xero user would, and returns their ids.
async fn edit_first_page(env: &Env, app: &XeroApp, kind: &str) -> Vec<String> {
    let (path, id_field, editable): (&str, &str, fn(&Value) -> bool) = match kind {
        "invoices" => ("Invoices", "InvoiceID", |o| o["Status"] == "DRAFT"),
        "manual_journals" => ("ManualJournals", "ManualJournalID", |o| {
            o["Status"] == "POSTED" || o["Status"] == "DRAFT"
        }),
        other => panic!("no edit for {other}"),
    };
    // The snapshot is in UpdatedDateUTC order; invoices list by id.
    let mut objects = env.sim.snapshot(kind);
    if kind == "invoices" {
        objects.sort_by(|a, b| a[id_field].as_str().cmp(&b[id_field].as_str()));
    }
    let ids: Vec<String> = objects[..1000]
        .iter()
        .filter(|o| editable(o))
        .take(EDITS)
        .map(|o| o[id_field].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), EDITS, "enough editable {kind} on the first page");
    for id in &ids {
        let field = if kind == "invoices" {
            "Reference"
        } else {
            "Narration"
        };
        let (status, body) = app
            .call(
                Method::POST,
                &format!("{path}/{id}"),
                Some(json!({ path: [{ id_field: id, field: "edited during the pull" }] })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{kind} {id}: {body}");
    }
    ids
}

async fn a_full_sync_rerun_while_objects_change_deletes_nothing_live(backend: Backend) {
    let mut config = sim_config(2500);
    config.sizes.manual_journals = 2500;
    let Some(env) = Env::start(backend, config).await else {
        return;
    };
    let kinds = ["invoices", "manual_journals"];
    for r in env.sync(&kinds).await {
        assert_eq!(r.status, RunStatus::Succeeded, "{}: {:?}", r.kind, r.error);
    }
    let app = XeroApp::connect(&env.sim).await;

    for kind in kinds {
        // The second full pull reads one page, the provider changes, it goes on.
        cut_sync(&env, kind, Cut::AfterPages(1)).await;
        let edited = edit_first_page(&env, &app, kind).await;
        env.sim.reset_stats();
        let report = env.sync(&[kind]).await.remove(0);
        assert_eq!(
            report.status,
            RunStatus::Succeeded,
            "{kind}: {:?}",
            report.error
        );
        assert!(report.resumed, "{kind}: the pull went on where it was cut");
        assert_eq!(report.counts.deleted, 0, "{kind}: nothing live is deleted");
        let path = if kind == "invoices" {
            "Invoices"
        } else {
            "ManualJournals"
        };
        let calls = env.sim.stats().requests[&format!("GET /api.xro/2.0/{path}")];
        // Pages 2 and 3 are left; manual journals add one confirmation call
        // for the journals that slid onto the page already read.
        let confirmations = if kind == "invoices" { 0 } else { 1 };
        assert_eq!(
            calls,
            2 + confirmations,
            "{kind}: listing and confirmation calls"
        );

        let stored = stored_records(&env.store, env.connection_id(), kind).await;
        let id_field = SimHandle::id_field(kind);
        let falsely_deleted: Vec<String> = env
            .sim
            .snapshot(kind)
            .iter()
            .map(|o| o[id_field].as_str().expect("id").to_owned())
            .filter(|id| {
                let record = &stored[id];
                record.deleted_at.is_some() && record.deletion_source.as_deref() != Some("status")
            })
            .collect();
        assert!(
            falsely_deleted.is_empty(),
            "{kind}: live objects marked deleted: {falsely_deleted:?}"
        );
        assert!(edited.iter().all(|id| stored[id].deleted_at.is_none()));
    }
    // Edits made after a page was read are the next pull's to see (resync
    // starts from the cursor taken before them); after it, all is equal.
    env.sync(&kinds).await;
    assert_store_matches_provider(&env.store, env.connection_id(), &env.sim, &kinds).await;
    env.finish().await;
}

on_every_store!(a_full_sync_rerun_while_objects_change_deletes_nothing_live);
