//! A full sync is also a reconciliation: after the provider deletes, voids or
//! archives objects, the next full sync shows each the way it happened; an
//! archived contact is deleted by its status and live again once restored.

use reqwest::{Method, StatusCode};
use serde_json::json;
use tether_core::store::RunStatus;
use tether_tests::{
    Backend, Env, XeroApp, assert_store_matches_provider, on_every_store, sim_config,
    stored_records,
};

async fn provider_deletions_show_after_a_full_sync(backend: Backend) {
    let Some(env) = Env::start(backend, sim_config(400)).await else {
        return;
    };
    let kinds = ["items", "invoices", "contacts"];
    env.sync(&kinds).await;
    let conn = env.session.connection.id;
    let app = XeroApp::connect(&env.sim).await;

    // Items are hard-deleted: they vanish.
    let item = env.sim.snapshot("items")[0]["ItemID"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = app
        .call(Method::DELETE, &format!("Items/{item}"), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // An authorised invoice is voided: it stays listed with its status.
    let invoice = env
        .sim
        .snapshot("invoices")
        .into_iter()
        .find(|i| i["Status"] == "AUTHORISED" && i["AmountPaid"].as_f64() == Some(0.0))
        .expect("an unpaid authorised invoice");
    let invoice_id = invoice["InvoiceID"].as_str().unwrap().to_owned();
    let (status, body) = app
        .call(
            Method::POST,
            &format!("Invoices/{invoice_id}"),
            Some(json!({"Invoices": [{"InvoiceID": invoice_id, "Status": "VOIDED"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A contact is archived: deleted by its status, its values kept.
    let contact = env
        .sim
        .snapshot("contacts")
        .into_iter()
        .find(|c| c["ContactStatus"] == "ACTIVE")
        .expect("an active contact");
    let contact_id = contact["ContactID"].as_str().unwrap().to_owned();
    let (status, body) = app
        .call(
            Method::POST,
            &format!("Contacts/{contact_id}"),
            Some(json!({"Contacts": [{"ContactID": contact_id, "ContactStatus": "ARCHIVED"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    for r in env.sync(&kinds).await {
        assert_eq!(r.status, RunStatus::Succeeded, "{}: {:?}", r.kind, r.error);
    }
    let items = stored_records(&env.store, conn, "items").await;
    assert!(
        items[&item].deleted_at.is_some(),
        "the deleted item is marked deleted"
    );
    assert_eq!(items[&item].deletion_source.as_deref(), Some("vanish"));
    let invoices = stored_records(&env.store, conn, "invoices").await;
    assert_eq!(
        invoices[&invoice_id].deletion_source.as_deref(),
        Some("status")
    );
    assert_eq!(invoices[&invoice_id].data["Status"], "VOIDED");
    let contacts = stored_records(&env.store, conn, "contacts").await;
    assert!(
        contacts[&contact_id].deleted_at.is_some(),
        "archived is deleted"
    );
    assert_eq!(
        contacts[&contact_id].deletion_source.as_deref(),
        Some("status")
    );
    assert_eq!(contacts[&contact_id].data["ContactStatus"], "ARCHIVED");
    assert_store_matches_provider(&env.store, conn, &env.sim, &kinds).await;

    // Restored at the provider: live again.
    let (status, body) = app
        .call(
            Method::POST,
            &format!("Contacts/{contact_id}"),
            Some(json!({"Contacts": [{"ContactID": contact_id, "ContactStatus": "ACTIVE"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    env.sync(&["contacts"]).await;
    let contacts = stored_records(&env.store, conn, "contacts").await;
    assert!(
        contacts[&contact_id].deleted_at.is_none(),
        "restored is live"
    );
    env.finish().await;
}

on_every_store!(provider_deletions_show_after_a_full_sync);
