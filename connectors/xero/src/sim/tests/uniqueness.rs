//! Uniqueness as Xero enforces it on create: sales invoice numbers, active
//! contact names, item codes and account codes are unique; bill numbers are
//! not. Per-element results with `summarizeErrors=false`.

use reqwest::Method;
use serde_json::{Value, json};

use super::writes::{contact_id, invoice};
use super::{Sim, config};

fn numbered(contact: &str, ty: &str, number: &str) -> Value {
    let mut v = invoice(contact, if ty == "ACCPAY" { "453" } else { "200" }, "DRAFT");
    v["Type"] = json!(ty);
    v["InvoiceNumber"] = json!(number);
    if ty == "ACCPAY" {
        v["LineItems"][0]["TaxType"] = json!("INPUT2");
    }
    v
}

fn first_message(v: &Value) -> &str {
    v["Elements"][0]["ValidationErrors"][0]["Message"]
        .as_str()
        .unwrap_or_default()
}

fn count(sim: &Sim, kind: &str, field: &str, value: &str) -> usize {
    sim.h
        .snapshot(kind)
        .iter()
        .filter(|o| o[field] == value)
        .count()
}

#[tokio::test]
async fn sales_invoice_numbers_are_unique() {
    let sim = Sim::start(config(20)).await;
    let c = contact_id(&sim);
    let one = |n: &str| json!({ "Invoices": [numbered(&c, "ACCREC", n)] });
    assert_eq!(
        sim.send(Method::PUT, "Invoices", &one("S-1"))
            .await
            .status(),
        200
    );

    let r = sim.send(Method::PUT, "Invoices", &one("S-1")).await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["Type"], "ValidationException");
    assert_eq!(first_message(&v), "Invoice # must be unique.");
    assert_eq!(v["Elements"][0]["HasErrors"], true);
    assert_eq!(count(&sim, "invoices", "InvoiceNumber", "S-1"), 1);

    // One failing element leaves the rest of the batch applied.
    let batch =
        json!({ "Invoices": [numbered(&c, "ACCREC", "S-1"), numbered(&c, "ACCREC", "S-2")] });
    let r = sim
        .send(Method::PUT, "Invoices?summarizeErrors=false", &batch)
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let list = v["Invoices"].as_array().unwrap();
    assert_eq!(list[0]["HasErrors"], true);
    assert_eq!(list[0]["StatusAttributeString"], "ERROR");
    assert_eq!(
        list[0]["ValidationErrors"][0]["Message"],
        "Invoice # must be unique."
    );
    assert_eq!(list[1]["StatusAttributeString"], "OK");
    assert_eq!(count(&sim, "invoices", "InvoiceNumber", "S-1"), 1);
    assert_eq!(count(&sim, "invoices", "InvoiceNumber", "S-2"), 1);

    // POST without an id finds the invoice by its number and updates it.
    let mut update = numbered(&c, "ACCREC", "S-2");
    update["Reference"] = json!("matched by number");
    let r = sim
        .send(Method::POST, "Invoices", &json!({ "Invoices": [update] }))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(count(&sim, "invoices", "InvoiceNumber", "S-2"), 1);
    assert_eq!(count(&sim, "invoices", "Reference", "matched by number"), 1);
}

#[tokio::test]
async fn bill_numbers_are_not_unique() {
    let sim = Sim::start(config(20)).await;
    let c = contact_id(&sim);
    let one = |ty: &str| json!({ "Invoices": [numbered(&c, ty, "B-7")] });
    let mut ids = Vec::new();
    for (method, ty) in [
        (Method::PUT, "ACCPAY"),
        (Method::PUT, "ACCPAY"),
        (Method::POST, "ACCPAY"),
        (Method::PUT, "ACCREC"),
        (Method::POST, "ACCPAY"),
    ] {
        let r = sim.send(method, "Invoices", &one(ty)).await;
        assert_eq!(r.status(), 200, "{ty}");
        let v: Value = r.json().await.unwrap();
        ids.push(v["Invoices"][0]["InvoiceID"].clone());
    }
    ids.sort_by_key(|v| v.to_string());
    ids.dedup();
    assert_eq!(ids.len(), 5, "every bill is a separate object");
    assert_eq!(count(&sim, "invoices", "InvoiceNumber", "B-7"), 5);
}

#[tokio::test]
async fn active_contact_names_are_unique() {
    let sim = Sim::start(config(30)).await;
    let contacts = sim.h.snapshot("contacts");
    let active = contacts
        .iter()
        .find(|c| c["ContactStatus"] == "ACTIVE")
        .unwrap();
    let name = active["Name"].as_str().unwrap().to_string();
    let expected = format!(
        "The contact name {name} is already assigned to another contact. The contact name must be unique across all active contacts."
    );
    let r = sim
        .send(
            Method::PUT,
            "Contacts",
            &json!({ "Contacts": [{ "Name": name }] }),
        )
        .await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(first_message(&v), expected);
    assert_eq!(v["Elements"][0]["HasValidationErrors"], true);

    let batch = json!({ "Contacts": [{ "Name": name }, { "Name": "A brand new customer" }] });
    let r = sim
        .send(Method::PUT, "Contacts?summarizeErrors=false", &batch)
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let list = v["Contacts"].as_array().unwrap();
    assert_eq!(list[0]["HasValidationErrors"], true);
    assert_eq!(list[0]["ValidationErrors"][0]["Message"], expected.as_str());
    assert_eq!(list[1]["ContactStatus"], "ACTIVE");
    assert_eq!(count(&sim, "contacts", "Name", "A brand new customer"), 1);
    assert_eq!(count(&sim, "contacts", "Name", &name), 1);

    // An archived contact's name is free.
    let archived = contacts
        .iter()
        .find(|c| c["ContactStatus"] == "ARCHIVED")
        .expect("the generator archives some contacts");
    let old = archived["Name"].as_str().unwrap();
    let r = sim
        .send(
            Method::PUT,
            "Contacts",
            &json!({ "Contacts": [{ "Name": old }] }),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(count(&sim, "contacts", "Name", old), 2);
}

#[tokio::test]
async fn item_codes_are_unique() {
    let sim = Sim::start(config(30)).await;
    let code = sim.h.snapshot("items")[0]["Code"]
        .as_str()
        .unwrap()
        .to_string();
    let r = sim
        .send(
            Method::PUT,
            "Items?summarizeErrors=false",
            &json!({ "Items": [{ "Code": code, "Name": "Twin" }, { "Code": "NEW-1", "Name": "New" }] }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let list = v["Items"].as_array().unwrap();
    assert_eq!(
        list[0]["ValidationErrors"][0]["Message"],
        format!("Price List Item with Code '{code}' already exists").as_str()
    );
    assert_eq!(list[0]["StatusAttributeString"], "ERROR");
    assert_eq!(list[1]["StatusAttributeString"], "OK");
    assert_eq!(count(&sim, "items", "Code", &code), 1);
    assert_eq!(count(&sim, "items", "Code", "NEW-1"), 1);
}

#[tokio::test]
async fn account_codes_are_unique() {
    let sim = Sim::start(config(20)).await;
    let code = sim.h.snapshot("accounts")[0]["Code"]
        .as_str()
        .unwrap()
        .to_string();
    let r = sim
        .send(
            Method::PUT,
            "Accounts",
            &json!({ "Code": code, "Name": "A name nobody has", "Type": "EXPENSE" }),
        )
        .await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(first_message(&v), "Please enter a unique Code.");
    assert_eq!(count(&sim, "accounts", "Code", &code), 1);
    assert_eq!(count(&sim, "accounts", "Name", "A name nobody has"), 0);
}
