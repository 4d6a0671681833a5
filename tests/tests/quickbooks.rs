//! What only QuickBooks has, end to end over real HTTP to its simulator, on
//! both stores: a change feed capped at 1,000 objects and 30 days back,
//! transactions deleted outright, names made inactive, optimistic
//! concurrency by `SyncToken`, and `requestid` idempotency.

use std::time::Duration;

use serde_json::{Value, json};
use tether_core::export::ExportOutcome;
use tether_core::pending::RecordKey;
use tether_core::store::{Pull, RunStatus, Store};
use tether_core::sync::KindReport;
use tether_sim_kit::config::SimFaults;
use tether_tests::{
    Backend, Env, QuickBooksApp, QuickBooksSimulator, Scenario,
    assert_store_matches_provider_except, kinds_named, on_every_store, stored_records,
};

type QuickBooksEnv = Env<QuickBooksSimulator>;

/// A customer's or vendor's `Balance` is a figure QuickBooks keeps as the
/// documents naming them change, without a new `SyncToken` or
/// `LastUpdatedTime`: only a full pull sees it move, so a comparison after
/// a resync of changes leaves it out.
const SILENT: &[(&str, &str)] = &[("customers", "Balance"), ("vendors", "Balance")];

async fn start(backend: Backend, invoices: usize) -> Option<QuickBooksEnv> {
    Env::of(backend, &Scenario::sized(invoices)).await
}

fn all_kinds(env: &QuickBooksEnv) -> Vec<&'static str> {
    env.session
        .connector
        .kinds()
        .iter()
        .map(|k| k.name())
        .collect()
}

