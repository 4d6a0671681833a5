//! Hard deletes of accounts: an unused account goes for good (absent from
//! every listing, 404 by id, never reported by a modified-since pull); a
//! used or system account is refused and can be archived instead.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Sim, config, since_now};

async fn delete(sim: &Sim, path: &str) -> reqwest::Response {
    sim.req(Method::DELETE, path).send().await.unwrap()
}

fn listed(v: &Value, id: &str) -> bool {
    v["Accounts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["AccountID"] == id)
}

#[tokio::test]
async fn unused_accounts_are_deleted_for_good() {
    let sim = Sim::start(config(30)).await;
    let r = sim
        .send(
            Method::PUT,
            "Accounts",
            &json!({ "Code": "4712", "Name": "Short-lived", "Type": "EXPENSE" }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let id = v["Accounts"][0]["AccountID"].as_str().unwrap().to_string();
    assert!(listed(&sim.get_json("Accounts").await, &id));

    let since = since_now();
    let r = delete(&sim, &format!("Accounts/{id}")).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["Accounts"][0]["Status"], "DELETED",
        "the spec's example answer"
    );
    assert_eq!(sim.get(&format!("Accounts/{id}")).await.status(), 404);
    assert!(!listed(&sim.get_json("Accounts").await, &id));
    assert!(!listed(
        &sim.get_json("Accounts?includeArchived=true").await,
        &id
    ));
    assert!(
        sim.pull("Accounts", &since).await.is_empty(),
        "nothing reports it"
    );
    assert!(
        sim.h
            .snapshot("accounts")
            .iter()
            .all(|a| a["AccountID"] != id.as_str())
    );
    assert_eq!(delete(&sim, &format!("Accounts/{id}")).await.status(), 404);
    // The code is free again.
    let r = sim
        .send(
            Method::PUT,
            "Accounts",
            &json!({ "Code": "4712", "Name": "Short-lived", "Type": "EXPENSE" }),
        )
        .await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn used_and_system_accounts_are_refused_and_archived_instead() {
    let sim = Sim::start(config(40)).await;
    let accounts = sim.h.snapshot("accounts");
    let sales = accounts.iter().find(|a| a["Code"] == "200").unwrap();
    let id = sales["AccountID"].as_str().unwrap().to_string();
    let r = delete(&sim, &format!("Accounts/{id}")).await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["Type"], "ValidationException");
    let msg = v["Elements"][0]["ValidationErrors"][0]["Message"]
        .as_str()
        .unwrap();
    assert!(msg.contains("used on transactions"), "{msg}");
    assert!(listed(&sim.get_json("Accounts").await, &id), "still there");

    let r = sim
        .send(
            Method::POST,
            &format!("Accounts/{id}"),
            &json!({ "Accounts": [{ "Status": "ARCHIVED" }] }),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(sim.one("Accounts", &id).await["Status"], "ARCHIVED");
    assert!(
        listed(&sim.get_json("Accounts").await, &id),
        "archived accounts are listed"
    );
    let r = sim
        .send(
            Method::POST,
            &format!("Accounts/{id}"),
            &json!({ "Accounts": [{ "Status": "ACTIVE" }] }),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(sim.one("Accounts", &id).await["Status"], "ACTIVE");

    let system = accounts
        .iter()
        .find(|a| a["SystemAccount"].as_str().is_some_and(|s| !s.is_empty()))
        .unwrap();
    let sid = system["AccountID"].as_str().unwrap();
    assert_eq!(delete(&sim, &format!("Accounts/{sid}")).await.status(), 400);

    // An account used only by a payment is used too.
    let bank = accounts
        .iter()
        .find(|a| a["Type"] == "BANK" && a["SystemAccount"].is_null())
        .unwrap();
    let bid = bank["AccountID"].as_str().unwrap();
    assert_eq!(delete(&sim, &format!("Accounts/{bid}")).await.status(), 400);
}

#[tokio::test]
async fn documents_cannot_be_hard_deleted_and_unknown_subpaths_are_404() {
    let sim = Sim::start(config(20)).await;
    let inv = sim.h.snapshot("invoices")[0]["InvoiceID"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(delete(&sim, &format!("Invoices/{inv}")).await.status(), 405);
    assert_eq!(
        delete(
            &sim,
            &format!("Contacts/{}", super::writes::contact_id(&sim))
        )
        .await
        .status(),
        405
    );
    assert_eq!(
        sim.get(&format!("Invoices/{inv}/History")).await.status(),
        404
    );
    assert_eq!(
        delete(&sim, &format!("Invoices/{inv}/Options/{inv}"))
            .await
            .status(),
        404
    );
}
