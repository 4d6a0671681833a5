//! Lists and single reads: envelope, pagination, filters, ordering.

use chrono::{TimeZone, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use super::{Sim, config, ms};
use crate::sim::{SimConfig, SimSizes, XeroSim};

#[tokio::test]
async fn envelope_and_pagination_follow_the_spec() {
    let sim = Sim::start(config(250)).await;
    let r = sim.get("Invoices?page=2&pageSize=100").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    for h in [
        "X-MinLimit-Remaining",
        "X-DayLimit-Remaining",
        "X-AppMinLimit-Remaining",
    ] {
        assert!(r.headers().contains_key(h), "missing {h}");
    }
    let text = r.text().await.unwrap();
    assert!(text.starts_with("{\"Id\":\""), "{}", &text[..60]);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["Status"], "OK");
    assert!(v["ProviderName"].is_string());
    let dt = v["DateTimeUTC"].as_str().unwrap();
    assert!(dt.starts_with("/Date(") && !dt.contains('+'), "{dt}");
    assert_eq!(
        v["pagination"],
        json!({"page":2,"pageSize":100,"pageCount":3,"itemCount":250})
    );
    let invoices = v["Invoices"].as_array().unwrap();
    assert_eq!(invoices.len(), 100);
    for inv in invoices {
        assert!(inv["InvoiceID"].as_str().unwrap().len() == 36);
        assert!(inv["UpdatedDateUTC"].as_str().unwrap().ends_with("+0000)/"));
        assert!(inv["LineItems"].as_array().is_some_and(|l| !l.is_empty()));
        let ds = inv["DateString"].as_str().unwrap();
        assert_eq!(ds.len(), 19, "{ds}");
        assert!(ds.ends_with("T00:00:00"));
    }
    // Money is printed with two decimals, quantities with four, as Xero does.
    assert!(text.contains("\"Total\":") && regex_like_money(&text, "\"Total\":"));
    assert!(regex_like_fixed(&text, "\"Quantity\":", 4));

    // Unpaged: everything, no pagination, line items left out.
    let v = sim.get_json("Invoices").await;
    assert!(v.get("pagination").is_none());
    let all = v["Invoices"].as_array().unwrap();
    assert_eq!(all.len(), 250);
    assert!(all.iter().all(|i| i.get("LineItems").is_none()));

    // Items are not paged by the spec: no pagination object even if asked.
    let v = sim.get_json("Items?page=1").await;
    assert!(v.get("pagination").is_none());
    assert_eq!(
        v["Items"].as_array().unwrap().len(),
        sim.h.snapshot("items").len()
    );
}

/// Every occurrence of `key` is followed by a number with exactly two decimals.
fn regex_like_money(text: &str, key: &str) -> bool {
    regex_like_fixed(text, key, 2)
}

fn regex_like_fixed(text: &str, key: &str, dp: usize) -> bool {
    let mut found = false;
    for part in text.split(key).skip(1) {
        let num: String = part
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
            .collect();
        let Some((_, frac)) = num.split_once('.') else {
            return false;
        };
        if frac.len() != dp {
            return false;
        }
        found = true;
    }
    found
}

