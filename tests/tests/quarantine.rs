//! An object that does not parse is quarantined with an error naming its
//! kind, id and field; the rest of the page and of the run go on.

use serde_json::json;
use tether_core::store::{RunStatus, Store};
use tether_tests::{Backend, Env, on_every_store, sim_config, stored_records};

async fn malformed_objects_are_quarantined(backend: Backend) {
    let Some(env) = Env::start(backend, sim_config(1500)).await else {
        return;
    };
    let invoices = env.sim.snapshot("invoices");
    let bad_total = invoices[10]["InvoiceID"].as_str().unwrap().to_owned();
    let bad_date = invoices[1200]["InvoiceID"].as_str().unwrap().to_owned();
    assert!(
        env.sim
            .corrupt("invoices", &bad_total, "Total", json!("not-a-number"))
    );
    assert!(
        env.sim
            .corrupt("invoices", &bad_date, "Date", json!("banana"))
    );

    let reports = env.sync(&["invoices", "contacts"]).await;
    for r in &reports {
        assert_eq!(r.status, RunStatus::Succeeded, "{}: {:?}", r.kind, r.error);
    }
    let invoices_report = reports.iter().find(|r| r.kind == "invoices").unwrap();
    assert_eq!(invoices_report.counts.fetched, 1500);
    assert_eq!(invoices_report.counts.quarantined, 2);
    assert_eq!(invoices_report.counts.stored, 1498);

    let stored = stored_records(&env.store, env.session.connection.id, "invoices").await;
    assert_eq!(stored.len(), 1498);
    assert!(!stored.contains_key(&bad_total) && !stored.contains_key(&bad_date));

    let quarantined = env
        .store
        .quarantined(env.session.connection.id, 10)
        .await
        .unwrap();
    assert_eq!(quarantined.len(), 2);
    let total_entry = quarantined
        .iter()
        .find(|q| q.external_id.as_deref() == Some(&bad_total))
        .unwrap();
    assert!(
        total_entry.error.contains("invoices"),
        "{}",
        total_entry.error
    );
    assert!(
        total_entry.error.contains(&bad_total),
        "{}",
        total_entry.error
    );
    assert!(
        total_entry.error.contains("`Total`"),
        "{}",
        total_entry.error
    );
    assert!(
        total_entry.payload.contains("not-a-number"),
        "the payload is kept whole"
    );
    let date_entry = quarantined
        .iter()
        .find(|q| q.external_id.as_deref() == Some(&bad_date))
        .unwrap();
    assert!(date_entry.error.contains("`Date`"), "{}", date_entry.error);
    env.finish().await;
}

on_every_store!(malformed_objects_are_quarantined);
