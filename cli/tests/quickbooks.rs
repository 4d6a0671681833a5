//! QuickBooks Online from the command line, as a new user meets it against
//! the simulator: connecting by a person's consent (the test plays the
//! browser), syncing and resyncing every kind, listing the connection under
//! the company's name, a local change exported, and disconnecting.

mod common;

use std::net::SocketAddr;
use std::process::Output;

use common::{Home, connect_by_consent, json_lines, stderr, stdout};
use serde_json::{Value, json};
use tether_quickbooks::sim::{QuickBooksSim, SimConfig, SimHandle, SimSizes};

/// Tether's ten QuickBooks kinds, in sync order.
const KINDS: [&str; 10] = [
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
];

/// A company of 60 invoices under Intuit's own limits.
async fn start_sim() -> SimHandle {
    let config = SimConfig {
        seed: 9,
        sizes: SimSizes::scaled(60),
        ..SimConfig::default()
    };
    QuickBooksSim::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("start the QuickBooks simulator")
}

/// Renames a customer at QuickBooks, as the company's bookkeeper would.
async fn edit_at_quickbooks(sim: &SimHandle, customer: &Value, given: &str) {
    let realm = sim.tenant_id();
    let url = format!(
        "{}/v3/company/{realm}/customer?minorversion=75",
        sim.base_url()
    );
    let body = json!({
        "Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": true,
        "GivenName": given,
    });
    let response = reqwest::Client::new()
        .post(url)
        .bearer_auth(sim.playground_token(&realm))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
}

/// Every kind's line of a `--json` sync or resync, checked as succeeded.
fn all_kinds_succeeded(output: &Output) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(output),
        stderr(output)
    );
    let lines = json_lines(output);
    let kinds: Vec<&str> = lines.iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, KINDS);
    for line in &lines {
        assert_eq!(line["status"], "succeeded", "{line}");
    }
}

