//! `If-Modified-Since` at Xero's precision: the header is a UTC time to whole
//! seconds and an object modified at or after that second is returned, so
//! one updated at 12:00:00.700 comes back for `12:00:00` but not `12:00:01`.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Sim, config, ms, since_header};

/// The ids a pull of `Invoices` with `header` returns.
async fn invoices_since(sim: &Sim, header: &str) -> Vec<String> {
    sim.pulled_ids("Invoices", "InvoiceID", header).await
}

#[tokio::test]
async fn boundary_second_is_included_and_fractions_are_dropped() {
    let sim = Sim::start(config(300)).await;
    let all = sim.h.snapshot("invoices");
    // An invoice updated inside a second (e.g. 12:00:00.700).
    let inv = all
        .iter()
        .rev()
        .find(|i| ms(&i["UpdatedDateUTC"]) % 1000 != 0)
        .expect("generated times have milliseconds");
    let id = inv["InvoiceID"].as_str().unwrap();
    let at = ms(&inv["UpdatedDateUTC"]);
    let second = at / 1000 * 1000;
    let expected = |from: i64| {
        all.iter()
            .filter(|i| ms(&i["UpdatedDateUTC"]) >= from)
            .count()
    };

    let got = invoices_since(&sim, &since_header(second)).await;
    assert!(got.iter().any(|g| g == id), "its own second returns it");
    assert_eq!(got.len(), expected(second));

    // A fraction in the header is dropped, not compared: .999 reads as .000.
    let header = format!("{}.999", since_header(second));
    let got = invoices_since(&sim, &header).await;
    assert!(got.iter().any(|g| g == id), "{header}");
    assert_eq!(got.len(), expected(second));
    let header = format!("{}.999Z", since_header(second));
    assert_eq!(invoices_since(&sim, &header).await.len(), expected(second));

    // The next second leaves it out.
    let got = invoices_since(&sim, &since_header(second + 1000)).await;
    assert!(got.iter().all(|g| g != id));
    assert_eq!(got.len(), expected(second + 1000));
}

#[tokio::test]
async fn a_write_is_returned_for_its_own_second_only_onwards() {
    let sim = Sim::start(config(20)).await;
    let r = sim
        .send(
            Method::PUT,
            "Contacts",
            &json!({ "Contacts": [{ "Name": "Boundary Ltd" }] }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let c = &v["Contacts"][0];
    let id = c["ContactID"].as_str().unwrap();
    let at = ms(&c["UpdatedDateUTC"]);
    let got = sim
        .pulled_ids("Contacts", "ContactID", &since_header(at))
        .await;
    assert_eq!(got, vec![id.to_string()], "generated data is older");
    let got = sim
        .pulled_ids(
            "Contacts",
            "ContactID",
            &since_header(at / 1000 * 1000 + 1000),
        )
        .await;
    assert!(got.is_empty());
    // RFC 1123, the HTTP form, reads the same.
    let http = chrono::DateTime::from_timestamp_millis(at)
        .unwrap()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    assert_eq!(
        sim.pulled_ids("Contacts", "ContactID", &http).await,
        vec![id.to_string()]
    );
}
