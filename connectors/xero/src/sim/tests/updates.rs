//! Updates as an export sends them: line items replaced as a whole, status
//! changes a document does not allow, contacts archived and restored.

use reqwest::Method;
use serde_json::{Value, json};

use super::writes::{contact_id, invoice};
use super::{Sim, config};

fn message(v: &Value) -> String {
    v["Elements"][0]["ValidationErrors"][0]["Message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A refused invoice update: checks Xero's validation body, answers its message.
async fn refused(sim: &Sim, path: String, body: Value) -> String {
    let r = sim
        .send(Method::POST, &path, &json!({ "Invoices": [body] }))
        .await;
    assert_eq!(r.status(), 400, "{path}");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["ErrorNumber"], 10);
    assert_eq!(v["Type"], "ValidationException");
    assert_eq!(v["Message"], "A validation exception occurred");
    assert_eq!(v["Elements"][0]["HasErrors"], true);
    message(&v)
}

/// Whether the default contact listing (archived ones left out) shows `id`.
async fn listed(sim: &Sim, id: &str) -> bool {
    let v = sim.get_json("Contacts?page=1&pageSize=1000").await;
    v["Contacts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["ContactID"] == id)
}

/// Creates an invoice and answers its id.
async fn create(sim: &Sim, body: Value) -> String {
    let r = sim
        .send(Method::PUT, "Invoices", &json!({ "Invoices": [body] }))
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    v["Invoices"][0]["InvoiceID"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn line_items_without_ids_replace_all_lines() {
    let sim = Sim::start(config(20)).await;
    let mut body = invoice(&contact_id(&sim), "200", "DRAFT");
    body["LineItems"] = json!([
        { "Description": "One", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200" },
        { "Description": "Two", "Quantity": 2, "UnitAmount": 10, "AccountCode": "200" },
    ]);
    let id = create(&sim, body).await;
    let v = sim.get_json(&format!("Invoices/{id}")).await;
    let old: Vec<Value> = v["Invoices"][0]["LineItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["LineItemID"].clone())
        .collect();
    assert_eq!(old.len(), 2);

    let update = json!({ "Invoices": [{ "LineItems": [
        { "Description": "Only", "Quantity": 3, "UnitAmount": 5, "AccountCode": "200", "TaxType": "NONE" },
    ] }] });
    let r = sim
        .send(Method::POST, &format!("Invoices/{id}"), &update)
        .await;
    assert_eq!(r.status(), 200);
    let v = sim.get_json(&format!("Invoices/{id}")).await;
    let inv = &v["Invoices"][0];
    let lines = inv["LineItems"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "the old lines are gone");
    assert_eq!(lines[0]["Description"], "Only");
    assert!(!old.contains(&lines[0]["LineItemID"]), "a new line id");
    assert_eq!(inv["Total"].as_f64(), Some(15.0));
}

#[tokio::test]
async fn status_changes_documents_do_not_allow_are_refused() {
    let sim = Sim::start(config(40)).await;
    let contact = contact_id(&sim);
    let draft = create(&sim, invoice(&contact, "200", "DRAFT")).await;
    let m = refused(
        &sim,
        format!("Invoices/{draft}"),
        json!({ "Status": "VOIDED" }),
    )
    .await;
    assert_eq!(
        m,
        "An invoice with status DRAFT cannot be voided; delete it instead."
    );

    let authorised = create(&sim, invoice(&contact, "200", "AUTHORISED")).await;
    let m = refused(
        &sim,
        format!("Invoices/{authorised}"),
        json!({ "Status": "DELETED" }),
    )
    .await;
    assert_eq!(
        m,
        "An AUTHORISED invoice cannot be deleted; void it instead."
    );

    let paid = sim
        .h
        .snapshot("invoices")
        .into_iter()
        .find(|i| i["Status"] == "PAID")
        .expect("the generator pays some invoices");
    let paid_id = paid["InvoiceID"].as_str().unwrap();
    let m = refused(
        &sim,
        format!("Invoices/{paid_id}"),
        json!({ "Reference": "edited after payment" }),
    )
    .await;
    assert_eq!(
        m,
        "This document cannot be edited as it has a payment or credit note allocated to it."
    );
    let v = sim.get_json(&format!("Invoices/{paid_id}")).await;
    assert_eq!(v["Invoices"][0]["Reference"], paid["Reference"]);
    assert_eq!(v["Invoices"][0]["Status"], "PAID");
}

#[tokio::test]
async fn contacts_are_archived_and_restored_by_post() {
    let sim = Sim::start(config(30)).await;
    let id = contact_id(&sim);
    let status = |s: &str| json!({ "Contacts": [{ "ContactID": id, "ContactStatus": s }] });

    let r = sim
        .send(Method::POST, "Contacts", &status("ARCHIVED"))
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["Contacts"][0]["ContactStatus"], "ARCHIVED");
    assert!(!listed(&sim, &id).await, "archived contacts are not listed");

    let r = sim.send(Method::POST, "Contacts", &status("ACTIVE")).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["Contacts"][0]["ContactStatus"], "ACTIVE");
    assert!(listed(&sim, &id).await, "restored");

    // Restoring is refused while another active contact has taken the name.
    let name = v["Contacts"][0]["Name"].as_str().unwrap().to_string();
    let r = sim
        .send(Method::POST, "Contacts", &status("ARCHIVED"))
        .await;
    assert_eq!(r.status(), 200);
    let r = sim
        .send(
            Method::PUT,
            "Contacts",
            &json!({ "Contacts": [{ "Name": name }] }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = sim
        .send(Method::POST, &format!("Contacts/{id}"), &status("ACTIVE"))
        .await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert!(message(&v).contains("must be unique across all active contacts"));
}