async fn resync(env: &QuickBooksEnv) -> Vec<KindReport> {
    let session = env.reopen().await;
    let outcome = env
        .syncer(&session)
        .resync_kinds(&kinds_named(&session, &[]))
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

/// Live objects of an entity at the provider, the first `n` by id (pages
/// of at most 1,000, as QuickBooks answers).
async fn some(app: &QuickBooksApp, entity: &str, n: usize) -> Vec<Value> {
    let mut all = Vec::new();
    while all.len() < n {
        let page = app
            .query(
                entity,
                &format!(
                    "SELECT * FROM {entity} ORDERBY Id STARTPOSITION {} MAXRESULTS {}",
                    all.len() + 1,
                    (n - all.len()).min(1000)
                ),
            )
            .await;
        if page.is_empty() {
            break;
        }
        all.extend(page);
    }
    all
}

/// Documents nothing has been paid against (QuickBooks refuses to delete
/// one with payments linked), the first `n` by id.
async fn unpaid(app: &QuickBooksApp, entity: &str, n: usize) -> Vec<Value> {
    some(app, entity, 1000)
        .await
        .into_iter()
        .filter(|d| d["Balance"] == d["TotalAmt"] && d["TotalAmt"].as_f64() > Some(0.0))
        .take(n)
        .collect()
}

/// More changes than one CDC answer holds: the cut answer is not taken as
/// complete, so nothing is lost — edits, deletions and deactivations alike.
async fn a_cdc_answer_over_1000_changes_loses_none(backend: Backend) {
    let Some(env) = start(backend, 1500).await else {
        return;
    };
    env.sync(&[]).await;
    let app = QuickBooksApp::connect(&env.sim).await;
    let deleted = unpaid(&app, "Invoice", 5).await;
    let invoices: Vec<Value> = some(&app, "Invoice", 1500)
        .await
        .into_iter()
        .filter(|i| !deleted.iter().any(|d| d["Id"] == i["Id"]))
        .take(1100)
        .collect();
    assert_eq!(invoices.len(), 1100);
    for invoice in &invoices {
        let note = json!({"PrivateNote": "changed by another app"});
        app.update("Invoice", invoice, note).await;
    }
    for invoice in &deleted {
        app.delete("Invoice", invoice).await;
    }
    let customers = some(&app, "Customer", 3).await;
    for customer in &customers {
        app.update("Customer", customer, json!({"Active": false}))
            .await;
    }

    let reports = resync(&env).await;
    let invoices_report = report(&reports, "invoices");
    assert_eq!(
        invoices_report.pull,
        Pull::Full,
        "the feed's answer was cut at 1,000: invoices are listed"
    );
    assert_eq!(invoices_report.counts.deleted, 5);
    let conn = env.connection_id();
    let stored = stored_records(&env.store, conn, "invoices").await;
    for invoice in &deleted {
        let id = invoice["Id"].as_str().unwrap();
        assert!(stored[id].deleted_at.is_some(), "invoice {id} deleted");
    }
    for invoice in &invoices {
        let id = invoice["Id"].as_str().unwrap();
        assert_eq!(
            stored[id].data["PrivateNote"], "changed by another app",
            "invoice {id} changed"
        );
    }
    let stored = stored_records(&env.store, conn, "customers").await;
    for customer in &customers {
        let id = customer["Id"].as_str().unwrap();
        assert!(stored[id].deleted_at.is_some(), "customer {id} is inactive");
    }
    assert_store_matches_provider_except(&env.store, conn, &env.sim, &all_kinds(&env), SILENT)
        .await;
    env.finish().await;
}

/// A resync whose cursor the feed no longer reaches (QuickBooks answers 30
/// days back) falls back to listing, and still sees what was deleted.
async fn a_resync_after_30_days_falls_back_and_catches_deletions(backend: Backend) {
    let Some(env) = start(backend, 600).await else {
        return;
    };
    env.sync(&[]).await;
    env.sim.advance_clock(Duration::from_secs(40 * 24 * 3600));
    let app = QuickBooksApp::connect(&env.sim).await;
    let invoices = unpaid(&app, "Invoice", 4).await;
    for invoice in &invoices {
        app.delete("Invoice", invoice).await;
    }
    let bills = unpaid(&app, "Bill", 2).await;
    app.delete("Bill", &bills[0]).await;
    app.update("Bill", &bills[1], json!({"PrivateNote": "forty days on"}))
        .await;
    let vendor = some(&app, "Vendor", 1).await.remove(0);
    app.update("Vendor", &vendor, json!({"Active": false}))
        .await;

    let reports = resync(&env).await;
    for kind in ["invoices", "bills"] {
        assert_eq!(
            report(&reports, kind).pull,
            Pull::Full,
            "{kind}: the feed no longer reaches the cursor; listed whole and reconciled"
        );
    }
    let conn = env.connection_id();
    let stored = stored_records(&env.store, conn, "invoices").await;
    for invoice in &invoices {
        let id = invoice["Id"].as_str().unwrap();
        assert!(stored[id].deleted_at.is_some(), "invoice {id} deleted");
    }
    let bill = &stored_records(&env.store, conn, "bills").await[bills[0]["Id"].as_str().unwrap()];
    assert!(bill.deleted_at.is_some(), "the bill deleted");
    assert_store_matches_provider_except(&env.store, conn, &env.sim, &all_kinds(&env), SILENT)
        .await;
    env.finish().await;
}

/// The provider's object of `entity` with `field` equal to `value`.
fn at_provider(env: &QuickBooksEnv, kind: &str, field: &str, value: &str) -> Option<Value> {
    env.sim
        .snapshot(kind)
        .into_iter()
        .find(|o| o[field] == value)
}

fn assert_complete(outcome: &ExportOutcome) {
    for r in &outcome.reports {
        let problems: Vec<_> = r.items.iter().filter(|i| i.message.is_some()).collect();
        assert!(r.complete(), "{}: {:?} {:?}", r.kind, r.error, problems);
    }
}

async fn external_id(env: &QuickBooksEnv, kind: &str, id: i64) -> String {
    let record = env
        .store
        .record(env.connection_id(), kind, &RecordKey::Local(id))
        .await
        .unwrap()
        .unwrap();
    assert!(
        record.pending.is_none(),
        "{kind} {id}: {:?}",
        record.pending
    );
    record.external_id.expect("linked to the provider's object")
}

/// Creates (with a reference to an object created in the same export),
/// sparse updates carrying the `SyncToken`, a deactivation and a delete.
async fn export_creates_updates_and_deletes(backend: Backend) {
    let Some(env) = start(backend, 100).await else {
        return;
    };
    env.sync(&[]).await;
    let item = env
        .sim
        .snapshot("items")
        .into_iter()
        .find(|i| i["Active"] == true)
        .unwrap();
    let customer = env
        .put("customers", json!({"DisplayName": "Tether Test Customer"}))
        .await;
    let invoice = env
        .put(
            "invoices",
            json!({
                "CustomerRef": {"value": format!("local:{customer}")},
                "DocNumber": "TETHER-1",
                "Line": [{
                    "Amount": 120.5,
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 1, "UnitPrice": 120.5}
                }]
            }),
        )
        .await;
    assert_complete(&env.export(&[], false).await);
    let customer_id = external_id(&env, "customers", customer).await;
    let invoice_id = external_id(&env, "invoices", invoice).await;
    let at = at_provider(&env, "invoices", "Id", &invoice_id).expect("the invoice exists");
    assert_eq!(at["CustomerRef"]["value"], customer_id.as_str());
    assert_eq!(at["TotalAmt"].as_f64(), Some(120.5));
    assert_eq!(at["SyncToken"], "0");

    env.stage(
        "invoices",
        tether_core::local::LocalEdit::Update(
            RecordKey::Local(invoice),
            json!({"PrivateNote": "edited here"}),
        ),
    )
    .await
    .expect("an edit is accepted");
    assert_complete(&env.export(&[], false).await);
    let at = at_provider(&env, "invoices", "Id", &invoice_id).unwrap();
    assert_eq!(at["PrivateNote"], "edited here");
    assert_eq!(at["SyncToken"], "1", "one sparse update");
    assert_eq!(
        at["Line"][0]["Amount"].as_f64(),
        Some(120.5),
        "the rest kept"
    );

    env.stage(
        "invoices",
        tether_core::local::LocalEdit::Delete(RecordKey::Local(invoice)),
    )
    .await
    .expect("an invoice can be deleted");
    env.stage(
        "customers",
        tether_core::local::LocalEdit::Delete(RecordKey::Local(customer)),
    )
    .await
    .expect("a customer can be made inactive");
    assert_complete(&env.export(&[], false).await);
    assert!(
        at_provider(&env, "invoices", "Id", &invoice_id).is_none(),
        "deleted outright"
    );
    let at = at_provider(&env, "customers", "Id", &customer_id).expect("kept, inactive");
    assert_eq!(at["Active"], false);
    env.finish().await;
}

