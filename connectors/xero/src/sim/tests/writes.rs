//! Writes: totals, status transitions, batches, idempotency, deletes.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Sim, config, ms};

pub(super) fn contact_id(sim: &Sim) -> String {
    sim.h
        .snapshot("contacts")
        .iter()
        .find(|c| c["ContactStatus"] == "ACTIVE")
        .and_then(|c| c["ContactID"].as_str())
        .unwrap()
        .to_string()
}

pub(super) fn invoice(contact: &str, account: &str, status: &str) -> Value {
    json!({
        "Type": "ACCREC",
        "Contact": { "ContactID": contact },
        "LineItems": [{ "Description": "Acme Tires", "Quantity": 2, "UnitAmount": 20, "AccountCode": account, "TaxType": "OUTPUT2" }],
        "Date": "2019-03-11",
        "DueDate": "2019-03-25",
        "Reference": "Website Design",
        "Status": status,
    })
}

#[tokio::test]
async fn invoice_totals_and_status_transitions() {
    let sim = Sim::start(config(40)).await;
    let before = sim.h.snapshot("invoices").len();
    let started = chrono::Utc::now().timestamp_millis();
    let r = sim
        .send(
            Method::PUT,
            "Invoices",
            &json!({ "Invoices": [invoice(&contact_id(&sim), "200", "DRAFT")] }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("\"SubTotal\":40.00,\"TotalTax\":6.00,\"Total\":46.00"),
        "{text}"
    );
    let v: Value = serde_json::from_str(&text).unwrap();
    let inv = &v["Invoices"][0];
    assert_eq!(inv["AmountDue"].as_f64(), Some(46.0));
    assert_eq!(inv["StatusAttributeString"], "OK");
    assert_eq!(inv["DateString"], "2019-03-11T00:00:00");
    assert_eq!(inv["Date"], "/Date(1552262400000+0000)/");
    assert!(inv["InvoiceNumber"].as_str().unwrap().starts_with("INV-"));
    assert!(ms(&inv["UpdatedDateUTC"]) >= started);
    let id = inv["InvoiceID"].as_str().unwrap().to_string();
    assert_eq!(sim.h.snapshot("invoices").len(), before + 1);

    let status = |s: &str| json!({ "Invoices": [{ "Status": s }] });
    let r = sim
        .send(
            Method::POST,
            &format!("Invoices/{id}"),
            &status("AUTHORISED"),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = sim
        .send(Method::POST, &format!("Invoices/{id}"), &status("DELETED"))
        .await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["ErrorNumber"], 10);
    assert_eq!(v["Type"], "ValidationException");
    assert!(
        v["Elements"][0]["ValidationErrors"][0]["Message"]
            .as_str()
            .unwrap()
            .contains("void")
    );
    let r = sim
        .send(Method::POST, &format!("Invoices/{id}"), &status("VOIDED"))
        .await;
    assert_eq!(r.status(), 200);
    let v = sim.get_json(&format!("Invoices/{id}")).await;
    assert_eq!(v["Invoices"][0]["Status"], "VOIDED");
    assert_eq!(v["Invoices"][0]["AmountDue"].as_f64(), Some(0.0));
    // Voided invoices stay listed.
    let v = sim.get_json(&format!("Invoices?IDs={id}&page=1")).await;
    assert_eq!(v["Invoices"].as_array().unwrap().len(), 1);
    let r = sim
        .send(
            Method::POST,
            &format!("Invoices/{}", uuid::Uuid::new_v4()),
            &status("DRAFT"),
        )
        .await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn summarize_errors_whole_batch_or_per_element() {
    let sim = Sim::start(config(40)).await;
    let contact = contact_id(&sim);
    let before = sim.h.snapshot("invoices").len();
    let body = json!({ "Invoices": [invoice(&contact, "200", "DRAFT"), invoice(&contact, "999", "DRAFT")] });
    let r = sim.send(Method::PUT, "Invoices", &body).await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["Message"], "A validation exception occurred");
    let elements = v["Elements"].as_array().unwrap();
    assert_eq!(elements.len(), 1);
    let msg = elements[0]["ValidationErrors"][0]["Message"]
        .as_str()
        .unwrap();
    assert!(msg.contains("'999'"), "{msg}");
    assert_eq!(sim.h.snapshot("invoices").len(), before, "nothing saved");

    let r = sim
        .send(Method::PUT, "Invoices?summarizeErrors=false", &body)
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let list = v["Invoices"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["StatusAttributeString"], "OK");
    assert_eq!(list[1]["HasErrors"], true);
    assert_eq!(list[1]["StatusAttributeString"], "ERROR");
    assert!(
        list[1]["ValidationErrors"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );
    assert_eq!(
        sim.h.snapshot("invoices").len(),
        before + 1,
        "valid one saved"
    );

    let r = sim
        .req(Method::PUT, "Invoices")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["Type"], "PostDataInvalidException");
}

#[tokio::test]
async fn idempotency_key_replays_the_stored_response() {
    let sim = Sim::start(config(30)).await;
    let body = json!({ "Invoices": [invoice(&contact_id(&sim), "200", "AUTHORISED")] });
    let before = sim.h.snapshot("invoices").len();
    let send = |b: Value| {
        sim.req(Method::PUT, "Invoices")
            .header("Idempotency-Key", "key-1")
            .json(&b)
            .send()
    };
    let first = send(body.clone()).await.unwrap().text().await.unwrap();
    let second = send(body.clone()).await.unwrap().text().await.unwrap();
    assert_eq!(first, second);
    assert_eq!(sim.h.snapshot("invoices").len(), before + 1);
    let mut other = body.clone();
    other["Invoices"][0]["Reference"] = json!("different");
    let r = send(other).await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(sim.h.snapshot("invoices").len(), before + 1);
}

#[tokio::test]
async fn items_are_hard_deleted() {
    let sim = Sim::start(config(30)).await;
    let item = sim.h.snapshot("items")[0].clone();
    let id = item["ItemID"].as_str().unwrap();
    let r = sim
        .req(Method::DELETE, &format!("Items/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(sim.get(&format!("Items/{id}")).await.status(), 404);
    let v = sim.get_json("Items").await;
    assert!(
        v["Items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["ItemID"] != item["ItemID"])
    );
    assert!(
        sim.h
            .snapshot("items")
            .iter()
            .all(|i| i["ItemID"] != item["ItemID"])
    );
    assert_eq!(
        sim.req(Method::DELETE, &format!("Items/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // Invoices cannot be deleted with DELETE.
    let inv = sim.h.snapshot("invoices")[0]["InvoiceID"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        sim.req(Method::DELETE, &format!("Invoices/{inv}"))
            .send()
            .await
            .unwrap()
            .status(),
        405
    );
    // Item codes are unique; POST with a known code updates that item.
    let code = sim.h.snapshot("items")[0]["Code"]
        .as_str()
        .unwrap()
        .to_string();
    let r = sim
        .send(
            Method::PUT,
            "Items",
            &json!({ "Items": [{ "Code": code }] }),
        )
        .await;
    assert_eq!(r.status(), 400);
    let r = sim
        .send(
            Method::POST,
            "Items",
            &json!({ "Items": [{ "Code": code, "Name": "Renamed" }] }),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert!(
        sim.h
            .snapshot("items")
            .iter()
            .any(|i| i["Code"] == code.as_str() && i["Name"] == "Renamed")
    );
}

#[tokio::test]
async fn contacts_archive_and_unique_names() {
    let sim = Sim::start(config(30)).await;
    let c = sim
        .h
        .snapshot("contacts")
        .into_iter()
        .find(|c| c["ContactStatus"] == "ACTIVE")
        .unwrap();
    let r = sim
        .send(
            Method::PUT,
            "Contacts",
            &json!({ "Contacts": [{ "Name": c["Name"] }] }),
        )
        .await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["Elements"][0]["ValidationErrors"][0]["Message"]
            .as_str()
            .unwrap()
            .contains("must be unique")
    );
    assert_eq!(v["Elements"][0]["HasValidationErrors"], true);
    let id = c["ContactID"].as_str().unwrap();
    let since = chrono::Utc::now().to_rfc3339();
    // UpdatedDateUTC has millisecond precision: let the clock move on.
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    let r = sim
        .send(
            Method::POST,
            &format!("Contacts/{id}"),
            &json!({ "ContactStatus": "ARCHIVED" }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let v = sim.get_json("Contacts?page=1&pageSize=1000").await;
    assert!(
        v["Contacts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["ContactID"] != id)
    );
    // The write bumped UpdatedDateUTC: a modified-since read finds it.
    let r = sim
        .req(Method::GET, "Contacts?includeArchived=true")
        .header("If-Modified-Since", since)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert!(
        v["Contacts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["ContactID"] == id)
    );
}
