//! The export workflow as a user types it: `put`, `edit`, `delete`,
//! `export [--dry-run]`, `conflicts`, `resolve`, with their output and exit
//! codes, against the simulator.

mod common;

use common::*;
use serde_json::{Value, json};
use tether_xero::sim::SimHandle;

/// Changes a contact at the provider, as an accountant in Xero would.
async fn edit_at_provider(sim: &SimHandle, id: &str, body: Value) {
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
        .post(format!("{}/api.xro/2.0/Contacts/{id}", sim.base_url()))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .header("xero-tenant-id", sim.tenant_id().to_string())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_workflow_from_the_command_line() {
    let sim = start_sim(60, 0).await;
    let home = Home::new();
    connect(&home, &sim);
    assert!(home.run(&["sync", "acme"]).status.success());
    let contacts_before = json_lines(&home.run(&["records", "acme", "contacts", "--json"])).len();

    // put: the new local id alone on stdout, from a file or standard input.
    let output = home.run_with_input(
        &["put", "acme", "contacts", "--file", "-"],
        r#"{"Name": "Typed Ltd"}"#,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let typed: i64 = stdout(&output).trim().parse().expect("a local id alone");
    let file = home.dir.path().join("contact.json");
    std::fs::write(
        &file,
        r#"{"Name": "Filed Ltd", "EmailAddress": "f@example.com"}"#,
    )
    .unwrap();
    let output = home.run(&[
        "put",
        "acme",
        "contacts",
        "--file",
        file.to_str().unwrap(),
        "--json",
    ]);
    let filed = json_lines(&output)[0]["local_id"]
        .as_i64()
        .expect("{\"local_id\": …}");

    // Refused input stores nothing and says which field.
    let output = home.run_with_input(
        &["put", "acme", "contacts", "--file", "-"],
        r#"{"EmailAddress": "x"}"#,
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("contacts (new): field `Name` is required"),
        "{}",
        stderr(&output)
    );
    let output = home.run_with_input(&["put", "acme", "contacts", "--file", "-"], "{not json");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("not valid JSON"),
        "{}",
        stderr(&output)
    );
    let contacts = json_lines(&home.run(&["records", "acme", "contacts", "--json"]));
    assert_eq!(
        contacts.len(),
        contacts_before + 2,
        "only the two valid ones are stored"
    );

    // edit, by the provider's id.
    let target = sim
        .snapshot("contacts")
        .into_iter()
        .find(|c| c["ContactStatus"] == "ACTIVE")
        .unwrap()["ContactID"]
        .as_str()
        .unwrap()
        .to_owned();
    let output = home.run_with_input(
        &["edit", "acme", "contacts", &target, "--file", "-"],
        r#"{"FirstName": "Edited"}"#,
    );
    assert!(output.status.success(), "{}", stderr(&output));

    // The dry run plans, and changes nothing.
    let output = home.run(&["export", "acme", "--dry-run", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lines = json_lines(&output);
    let summary = &lines.last().unwrap()["summary"];
    assert_eq!(
        (summary["created"].as_u64(), summary["updated"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(
        sim.snapshot("contacts")
            .iter()
            .all(|c| c["Name"] != "Typed Ltd")
    );

    let output = home.run(&["export", "acme"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert!(stdout(&output).contains("contacts"), "{}", stdout(&output));
    for name in ["Typed Ltd", "Filed Ltd"] {
        assert_eq!(
            sim.snapshot("contacts")
                .iter()
                .filter(|c| c["Name"] == name)
                .count(),
            1
        );
    }
    let linked: Vec<Value> = json_lines(&home.run(&["records", "acme", "contacts", "--json"]))
        .into_iter()
        .filter(|r| r["id"] == typed || r["id"] == filed)
        .collect();
    assert!(
        linked
            .iter()
            .all(|r| r["external_id"].is_string() && r.get("pending").is_none())
    );

    // A provider change after our edit: a conflict, exit 3, both versions shown.
    let output = home.run_with_input(
        &["edit", "acme", "contacts", &target, "--file", "-"],
        r#"{"LastName": "Ours"}"#,
    );
    assert!(output.status.success());
    edit_at_provider(
        &sim,
        &target,
        json!({"Contacts": [{"ContactID": target, "LastName": "Theirs"}]}),
    )
    .await;
    let output = home.run(&["export", "acme", "--kind", "contacts"]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("tether resolve"),
        "{}",
        stderr(&output)
    );
    let conflicts = json_lines(&home.run(&["conflicts", "acme", "--json"]));
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0]["local"]["LastName"], "Ours");
    assert_eq!(conflicts[0]["remote"]["LastName"], "Theirs");
    let id = conflicts[0]["id"].as_i64().unwrap().to_string();
    let output = home.run(&["resolve", "acme", &id, "--keep", "remote"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(json_lines(&home.run(&["conflicts", "acme", "--json"])).is_empty());
    let output = home.run(&["export", "acme", "--kind", "contacts", "--json"]);
    assert_eq!(output.status.code(), Some(0));
    let lines = json_lines(&output);
    let summary = &lines.last().unwrap()["summary"];
    assert_eq!(
        summary["updated"].as_u64(),
        Some(0),
        "the provider's version was kept"
    );

    // delete archives a contact at Xero.
    let output = home.run(&["delete", "acme", "contacts", &typed.to_string()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        home.run(&["export", "acme", "--kind", "contacts"])
            .status
            .code(),
        Some(0)
    );
    let archived = sim
        .snapshot("contacts")
        .into_iter()
        .find(|c| c["Name"] == "Typed Ltd")
        .unwrap();
    assert_eq!(archived["ContactStatus"], "ARCHIVED");
    sim.shutdown().await;
}