/// Another app's edit after ours was based on the old version: nothing is
/// written over it, the conflict is recorded with both sides.
async fn an_edit_of_a_stale_version_is_a_conflict(backend: Backend) {
    let Some(env) = start(backend, 100).await else {
        return;
    };
    env.sync(&[]).await;
    let app = QuickBooksApp::connect(&env.sim).await;
    let customer = some(&app, "Customer", 1).await.remove(0);
    let id = customer["Id"].as_str().unwrap().to_owned();
    env.stage(
        "customers",
        tether_core::local::LocalEdit::Update(
            RecordKey::External(id.clone()),
            json!({"CompanyName": "Ours"}),
        ),
    )
    .await
    .expect("an edit is accepted");
    app.update("Customer", &customer, json!({"CompanyName": "Theirs"}))
        .await;
    let outcome = env.export(&["customers"], false).await;
    let conflicts: i64 = outcome.reports.iter().map(|r| r.counts.conflicts).sum();
    assert_eq!(conflicts, 1, "{outcome:?}");
    let at = at_provider(&env, "customers", "Id", &id).unwrap();
    assert_eq!(
        at["CompanyName"], "Theirs",
        "nothing written over their edit"
    );
    env.finish().await;
}

/// A create whose answer was lost is not made twice.
async fn a_lost_create_answer_makes_one_object(backend: Backend) {
    let Some(env) = start(backend, 50).await else {
        return;
    };
    env.sync(&[]).await;
    env.sim.set_faults(SimFaults {
        lose_write_answers: 1,
        ..SimFaults::default()
    });
    let customer = env
        .put("customers", json!({"DisplayName": "Lost Answer Ltd"}))
        .await;
    // The answer is lost after the create was applied; the retry carries the
    // same `requestid`, and QuickBooks answers it with the first answer.
    assert_complete(&env.export(&["customers"], false).await);
    assert_eq!(env.sim.stats().lost_answers, 1, "an answer was lost");
    let id = external_id(&env, "customers", customer).await;
    let made: Vec<Value> = env
        .sim
        .snapshot("customers")
        .into_iter()
        .filter(|c| c["DisplayName"] == "Lost Answer Ltd")
        .collect();
    assert_eq!(made.len(), 1, "made once: {made:?}");
    assert_eq!(made[0]["Id"], id.as_str());
    env.finish().await;
}