#[tokio::test]
async fn page_size_is_clamped_to_1000() {
    let cfg = SimConfig {
        sizes: SimSizes::only_invoices(1100),
        ..config(0)
    };
    let sim = Sim::start(cfg).await;
    let v = sim.get_json("Invoices?page=1&pageSize=5000").await;
    assert_eq!(
        v["pagination"],
        json!({"page":1,"pageSize":1000,"pageCount":2,"itemCount":1100})
    );
    assert_eq!(v["Invoices"].as_array().unwrap().len(), 1000);
    let v = sim.get_json("Invoices?page=2&pageSize=5000").await;
    assert_eq!(v["Invoices"].as_array().unwrap().len(), 100);
    let v = sim.get_json("Invoices?page=3&pageSize=1000").await;
    assert_eq!(v["Invoices"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn if_modified_since_returns_that_second_onwards_in_both_forms() {
    let sim = Sim::start(config(200)).await;
    let all = sim.get_json("Invoices?page=1&pageSize=1000").await;
    let times: Vec<i64> = all["Invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| ms(&i["UpdatedDateUTC"]))
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "default order is UpdatedDateUTC ASC"
    );
    let since = times[times.len() / 2] / 1000 * 1000;
    let expected = times.iter().filter(|t| **t >= since).count();
    let dt = Utc.timestamp_millis_opt(since).unwrap();
    for header in [
        dt.format("%Y-%m-%dT%H:%M:%S").to_string(),
        dt.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
    ] {
        let r = sim
            .req(Method::GET, "Invoices?page=1&pageSize=1000")
            .header("If-Modified-Since", &header)
            .send()
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        let got = v["Invoices"].as_array().unwrap();
        assert_eq!(got.len(), expected, "{header}");
        assert_eq!(v["pagination"]["itemCount"], expected);
        assert!(got.iter().all(|i| ms(&i["UpdatedDateUTC"]) >= since));
    }
}

#[tokio::test]
async fn archived_contacts_only_with_include_archived() {
    let mut cfg = config(200);
    cfg.sizes.tracking_categories = 3;
    let sim = Sim::start(cfg).await;
    let total = sim.h.snapshot("contacts").len();
    let archived = sim
        .h
        .snapshot("contacts")
        .iter()
        .filter(|c| c["ContactStatus"] == "ARCHIVED")
        .count();
    assert!(archived > 0);
    let v = sim.get_json("Contacts?page=1&pageSize=1000").await;
    let listed = v["Contacts"].as_array().unwrap();
    assert_eq!(listed.len(), total - archived);
    assert!(listed.iter().all(|c| c["ContactStatus"] == "ACTIVE"));
    let v = sim
        .get_json("Contacts?page=1&pageSize=1000&includeArchived=true")
        .await;
    assert_eq!(v["Contacts"].as_array().unwrap().len(), total);
    assert_eq!(v["pagination"]["itemCount"], total);
    // Tracking categories: archived categories and options only when asked.
    let v = sim.get_json("TrackingCategories").await;
    let cats = v["TrackingCategories"].as_array().unwrap();
    assert_eq!(cats.len(), 2);
    assert!(
        cats.iter()
            .flat_map(|c| c["Options"].as_array().unwrap())
            .all(|o| o["Status"] == "ACTIVE")
    );
    let v = sim
        .get_json("TrackingCategories?includeArchived=true")
        .await;
    let cats = v["TrackingCategories"].as_array().unwrap();
    assert_eq!(cats.len(), 3);
    assert!(
        cats.iter()
            .flat_map(|c| c["Options"].as_array().unwrap())
            .any(|o| o["Status"] == "ARCHIVED")
    );
    // Accounts come in the chart's (code) order.
    let v = sim.get_json("Accounts").await;
    let codes: Vec<&str> = v["Accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["Code"].as_str().unwrap())
        .collect();
    assert!(codes.windows(2).all(|w| w[0] < w[1]), "{codes:?}");
    // summaryOnly drops the heavy fields.
    let v = sim.get_json("Contacts?page=1&summaryOnly=true").await;
    assert!(v["Contacts"][0].get("Addresses").is_none());
    assert!(v["Contacts"][0].get("Name").is_some());
}

#[tokio::test]
async fn order_where_and_single_reads() {
    let sim = Sim::start(config(120)).await;
    let v = sim
        .get_json(
            "Invoices?page=1&pageSize=20&order=InvoiceNumber%20DESC&where=Type%3D%3D%22ACCREC%22",
        )
        .await;
    let nums: Vec<&str> = v["Invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["InvoiceNumber"].as_str().unwrap())
        .collect();
    assert_eq!(nums.len(), 20);
    assert!(nums.windows(2).all(|w| w[0] > w[1]), "{nums:?}");
    assert!(
        v["Invoices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["Type"] == "ACCREC")
    );
    let v = sim
        .get_json("Invoices?page=1&order=UpdatedDateUTC%20DESC")
        .await;
    let times: Vec<i64> = v["Invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| ms(&i["UpdatedDateUTC"]))
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]));
    let v = sim.get_json("Invoices?Statuses=PAID&page=1").await;
    assert!(
        v["Invoices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["Status"] == "PAID")
    );
    assert_eq!(sim.get("Invoices?where=Date%3E%3D1").await.status(), 400);

    let first = &sim.h.snapshot("invoices")[0];
    let id = first["InvoiceID"].as_str().unwrap();
    let v = sim.get_json(&format!("Invoices/{id}")).await;
    assert!(v.get("pagination").is_none());
    assert_eq!(v["Invoices"].as_array().unwrap().len(), 1);
    assert_eq!(&v["Invoices"][0], first);
    let number = first["InvoiceNumber"].as_str().unwrap();
    let v = sim.get_json(&format!("Invoices/{number}")).await;
    assert_eq!(v["Invoices"][0]["InvoiceID"], id);
    let r = sim.get(&format!("Invoices/{}", uuid::Uuid::new_v4())).await;
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.text().await.unwrap(),
        "The resource you're looking for cannot be found"
    );
    let stats = sim.h.stats();
    assert_eq!(stats.requests["GET /api.xro/2.0/Invoices/{id}"], 3);
    assert!(stats.total_requests >= 8);
}

#[tokio::test]
async fn same_seed_gives_the_same_data() {
    let a = XeroSim::start(config(80), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let b = XeroSim::start(config(80), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let c = XeroSim::start(
        SimConfig {
            seed: 8,
            ..config(80)
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    for kind in [
        "invoices",
        "contacts",
        "payments",
        "tax_rates",
        "items",
        "manual_journals",
    ] {
        assert_eq!(a.snapshot(kind), b.snapshot(kind), "{kind}");
    }
    assert_eq!(a.tenant_id(), b.tenant_id());
    assert_eq!(a.client_secret(), b.client_secret());
    assert_ne!(a.snapshot("invoices"), c.snapshot("invoices"));
    assert_ne!(a.client_id(), c.client_id());
    // Payments and invoices agree.
    let invoices = a.snapshot("invoices");
    for p in a
        .snapshot("payments")
        .iter()
        .filter(|p| p["Status"] == "AUTHORISED")
    {
        let inv = invoices
            .iter()
            .find(|i| i["InvoiceID"] == p["Invoice"]["InvoiceID"])
            .unwrap();
        assert!(
            inv["Payments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["PaymentID"] == p["PaymentID"])
        );
    }
    c.shutdown().await;
}
