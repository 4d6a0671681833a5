//! Every change a Xero user makes through the API bumps `UpdatedDateUTC`, so
//! a modified-since pull returns the changed object — deleted and voided
//! documents included, with their status — while a hard-deleted item is
//! simply gone.

use reqwest::Method;
use serde_json::{Value, json};

use super::writes::{contact_id, invoice};
use super::{Sim, config, ms, since_now};
use crate::sim::SimHandle;

/// Sends a write that must succeed and answers its first object.
async fn ok(sim: &Sim, method: Method, path: &str, body: Value) -> Value {
    let r = sim.send(method, path, &body).await;
    assert_eq!(r.status(), 200, "{path}");
    let v: Value = r.json().await.unwrap();
    let key = path.split(['/', '?']).next().unwrap();
    v[key][0].clone()
}

/// Asserts that a pull from `since` returns exactly `id` of `collection`.
async fn pulled_alone(sim: &Sim, collection: &str, field: &str, since: &str, id: &str) {
    let got = sim.pulled_ids(collection, field, since).await;
    assert_eq!(got, vec![id.to_string()], "{collection} since {since}");
}

/// Sends `body` to `{collection}/{id}` and checks that the write moved the
/// object's `UpdatedDateUTC` forward and that a pull from just before it
/// returns the object, the only one the write changed; answers the object
/// as pulled.
async fn bumps(sim: &Sim, method: Method, collection: &str, id: &str, body: Value) -> Value {
    let field = SimHandle::id_field(&collection.to_ascii_lowercase());
    let before = ms(&sim.one(collection, id).await["UpdatedDateUTC"]);
    let since = since_now();
    // UpdatedDateUTC has millisecond precision: let the clock move on.
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    let start = chrono::Utc::now().timestamp_millis();
    ok(sim, method, &format!("{collection}/{id}"), body.clone()).await;
    let pulled = sim.pull(collection, &since).await;
    let (mine, others): (Vec<Value>, Vec<Value>) = pulled.into_iter().partition(|o| o[field] == id);
    assert_eq!(mine.len(), 1, "{collection} {body}");
    assert!(ms(&mine[0]["UpdatedDateUTC"]) > before, "{body}");
    // Others in the pull were written earlier in the same second.
    assert!(
        others.iter().all(|o| ms(&o["UpdatedDateUTC"]) < start),
        "{body}"
    );
    mine[0].clone()
}

#[tokio::test]
async fn contact_create_edit_archive_restore_each_bump() {
    let sim = Sim::start(config(30)).await;
    let since = since_now();
    let c = ok(
        &sim,
        Method::PUT,
        "Contacts",
        json!({ "Name": "Resync Ltd" }),
    )
    .await;
    let id = c["ContactID"].as_str().unwrap().to_string();
    pulled_alone(&sim, "Contacts", "ContactID", &since, &id).await;

    let steps = [
        json!({ "EmailAddress": "ap@resync.example" }),
        json!({ "ContactStatus": "ARCHIVED" }),
        json!({ "ContactStatus": "ACTIVE" }),
    ];
    for body in steps {
        let now = bumps(&sim, Method::POST, "Contacts", &id, body.clone()).await;
        for (k, v) in body.as_object().unwrap() {
            assert_eq!(&now[k], v);
        }
    }
}

#[tokio::test]
async fn invoice_create_edit_delete_void_each_bump_and_stay_listed() {
    let sim = Sim::start(config(30)).await;
    let contact = contact_id(&sim);
    let since = since_now();
    let draft = ok(
        &sim,
        Method::PUT,
        "Invoices",
        json!({ "Invoices": [invoice(&contact, "200", "DRAFT")] }),
    )
    .await;
    let draft_id = draft["InvoiceID"].as_str().unwrap().to_string();
    pulled_alone(&sim, "Invoices", "InvoiceID", &since, &draft_id).await;

    for (body, status) in [
        (json!({ "Reference": "edited" }), "DRAFT"),
        (json!({ "Status": "DELETED" }), "DELETED"),
    ] {
        let now = bumps(&sim, Method::POST, "Invoices", &draft_id, body).await;
        assert_eq!(now["Status"], status);
    }
    // A deleted invoice stays listed, with its status.
    let v = sim
        .get_json(&format!("Invoices?IDs={draft_id}&page=1"))
        .await;
    assert_eq!(v["Invoices"][0]["Status"], "DELETED");

    let approved = ok(
        &sim,
        Method::PUT,
        "Invoices",
        json!({ "Invoices": [invoice(&contact, "200", "AUTHORISED")] }),
    )
    .await;
    let id = approved["InvoiceID"].as_str().unwrap().to_string();
    let now = bumps(
        &sim,
        Method::POST,
        "Invoices",
        &id,
        json!({ "Status": "VOIDED" }),
    )
    .await;
    assert_eq!(now["Status"], "VOIDED");
    let v = sim.get_json(&format!("Invoices?IDs={id}&page=1")).await;
    assert_eq!(
        v["Invoices"][0]["Status"], "VOIDED",
        "voided invoices stay listed"
    );
}