/// A void keeps the invoice at QuickBooks, zeroed and marked voided, and
/// the record stays live with the voided object; kinds QuickBooks does not
/// void, and records it does not have yet, are refused up front.
async fn a_void_keeps_the_invoice_zeroed(backend: Backend) {
    let Some(env) = start(backend, 100).await else {
        return;
    };
    env.sync(&[]).await;
    let app = QuickBooksApp::connect(&env.sim).await;
    let invoice = unpaid(&app, "Invoice", 1).await.remove(0);
    let id = invoice["Id"].as_str().unwrap().to_owned();
    env.stage(
        "invoices",
        tether_core::local::LocalEdit::Void(RecordKey::External(id.clone())),
    )
    .await
    .expect("an invoice can be voided");
    let outcome = env.export(&["invoices"], false).await;
    assert_complete(&outcome);
    let voided: usize = outcome
        .reports
        .iter()
        .flat_map(|r| &r.items)
        .filter(|i| i.action == tether_core::export::Action::Void)
        .count();
    assert_eq!(voided, 1, "{outcome:?}");
    let at = at_provider(&env, "invoices", "Id", &id).expect("a voided invoice stays");
    assert_eq!(at["TotalAmt"].as_f64(), Some(0.0), "{at}");
    assert!(
        at["PrivateNote"]
            .as_str()
            .is_some_and(|n| n.starts_with("Voided")),
        "{at}"
    );
    let record = &stored_records(&env.store, env.connection_id(), "invoices").await[&id];
    assert!(record.deleted_at.is_none(), "a voided invoice is live");
    assert!(record.pending.is_none());
    assert_eq!(record.data["TotalAmt"].as_f64(), Some(0.0));

    let customer = env.sim.snapshot("customers").remove(0);
    let refused = env
        .stage(
            "customers",
            tether_core::local::LocalEdit::Void(RecordKey::External(
                customer["Id"].as_str().unwrap().to_owned(),
            )),
        )
        .await
        .expect_err("QuickBooks does not void customers");
    assert!(refused.to_string().contains("does not void"), "{refused}");
    let local = env
        .put(
            "invoices",
            json!({
                "CustomerRef": {"value": customer["Id"]},
                "Line": [{"Amount": 1, "DetailType": "SalesItemLineDetail",
                          "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]
            }),
        )
        .await;
    let refused = env
        .stage(
            "invoices",
            tether_core::local::LocalEdit::Void(RecordKey::Local(local)),
        )
        .await
        .expect_err("nothing to void before it is exported");
    assert!(refused.to_string().contains("nothing to void"), "{refused}");
    env.finish().await;
}

on_every_store!(
    a_cdc_answer_over_1000_changes_loses_none,
    a_resync_after_30_days_falls_back_and_catches_deletions,
    export_creates_updates_and_deletes,
    an_edit_of_a_stale_version_is_a_conflict,
    a_lost_create_answer_makes_one_object,
    a_void_keeps_the_invoice_zeroed,
);
