//! CDC over HTTP: one answer for every entity asked, tombstones, inactive
//! names whole, the 1,000 cap, the 30-day window.

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

use super::{Sim, config, fault_code};

fn days_ago(days: i64) -> String {
    (Utc::now() - chrono::Duration::days(days)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn cdc(sim: &Sim, entities: &str, since: &str) -> (u16, Value) {
    let since = url::form_urlencoded::byte_serialize(since.as_bytes()).collect::<String>();
    sim.get(&format!("cdc?entities={entities}&changedSince={since}"))
        .await
}

/// The objects CDC answered for `entity` (empty when it answered none).
fn listed<'a>(body: &'a Value, entity: &str) -> Vec<&'a Value> {
    body["CDCResponse"][0]["QueryResponse"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r[entity].as_array())
        .flatten()
        .collect()
}

#[tokio::test]
async fn deletions_are_tombstones_and_inactive_names_come_whole() {
    let sim = Sim::start(config(40)).await;
    let since = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    sim.h.advance_clock(Duration::from_secs(5));
    let invoice = sim
        .h
        .snapshot("invoices")
        .into_iter()
        .find(|i| i["Balance"] == i["TotalAmt"])
        .unwrap();
    let id = invoice["Id"].as_str().unwrap();
    let (status, body) = sim
        .post(
            "invoice?operation=delete",
            &json!({"Id": id, "SyncToken": invoice["SyncToken"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let customer = &sim.h.snapshot("customers")[0];
    let (status, body) = sim
        .post("customer", &json!({"Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": true, "Active": false}))
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = cdc(&sim, "Customer,Invoice,Bill", &since).await;
    assert_eq!(status, 200, "{body}");
    let answers = body["CDCResponse"][0]["QueryResponse"].as_array().unwrap();
    assert_eq!(answers.len(), 3, "one answer per entity asked");
    assert_eq!(answers[2], json!({}), "no bill changed");
    let tombstones = listed(&body, "Invoice");
    assert_eq!(tombstones.len(), 1);
    assert_eq!(tombstones[0]["status"], "Deleted");
    assert_eq!(tombstones[0]["Id"], id);
    assert!(tombstones[0]["MetaData"]["LastUpdatedTime"].is_string());
    let customers = listed(&body, "Customer");
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0]["Active"], false);
    assert!(
        customers[0]["DisplayName"].is_string(),
        "an inactive name comes whole"
    );
    let (_, gone) = sim.get(&format!("invoice/{id}")).await;
    assert_eq!(fault_code(&gone), "610");
}

#[tokio::test]
async fn an_answer_holds_at_most_1000_objects_the_oldest_changes_first() {
    let sim = Sim::start(config(8000)).await;
    let all =
        "Account,Customer,Vendor,Item,Invoice,Bill,Payment,BillPayment,CreditMemo,JournalEntry";
    let since = days_ago(29);
    let (status, body) = cdc(&sim, all, &since).await;
    assert_eq!(status, 200);
    let mut got: Vec<&Value> = Vec::new();
    for e in all.split(',') {
        got.extend(listed(&body, e));
    }
    assert_eq!(got.len(), 1000, "cut at the cap");
    let newest = got
        .iter()
        .map(|o| o["MetaData"]["LastUpdatedTime"].as_str().unwrap())
        .max()
        .unwrap()
        .to_string();
    // Every change left out is no older than the newest one answered.
    let since_ms = chrono::DateTime::parse_from_rfc3339(&since)
        .unwrap()
        .timestamp_millis();
    let newest_ms = chrono::DateTime::parse_from_rfc3339(&newest)
        .unwrap()
        .timestamp_millis();
    let mut changed = 0;
    for kind in [
        "accounts",
        "customers",
        "vendors",
        "items",
        "invoices",
        "bills",
        "payments",
        "bill_payments",
        "credit_memos",
        "journal_entries",
    ] {
        for o in sim.h.snapshot(kind) {
            let t = chrono::DateTime::parse_from_rfc3339(
                o["MetaData"]["LastUpdatedTime"].as_str().unwrap(),
            )
            .unwrap()
            .timestamp_millis();
            if t >= since_ms {
                changed += 1;
                let answered = got
                    .iter()
                    .any(|g| g["Id"] == o["Id"] && g["MetaData"] == o["MetaData"]);
                assert!(
                    answered || t >= newest_ms,
                    "a change older than the cut was left out"
                );
            }
        }
    }
    assert!(
        changed > 1000,
        "the data has more changes than one answer holds"
    );
}

#[tokio::test]
async fn changed_since_more_than_30_days_back_is_refused() {
    let sim = Sim::start(config(10)).await;
    let (status, body) = cdc(&sim, "Invoice", &days_ago(31)).await;
    assert_eq!(status, 400);
    assert_eq!(fault_code(&body), "4000");
    assert!(
        body["Fault"]["Error"][0]["Detail"]
            .as_str()
            .unwrap()
            .contains("30 days")
    );
    let since = days_ago(20);
    assert_eq!(cdc(&sim, "Invoice", &since).await.0, 200);
    sim.h.advance_clock(Duration::from_secs(11 * 24 * 3600));
    let fresh = sim.h.playground_token(&sim.realm);
    let url = format!(
        "{}?entities=Invoice&changedSince={}&minorversion=75",
        sim.api("cdc"),
        since.replace('+', "%2B")
    );
    let r = sim.c.get(url).bearer_auth(fresh).send().await.unwrap();
    assert_eq!(r.status(), 400, "the moved clock moves the window");
}
