//! The changes Xero documents as not bumping `UpdatedDateUTC`: the content
//! changes, the timestamp does not, and a modified-since pull from after the
//! last bump does not return the object. Each comes from an API call a Xero
//! user makes.

use reqwest::Method;
use serde_json::{Value, json};

use super::writes::{contact_id, invoice};
use super::{Sim, config, next_second};

/// A write that must succeed; answers its first object.
async fn ok(sim: &Sim, method: Method, path: &str, body: Value) -> Value {
    let r = sim.send(method, path, &body).await;
    assert_eq!(r.status(), 200, "{path}");
    let v: Value = r.json().await.unwrap();
    let key = path.split('/').next().unwrap();
    v[key][0].clone()
}

/// An AUTHORISED invoice of 46.00 with 10.00 paid: partially paid.
async fn partly_paid(sim: &Sim) -> String {
    let inv = ok(
        sim,
        Method::PUT,
        "Invoices",
        json!({ "Invoices": [invoice(&contact_id(sim), "200", "AUTHORISED")] }),
    )
    .await;
    let id = inv["InvoiceID"].as_str().unwrap().to_string();
    ok(
        sim,
        Method::PUT,
        "Payments",
        json!({ "Invoice": { "InvoiceID": id }, "Account": { "Code": "090" }, "Amount": 10 }),
    )
    .await;
    let inv = sim.one("Invoices", &id).await;
    assert_eq!(inv["Status"], "AUTHORISED");
    assert_eq!(inv["AmountPaid"].as_f64(), Some(10.0));
    id
}

#[tokio::test]
async fn due_date_and_sent_to_contact_of_partly_paid_invoices_keep_the_timestamp() {
    let sim = Sim::start(config(30)).await;
    let id = partly_paid(&sim).await;
    let path = format!("Invoices/{id}");
    let stamp = sim.one("Invoices", &id).await["UpdatedDateUTC"].clone();
    let since = next_second().await;

    let inv = ok(
        &sim,
        Method::POST,
        &path,
        json!({ "DueDate": "2019-05-01" }),
    )
    .await;
    assert_eq!(inv["DueDateString"], "2019-05-01T00:00:00");
    assert_eq!(inv["UpdatedDateUTC"], stamp);
    let inv = ok(
        &sim,
        Method::POST,
        &path,
        json!({ "Invoices": [{ "InvoiceID": id, "Status": "AUTHORISED", "SentToContact": true }] }),
    )
    .await;
    assert_eq!(inv["SentToContact"], true);
    assert_eq!(inv["UpdatedDateUTC"], stamp);
    assert!(
        sim.pull("Invoices", &since).await.is_empty(),
        "the pull misses both changes"
    );
    let now = sim.one("Invoices", &id).await;
    assert_eq!(now["DueDateString"], "2019-05-01T00:00:00");
    assert_eq!(now["SentToContact"], true);

    // Any other change is journalled as usual.
    ok(&sim, Method::POST, &path, json!({ "Reference": "PO 7" })).await;
    let pulled = sim.pull("Invoices", &since).await;
    assert_eq!(pulled.len(), 1);
    assert_ne!(pulled[0]["UpdatedDateUTC"], stamp);
}

#[tokio::test]
async fn due_date_of_an_unpaid_invoice_bumps_the_timestamp() {
    let sim = Sim::start(config(30)).await;
    let inv = ok(
        &sim,
        Method::PUT,
        "Invoices",
        json!({ "Invoices": [invoice(&contact_id(&sim), "200", "AUTHORISED")] }),
    )
    .await;
    let id = inv["InvoiceID"].as_str().unwrap();
    let since = next_second().await;
    ok(
        &sim,
        Method::POST,
        &format!("Invoices/{id}"),
        json!({ "DueDate": "2019-05-01" }),
    )
    .await;
    assert_eq!(
        sim.pulled_ids("Invoices", "InvoiceID", &since).await,
        vec![id.to_string()]
    );
}

#[tokio::test]
async fn invoices_and_bills_mark_the_contact_without_a_new_timestamp() {
    let sim = Sim::start(config(30)).await;
    let c = ok(
        &sim,
        Method::PUT,
        "Contacts",
        json!({ "Name": "Both Ways Ltd" }),
    )
    .await;
    let id = c["ContactID"].as_str().unwrap().to_string();
    assert_eq!(c["IsCustomer"], false);
    assert_eq!(c["IsSupplier"], false);
    let stamp = c["UpdatedDateUTC"].clone();
    let since = next_second().await;

    ok(
        &sim,
        Method::PUT,
        "Invoices",
        json!({ "Invoices": [invoice(&id, "200", "DRAFT")] }),
    )
    .await;
    let now = sim.one("Contacts", &id).await;
    assert_eq!(now["IsCustomer"], true);
    assert_eq!(now["IsSupplier"], false);
    assert_eq!(now["UpdatedDateUTC"], stamp);

    let mut bill = invoice(&id, "400", "AUTHORISED");
    bill["Type"] = json!("ACCPAY");
    bill["LineItems"][0]["TaxType"] = json!("INPUT2");
    ok(&sim, Method::PUT, "Invoices", json!({ "Invoices": [bill] })).await;
    let now = sim.one("Contacts", &id).await;
    assert_eq!(now["IsSupplier"], true);
    assert_eq!(now["UpdatedDateUTC"], stamp);
    assert!(
        sim.pulled_ids("Contacts", "ContactID", &since)
            .await
            .is_empty(),
        "the pull misses the contact"
    );
    // The flags are not the client's to set.
    let r = sim
        .send(
            Method::POST,
            &format!("Contacts/{id}"),
            &json!({ "IsCustomer": false }),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(sim.one("Contacts", &id).await["IsCustomer"], true);
}