#[tokio::test]
async fn payments_bump_the_invoice_when_applied_and_deleted() {
    let sim = Sim::start(config(30)).await;
    let inv = ok(
        &sim,
        Method::PUT,
        "Invoices",
        json!({ "Invoices": [invoice(&contact_id(&sim), "200", "AUTHORISED")] }),
    )
    .await;
    let id = inv["InvoiceID"].as_str().unwrap().to_string();
    let bank = sim
        .h
        .snapshot("accounts")
        .into_iter()
        .find(|a| a["Type"] == "BANK" && a["Status"] == "ACTIVE")
        .unwrap();
    let since = since_now();
    let p = ok(
        &sim,
        Method::PUT,
        "Payments",
        json!({ "Invoice": { "InvoiceID": id }, "Account": { "Code": bank["Code"] }, "Amount": 10 }),
    )
    .await;
    let pid = p["PaymentID"].as_str().unwrap().to_string();
    pulled_alone(&sim, "Payments", "PaymentID", &since, &pid).await;
    let pulled = sim.pull("Invoices", &since).await;
    assert_eq!(
        pulled.len(),
        1,
        "applying a payment journals: the invoice is modified"
    );
    assert_eq!(pulled[0]["AmountPaid"].as_f64(), Some(10.0));

    let since = since_now();
    ok(
        &sim,
        Method::POST,
        &format!("Payments/{pid}"),
        json!({ "Status": "DELETED" }),
    )
    .await;
    let pulled = sim.pull("Payments", &since).await;
    assert_eq!(
        pulled[0]["Status"], "DELETED",
        "deleted payments stay listed"
    );
    let pulled = sim.pull("Invoices", &since).await;
    assert_eq!(pulled.len(), 1);
    assert_eq!(pulled[0]["AmountPaid"].as_f64(), Some(0.0));
}

#[tokio::test]
async fn items_bump_on_create_and_edit_and_vanish_when_deleted() {
    let sim = Sim::start(config(30)).await;
    let since = since_now();
    let it = ok(
        &sim,
        Method::PUT,
        "Items",
        json!({ "Items": [{ "Code": "RESYNC-1", "Name": "Resync widget" }] }),
    )
    .await;
    let id = it["ItemID"].as_str().unwrap().to_string();
    pulled_alone(&sim, "Items", "ItemID", &since, &id).await;
    let now = bumps(
        &sim,
        Method::POST,
        "Items",
        &id,
        json!({ "Items": [{ "Name": "Renamed widget" }] }),
    )
    .await;
    assert_eq!(now["Name"], "Renamed widget");

    let since = since_now();
    let r = sim
        .req(Method::DELETE, &format!("Items/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(
        sim.pull("Items", &since).await.is_empty(),
        "nothing says it went"
    );
    assert_eq!(sim.get(&format!("Items/{id}")).await.status(), 404);
    let v = sim.get_json("Items").await;
    assert!(
        v["Items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["ItemID"] != id.as_str())
    );
}

#[tokio::test]
async fn accounts_bump_on_archive_and_restore() {
    let sim = Sim::start(config(30)).await;
    let a = ok(
        &sim,
        Method::PUT,
        "Accounts",
        json!({ "Code": "4711", "Name": "Resync costs", "Type": "EXPENSE" }),
    )
    .await;
    let id = a["AccountID"].as_str().unwrap().to_string();
    for status in ["ARCHIVED", "ACTIVE"] {
        let body = json!({ "Accounts": [{ "Status": status }] });
        let now = bumps(&sim, Method::POST, "Accounts", &id, body).await;
        assert_eq!(now["Status"], status);
        // Accounts have no includeArchived: archived ones are listed.
        let v = sim.get_json("Accounts").await;
        assert!(
            v["Accounts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["AccountID"] == id.as_str() && a["Status"] == status)
        );
    }
}