/// The stored records of `kind` (deleted ones included).
fn records(home: &Home, kind: &str) -> Vec<Value> {
    let output = home.run(&["--json", "records", "books", kind]);
    assert!(output.status.success(), "{}", stderr(&output));
    json_lines(&output)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_connects_syncs_exports_and_disconnects() {
    let sim = start_sim().await;
    let home = Home::new();
    let base = sim.base_url();
    let args = [
        "quickbooks",
        "books",
        "--client-id",
        sim.client_id(),
        "--client-secret",
        sim.client_secret(),
        "--base-url",
        &base,
    ];
    let done = connect_by_consent(&home, &args, &[]).await;
    assert!(done.status.success(), "connect: {}", done.stderr);
    assert_eq!(done.connections.len(), 1, "{:?}", done.connections);
    let company = sim.company_name();
    let connected = &done.connections[0];
    assert_eq!(connected["name"], "books");
    assert_eq!(connected["provider"], "quickbooks");
    assert_eq!(connected["tenant_id"], sim.tenant_id());
    assert_eq!(connected["tenant_name"], company.as_str());
    assert_eq!(sim.stats().missing_minorversion, 0);

    // Every kind whole, as QuickBooks holds it.
    all_kinds_succeeded(&home.run(&["--json", "sync", "books"]));
    // Listings name each record in QuickBooks' own fields.
    let listing = stdout(&home.run(&["records", "books", "customers", "--limit", "5"]));
    let first = sim.snapshot("customers").remove(0);
    let display = first["DisplayName"].as_str().unwrap();
    assert!(listing.contains(display), "{display} in {listing}");
    for kind in ["customers", "invoices", "journal_entries"] {
        let ids = |objects: Vec<Value>, field: &str| {
            let mut ids: Vec<String> = objects
                .iter()
                .map(|o| o[field].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            ids
        };
        assert_eq!(
            ids(records(&home, kind), "external_id"),
            ids(sim.snapshot(kind), "Id"),
            "{kind}"
        );
    }

    // A change made at QuickBooks since reaches the store by a resync.
    let customer = sim
        .snapshot("customers")
        .into_iter()
        .find(|c| c["Active"] == true)
        .unwrap();
    let id = customer["Id"].as_str().unwrap().to_owned();
    edit_at_quickbooks(&sim, &customer, "Resynced").await;
    all_kinds_succeeded(&home.run(&["--json", "resync", "books"]));
    // QuickBooks' ids are digits, as are our local ids: a record is named
    // by QuickBooks' id, by `local:N`, or by bare digits when only one
    // record answers to them.
    let local = records(&home, "customers")
        .into_iter()
        .find(|r| r["external_id"] == id.as_str())
        .unwrap()["id"]
        .to_string();
    for name in [format!("remote:{id}"), format!("local:{local}")] {
        let output = home.run(&["--json", "records", "books", "customers", &name]);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        assert_eq!(
            json_lines(&output)[0]["record"]["data"]["GivenName"],
            "Resynced",
            "{name}"
        );
    }
    if local != id {
        // Our record `id` and QuickBooks' customer `id` are two records,
        // when both exist: bare digits are refused, not guessed.
        let ours_too = records(&home, "customers")
            .iter()
            .any(|r| r["id"].as_i64().map(|n| n.to_string()).as_deref() == Some(id.as_str()));
        let output = home.run(&["--json", "records", "books", "customers", &id]);
        if ours_too {
            assert!(!output.status.success(), "an ambiguous id is refused");
            assert!(stderr(&output).contains("ambiguous"), "{}", stderr(&output));
        } else {
            assert!(output.status.success(), "{}", stderr(&output));
        }
    }

    // Listed active, under the company's name.
    let output = home.run(&["connections"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let listed = stdout(&output);
    let row = listed
        .lines()
        .find(|l| l.starts_with("books"))
        .unwrap_or_else(|| panic!("{listed}"));
    for said in ["quickbooks", company.as_str(), "active"] {
        assert!(row.contains(said), "{said} in {row}");
    }
    let listed = json_lines(&home.run(&["--json", "connections"]));
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["status"], "active");
    assert_eq!(listed[0]["tenant_name"], company.as_str());
    assert!(listed[0]["last_success_at"].is_string(), "{}", listed[0]);

    // A customer made here and one edited here reach QuickBooks by export.
    let output = home.run_with_input(
        &["--json", "put", "books", "customers", "--file", "-"],
        r#"{"DisplayName": "Typed At The Terminal"}"#,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(json_lines(&output)[0]["local_id"].is_i64());
    let output = home.run_with_input(
        &["edit", "books", "customers", &local, "--file", "-"],
        r#"{"FamilyName": "Exported"}"#,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    // An unpaid invoice voided here stays at QuickBooks, zeroed.
    let unpaid = sim
        .snapshot("invoices")
        .into_iter()
        .find(|i| i["Balance"] == i["TotalAmt"] && i["TotalAmt"].as_f64() > Some(0.0))
        .expect("an unpaid invoice");
    let voided = format!("remote:{}", unpaid["Id"].as_str().unwrap());
    let output = home.run(&["void", "books", "invoices", &voided]);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = home.run(&["void", "books", "customers", &format!("local:{local}")]);
    assert!(!output.status.success(), "customers are not voided");
    assert!(
        stderr(&output).contains("does not void"),
        "{}",
        stderr(&output)
    );
    let output = home.run(&["--json", "export", "books"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    let lines = json_lines(&output);
    let summary = &lines.last().unwrap()["summary"];
    assert_eq!(
        (
            summary["created"].as_u64(),
            summary["updated"].as_u64(),
            summary["voided"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{summary}"
    );
    let at = sim
        .snapshot("invoices")
        .into_iter()
        .find(|i| i["Id"] == unpaid["Id"])
        .expect("a voided invoice stays");
    assert_eq!(at["TotalAmt"].as_f64(), Some(0.0), "{at}");
    let customers = sim.snapshot("customers");
    let typed: Vec<&Value> = customers
        .iter()
        .filter(|c| c["DisplayName"] == "Typed At The Terminal")
        .collect();
    assert_eq!(typed.len(), 1, "created once");
    let edited = customers.iter().find(|c| c["Id"] == id.as_str()).unwrap();
    assert_eq!(
        (&edited["GivenName"], &edited["FamilyName"]),
        (&json!("Resynced"), &json!("Exported")),
        "the edit sent sparse: the bookkeeper's change kept"
    );

    // Disconnecting revokes the grant at Intuit and keeps the data.
    let output = home.run(&["--json", "disconnect", "books"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let said = json_lines(&output);
    assert_eq!(said[0]["revoked"], true, "{}", said[0]);
    assert_eq!(sim.stats().revocations, 1);
    let listed = json_lines(&home.run(&["--json", "connections"]));
    assert_eq!(listed[0]["status"], "disconnected");
    assert!(records(&home, "invoices").len() >= 60, "its data is kept");
    let output = home.run(&["sync", "books"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let err = stderr(&output);
    assert!(err.contains("is disconnected"), "{err}");
    assert!(err.contains("tether connect quickbooks books"), "{err}");
    sim.shutdown().await;
}

#[test]
fn quickbooks_connects_only_by_a_persons_consent() {
    let home = Home::new();
    let output = home.run(&[
        "connect",
        "quickbooks",
        "x",
        "--client-credentials",
        "--client-id",
        "app",
        "--client-secret",
        "secret",
        "--base-url",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let err = stderr(&output);
    assert!(
        err.contains("QuickBooks Online connects only by a person's consent"),
        "{err}"
    );
    assert!(err.contains("leave out --client-credentials"), "{err}");
    let listed = home.run(&["--json", "connections"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(json_lines(&listed).is_empty(), "nothing saved");
}
