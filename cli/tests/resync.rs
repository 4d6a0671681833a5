//! Resync, verify and held deletions as a user types them, against the
//! simulator: exit codes, what `status` says, and a record's history.

mod common;

use common::*;
use serde_json::Value;
use tether_xero::sim::{SimConfig, SimHandle, SimLimits, SimSizes, XeroSim};

/// Deletes an item at the provider, as a Xero user would.
async fn delete_item(sim: &SimHandle, id: &str) {
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{}/connect/token", sim.base_url()))
        .basic_auth(sim.client_id(), Some(sim.client_secret()))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let response = http
        .delete(format!("{}/api.xro/2.0/Items/{id}", sim.base_url()))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .header("xero-tenant-id", sim.tenant_id().to_string())
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resync_verify_and_held_deletions_from_the_command_line() {
    let config = SimConfig {
        seed: 5,
        sizes: SimSizes {
            items: 60,
            ..SimSizes::scaled(80)
        },
        limits: SimLimits::off(),
        ..SimConfig::default()
    };
    let sim = XeroSim::start(config, std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let home = Home::new();
    connect(&home, &sim);
    assert!(home.run(&["sync", "acme"]).status.success());
    assert_eq!(
        home.run(&["verify", "acme"]).status.code(),
        Some(0),
        "in step after a sync"
    );

    // Nothing changed: every paged kind asks for its changes only.
    let output = home.run(&["resync", "acme", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let invoices = json_lines(&output)
        .into_iter()
        .find(|r| r["kind"] == "invoices")
        .unwrap();
    assert_eq!(invoices["pull"], "changes");
    assert_eq!(invoices["counts"]["fetched"], 0);

    // A third of the items vanish: held for a person, and shown as such.
    let items: Vec<String> = sim
        .snapshot("items")
        .iter()
        .map(|i| i["ItemID"].as_str().unwrap().to_owned())
        .collect();
    for id in &items[..20] {
        delete_item(&sim, id).await;
    }
    let output = home.run(&["resync", "acme", "--kind", "items"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("20 deletion(s) held"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("--confirm-deletes"),
        "{}",
        stderr(&output)
    );
    let status = stdout(&home.run(&["status", "acme"]));
    assert!(
        status.contains("deletion(s) held for you to confirm"),
        "{status}"
    );
    let output = home.run(&["verify", "acme", "--kind", "items", "--json"]);
    assert_eq!(output.status.code(), Some(1), "held deletions are drift");
    assert_eq!(json_lines(&output)[0]["extra"]["count"], 20);

    let output = home.run(&[
        "resync",
        "acme",
        "--kind",
        "items",
        "--confirm-deletes",
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(json_lines(&output)[0]["counts"]["deleted"], 20);
    assert_eq!(
        home.run(&["verify", "acme"]).status.code(),
        Some(0),
        "in step again"
    );

    // A record says which run last changed it, and how.
    let output = home.run(&["records", "acme", "items", &items[0], "--history", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let one = &json_lines(&output)[0];
    assert_eq!(one["last_change"]["how"], "reconciliation");
    assert_eq!(one["last_change"]["run_type"], "reconcile");
    assert!(one["record"]["deleted_at"].is_string());
    sim.shutdown().await;
}
