//! The `tether` binary as a user runs it: its exit codes, its output, and a
//! sync killed with SIGKILL at several points that resumes without loss.

mod common;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::Value;
use tether_store::SeaStore;
use tether_xero::sim::{SimConfig, SimHandle, SimLimits, XeroSim};

#[test]
fn providers_lists_every_linked_connector() {
    let home = Home::new();
    let output = home.run(&["providers", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let providers = json_lines(&output);
    let xero = providers
        .iter()
        .find(|p| p["id"] == "xero")
        .expect("xero is registered");
    assert_eq!(xero["sandbox"], true);
    assert_eq!(xero["kinds"].as_array().map(Vec::len), Some(10));
    let table = stdout(&home.run(&["providers"]));
    assert!(
        table.contains("xero") && table.contains("invoices"),
        "{table}"
    );
}

#[test]
fn bad_input_fails_with_one_line_cause() {
    let home = Home::new();
    // A database path that does not exist is not silently created...
    let output = home.run(&["sync", "nobody"]);
    assert_eq!(output.status.code(), Some(1));
    let said = stderr(&output);
    assert!(
        said.contains("there is no database at") && said.contains("--create"),
        "{said}"
    );
    assert!(!home.db().exists(), "nothing was created");
    // ...unless asked; and an unknown connection is named.
    let output = home.run(&["--create", "sync", "nobody"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("no connection named `nobody`"),
        "{}",
        stderr(&output)
    );
    // With --json the error is JSON too.
    let output = home.run(&["--json", "sync", "nobody"]);
    let error: Value = serde_json::from_str(stderr(&output).trim()).expect("a JSON error");
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("no connection named `nobody`")
    );

    let output = home.run(&[
        "connect",
        "nosuch",
        "x",
        "--client-id",
        "a",
        "--client-secret",
        "b",
    ]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("unknown provider `nosuch`"),
        "{}",
        stderr(&output)
    );

    let output = home.run(&["sandbox", "xero", "--error-rate", "2"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("--error-rate"),
        "{}",
        stderr(&output)
    );

    let output = home.run(&["records"]);
    assert_eq!(output.status.code(), Some(2), "usage errors exit 2");
}

#[test]
fn sandbox_prints_its_credentials_as_json_first() {
    let home = Home::new();
    let mut child = home
        .command(&["sandbox", "xero", "--json", "--size", "50"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn sandbox");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    child.kill().ok();
    child.wait().ok();
    let info: Value = serde_json::from_str(&line).expect("first line is JSON");
    for key in ["base_url", "client_id", "client_secret", "tenant_id"] {
        assert!(
            info[key].as_str().is_some_and(|v| !v.is_empty()),
            "{key} missing in {line}"
        );
    }
    assert!(
        info["base_url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
}

/// Starts `tether sync acme --kind invoices` and returns once it has
/// committed `pages` pages (or after a minute).
async fn sync_invoices_past(home: &Home, pages: i64) -> Child {
    let child = home
        .command(&["sync", "acme", "--kind", "invoices"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sync");
    let started = Instant::now();
    while checkpoint_pages(&home.db()).await < pages && started.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child
}

/// Sends `child` SIGINT, as Ctrl-C does.
fn interrupt(child: &Child) {
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("send SIGINT");
    assert!(sent.success());
}

/// The stored invoices are the simulator's, each once; returns them as
/// `records --json` lists them.
fn assert_invoices_match(home: &Home, sim: &SimHandle) -> Vec<Value> {
    let records = json_lines(&home.run(&["records", "acme", "invoices", "--json"]));
    let ours: BTreeSet<String> = records
        .iter()
        .map(|r| r["external_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ours.len(), records.len(), "no duplicates");
    let theirs: BTreeSet<String> = sim
        .snapshot("invoices")
        .iter()
        .map(|o| o["InvoiceID"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ours, theirs, "nothing lost");
    records
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_killed_with_sigkill_resumes_without_loss() {
    let sim = start_sim(12_000, 60).await;
    let home = Home::new();
    connect(&home, &sim);

    // Kill after a page, mid-way, and at once: each run leaves its committed pages.
    for wait_for_pages in [1, 4, 0] {
        let mut child = sync_invoices_past(&home, wait_for_pages).await;
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
    }
    assert!(
        checkpoint_pages(&home.db()).await >= 4,
        "the killed runs committed pages"
    );

    let output = home.run(&["sync", "acme", "--kind", "invoices", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = &json_lines(&output)[0];
    assert_eq!(report["status"], "succeeded");
    assert_eq!(report["resumed"], true);

    let records = assert_invoices_match(&home, &sim);
    for key in ["external_id", "remote_updated_at", "deleted_at", "data"] {
        assert!(records[0].get(key).is_some(), "records --json has {key}");
    }

    let runs = json_lines(&home.run(&["runs", "acme", "--json"]));
    // The kill "at once" may land before its run is even recorded.
    let interrupted = runs.iter().filter(|r| r["status"] == "interrupted").count();
    assert!(
        (2..=3).contains(&interrupted),
        "killed runs are recorded as interrupted: {interrupted}"
    );
    assert!(
        runs.iter().all(|r| r["status"] != "running"),
        "no run is left running"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_and_exit_codes_tell_the_truth() {
    let sim = start_sim(300, 0).await;
    let home = Home::new();
    connect(&home, &sim);
    let output = home.run(&["sync", "acme"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let status: Value =
        serde_json::from_str(&stdout(&home.run(&["status", "acme", "--json"]))).unwrap();
    let invoices = status["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "invoices")
        .unwrap();
    let expected_live = sim
        .snapshot("invoices")
        .iter()
        .filter(|i| !matches!(i["Status"].as_str(), Some("DELETED" | "VOIDED")))
        .count();
    assert_eq!(invoices["live"].as_u64(), Some(expected_live as u64));
    assert!(invoices["cursor"].is_string());
    let cursor = invoices["cursor"].as_str().unwrap();
    assert!(
        cursor.ends_with('Z') || cursor.ends_with("+00:00"),
        "{cursor}"
    );
    let table = stdout(&home.run(&["status", "acme"]));
    assert!(table.contains(" UTC"), "times carry their zone: {table}");

    // The app's credentials are revoked (the provider now knows other ones):
    // every kind fails at once, says why, and the exit code says so.
    let addr: SocketAddr = sim
        .base_url()
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    sim.shutdown().await;
    let config = SimConfig {
        client_id: Some("another-app".to_owned()),
        client_secret: Some("another-secret".to_owned()),
        ..SimConfig::default()
    };
    let revoked = XeroSim::start(config, addr)
        .await
        .expect("restart sim on the same port");
    let output = home.run(&["sync", "acme", "--kind", "items", "--kind", "accounts"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    // The saved access token is refused, the refresh too: said once, with
    // what to do about it, and the other kind is not started.
    assert_eq!(
        err.matches("refused the client credentials").count(),
        1,
        "{err}"
    );
    assert!(err.contains("--replace"), "{err}");
    assert!(err.contains("not started: items"), "{err}");
    assert!(
        !err.contains(revoked.client_secret()),
        "no secret in the output"
    );
    revoked.shutdown().await;
}

#[test]
fn demo_runs_from_nothing() {
    let home = Home::new();
    let output = home.run(&["demo", "--size", "500"]);
    assert!(
        output.status.success(),
        "{}\n{}",
        stdout(&output),
        stderr(&output)
    );
    let text = stdout(&output);
    assert!(
        text.contains("invoices") && text.contains("records stored"),
        "{text}"
    );
    let file = home.dir.path().join("data/tether/demo.db");
    assert!(
        file.exists(),
        "the demo database is under the data directory"
    );
    let wal = home.dir.path().join("data/tether/demo.db-wal");
    assert!(
        std::fs::metadata(&wal).map_or(true, |m| m.len() == 0),
        "the file is complete on its own: its write-ahead log was folded in"
    );
    assert!(text.contains("sandboxes stopped"), "{text}");
    assert!(
        text.contains("status xero"),
        "each provider's connection is named after it: {text}"
    );
    assert!(
        home.dir.path().join("config/tether/master.key").exists(),
        "a master key was created"
    );
}

/// The pid of the first `tether` process named in a "held by" message.
fn holder_pid(said: &str) -> Option<u32> {
    let at = said.find("(pid ")? + 5;
    said[at..].split(')').next()?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_syncs_of_one_connection_one_does_it_the_other_exits_4() {
    let sim = start_sim(6000, 40).await;
    let home = Home::new();
    connect(&home, &sim);
    let first = home
        .command(&["sync", "acme"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn first sync");
    // The second starts once the first is surely under way.
    let started = Instant::now();
    while checkpoint_pages(&home.db()).await < 1 && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let second = home.run(&["sync", "acme"]);
    let first = first.wait_with_output().expect("first sync");
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(second.status.code(), Some(4), "{}", stderr(&second));
    let said = stderr(&second);
    assert!(said.contains("invoices is held by"), "{said}");
    assert_eq!(
        holder_pid(&said),
        Some(first_pid(&home).await),
        "names the holder: {said}"
    );

    let records = json_lines(&home.run(&["records", "acme", "invoices", "--json"]));
    let ours: BTreeSet<String> = records
        .iter()
        .filter(|r| r["deleted_at"].is_null() || r["deletion_source"] == "status")
        .map(|r| r["external_id"].as_str().unwrap().to_owned())
        .collect();
    let theirs: BTreeSet<String> = sim
        .snapshot("invoices")
        .iter()
        .map(|o| o["InvoiceID"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ours, theirs, "the store equals the provider");
    // The second did the kinds the first had finished and released, and
    // left no run for the ones it found held.
    let runs = json_lines(&home.run(&["runs", "acme", "--json"]));
    assert!(runs.iter().all(|r| r["status"] == "succeeded"), "{runs:?}");
    let invoice_runs = runs.iter().filter(|r| r["kind"] == "invoices").count();
    assert_eq!(invoice_runs, 1, "the held kind was pulled once");
    sim.shutdown().await;
}

/// The process recorded as the worker of the connection's runs.
async fn first_pid(home: &Home) -> u32 {
    let runs = json_lines(&home.run(&["runs", "acme", "--json"]));
    let worker = runs[0]["worker"].as_str().expect("runs name their worker");
    holder_pid(worker).expect("a pid in the worker name")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_at_a_page_and_says_how_to_resume() {
    let sim = start_sim(8000, 80).await;
    let home = Home::new();
    connect(&home, &sim);
    let child = sync_invoices_past(&home, 2).await;
    interrupt(&child);
    let output = child.wait_with_output().expect("sync ends");
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(said.contains("run the same command to resume"), "{said}");
    let runs = json_lines(&home.run(&["runs", "acme", "--json"]));
    assert_eq!(runs[0]["status"], "interrupted");
    let pages = runs[0]["counts"]["pages"].as_i64().unwrap();
    assert!(pages >= 2, "the committed pages are counted: {}", runs[0]);
    assert_eq!(runs[0]["counts"]["fetched"].as_i64(), Some(pages * 1000));
    assert!(
        said.contains(&format!("interrupted after {pages} page(s)")),
        "{said}"
    );
    let resumed = home.run(&["sync", "acme", "--kind", "invoices", "--json"]);
    assert_eq!(json_lines(&resumed)[0]["resumed"], true);
    sim.shutdown().await;
}

/// A second Ctrl-C does not wait for the work in hand: the sync exits at
/// once, even while the store keeps it from recording its end, and the next
/// run picks up from the last committed page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_ctrl_c_quits_at_once_and_the_next_run_resumes() {
    let sim = start_sim(8000, 80).await;
    let home = Home::new();
    connect(&home, &sim);
    let child = sync_invoices_past(&home, 2).await;
    // Another process holds SQLite's write lock: the sync can neither commit
    // its next page nor record that it was interrupted (it would wait 30 s).
    let other = SeaStore::connect(&SeaStore::url_for_sqlite_path(home.db()))
        .await
        .expect("open the store");
    let lock = other.db().begin().await.expect("begin");
    lock.execute_unprepared("UPDATE connections SET name = name")
        .await
        .expect("take the write lock");
    for _ in 0..2 {
        interrupt(&child);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let output = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::task::spawn_blocking(move || child.wait_with_output()),
    )
    .await
    .expect("the second Ctrl-C ended the sync while the store was locked")
    .expect("waiter")
    .expect("sync ends");
    lock.rollback().await.expect("release the write lock");
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(said.contains("press Ctrl-C again"), "{said}");
    assert!(
        !said.contains("interrupted after"),
        "it quit at once: {said}"
    );
    let resumed = home.run(&["sync", "acme", "--kind", "invoices", "--json"]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert_eq!(json_lines(&resumed)[0]["resumed"], true);
    assert_invoices_match(&home, &sim);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_keeps_names_and_takes_secrets_as_given() {
    let config = SimConfig {
        client_id: Some("-app".to_owned()),
        client_secret: Some("-Secret-that-starts-with-a-dash".to_owned()),
        limits: SimLimits::off(),
        ..SimConfig::default()
    };
    let sim = XeroSim::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("start sim");
    let home = Home::new();
    let base = sim.base_url();
    let args = [
        "connect",
        "xero",
        "acme",
        "--client-credentials",
        "--client-id",
        "-app",
        "--client-secret",
        "-Secret-that-starts-with-a-dash",
        "--base-url",
        &base,
    ];
    let output = home.run(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = home.run(&args);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("--replace"), "{}", stderr(&output));
    let mut replace = args.to_vec();
    replace.push("--replace");
    let output = home.run(&replace);
    assert!(output.status.success(), "{}", stderr(&output));

    let output = home.run(&["records", "acme", "invoices"]);
    assert!(output.status.success());
    assert!(
        stderr(&output).contains("has never been synced"),
        "{}",
        stderr(&output)
    );
    sim.shutdown().await;
}

#[test]
fn an_unreachable_provider_is_said_at_once() {
    let home = Home::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let output = home.run(&[
        "connect",
        "xero",
        "acme",
        "--client-credentials",
        "--client-id",
        "a",
        "--client-secret",
        "b",
        "--base-url",
        &format!("http://127.0.0.1:{port}"),
    ]);
    assert!(started.elapsed() < Duration::from_secs(5), "at once");
    assert_eq!(output.status.code(), Some(1));
    let said = stderr(&output);
    assert!(said.contains("connection refused"), "{said}");
    assert_eq!(said.lines().count(), 1, "one line: {said}");
    assert!(!said.contains('\x1b'), "no colour codes off a terminal");
}

#[test]
fn help_says_what_tether_does_and_what_sync_returns() {
    let home = Home::new();
    let top = stdout(&home.run(&["--help"]));
    assert!(top.contains("in step with a SaaS provider"), "{top}");
    let sync = stdout(&home.run(&["sync", "--help"]));
    for expected in ["invoices", "manual_journals", "resumes", "Exit codes", "4 "] {
        assert!(
            sync.contains(expected),
            "sync --help lacks {expected}: {sync}"
        );
    }
}
