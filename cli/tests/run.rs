//! `tether run` as a service: the built binary against a simulator on
//! loopback and a real SQLite file (PostgreSQL when
//! `TETHER_TEST_POSTGRES_URL` is set). Schedules with a seconds field keep
//! it fast.

mod common;

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::worker::Worker;
use common::*;
use serde_json::Value;
use tether_tests::{Backend, TestDb};

/// Every two seconds, no full reconciliation during the test, edits looked
/// for every second.
const FAST: &str = r#"
[defaults]
resync = "*/2 * * * * *"
full = "0 0 3 1 1 *"
export_poll_secs = 1
jitter_secs = 1
"#;

/// Nothing due for a year: only what is unfinished or pending runs.
const YEARLY: &str = r#"
[defaults]
resync = "0 0 3 1 1 *"
full = "0 0 3 1 1 *"
export_poll_secs = 1
jitter_secs = 0
"#;

/// A home on a fresh PostgreSQL database when `TETHER_TEST_POSTGRES_URL`
/// is set, else on its own SQLite file.
async fn home() -> (Home, Option<TestDb>) {
    if std::env::var("TETHER_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        let db = TestDb::create(Backend::Postgres).await.expect("PostgreSQL");
        (Home::on_database(&db.url), Some(db))
    } else {
        (Home::new(), None)
    }
}

async fn start_worker(home: &Home, config: &str) -> Worker {
    Worker::start(home, "worker", config, &[]).await
}

/// Runs of one kind, newest first.
fn runs_of(home: &Home, kind: &str) -> Vec<Value> {
    runs(home)
        .into_iter()
        .filter(|r| r["kind"] == kind)
        .collect()
}

fn runs(home: &Home) -> Vec<Value> {
    json_lines(&home.run(&["runs", "acme", "--json", "--limit", "10000"]))
}

fn kinds(home: &Home) -> Vec<String> {
    let status = json_lines(&home.run(&["status", "acme", "--json"]));
    status[0]["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// From the run history's intervals: no kind ran twice at once, and no
/// more than `concurrency` runs overlapped.
fn never_two_at_once(runs: &[Value], concurrency: usize) {
    let time = |v: &Value| {
        v.as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    };
    let spans: Vec<_> = runs
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap(),
                time(&r["started_at"]),
                time(&r["finished_at"]),
            )
        })
        .collect();
    for (i, a) in spans.iter().enumerate() {
        let overlapping: Vec<_> = spans
            .iter()
            .enumerate()
            .filter(|(j, b)| *j != i && b.1 < a.2 && a.1 < b.2)
            .map(|(_, b)| b)
            .collect();
        assert!(
            overlapping.iter().all(|b| b.0 != a.0),
            "{} ran twice at once: {a:?} {overlapping:?}",
            a.0
        );
        // Every run overlapping `a` at its start overlaps the others there.
        let at_start = spans.iter().filter(|b| b.1 <= a.1 && a.1 < b.2).count();
        assert!(
            at_start <= concurrency,
            "{at_start} runs at once at {}",
            a.1
        );
    }
    assert!(spans.len() > 10, "{} runs", spans.len());
}

/// One sample of the text format: name, labels, value.
type Sample = (String, BTreeMap<String, String>, f64);

/// A small parser of the Prometheus/OpenMetrics text format: every line is
/// a `# HELP`/`# TYPE`/`# UNIT` line, `# EOF`, or `name{k="v",…} value`.
fn parse_metrics(text: &str) -> Vec<Sample> {
    let mut samples = Vec::new();
    let mut typed = std::collections::HashSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            typed.insert(rest.split(' ').next().unwrap().to_owned());
            continue;
        }
        if line.starts_with("# ") || line.is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("a value");
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("a number: {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => {
                let body = rest.strip_suffix('}').expect("closing brace");
                let labels = body
                    .split("\",")
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        let (k, v) = p.split_once("=\"").expect("k=\"v\"");
                        (k.to_owned(), v.trim_end_matches('"').to_owned())
                    })
                    .collect();
                (name.to_owned(), labels)
            }
            None => (series.to_owned(), BTreeMap::new()),
        };
        assert!(
            typed.iter().any(|t| name.starts_with(t.as_str())),
            "{name} has a # TYPE line"
        );
        samples.push((name, labels, value));
    }
    assert!(text.trim_end().ends_with("# EOF"), "ends with # EOF");
    samples
}

/// `tether_runs_total` by (kind, type, outcome).
fn run_counters(samples: &[Sample]) -> BTreeMap<(String, String, String), u64> {
    samples
        .iter()
        .filter(|(name, _, _)| name == "tether_runs_total")
        .map(|(_, l, v)| {
            assert_eq!(l["provider"], "xero");
            (
                (l["kind"].clone(), l["type"].clone(), l["outcome"].clone()),
                *v as u64,
            )
        })
        .collect()
}

/// The run history counted the same way.
fn history_counts(runs: &[Value]) -> BTreeMap<(String, String, String), u64> {
    let mut counts = BTreeMap::new();
    for r in runs {
        let key = (
            r["kind"].as_str().unwrap().to_owned(),
            r["run_type"].as_str().unwrap().to_owned(),
            r["status"].as_str().unwrap().to_owned(),
        );
        *counts.entry(key).or_default() += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_resyncs_every_kind_exports_edits_and_serves_metrics() {
    let sim = start_sim(40, 0).await;
    let (home, db) = home().await;
    connect(&home, &sim);
    let kinds = kinds(&home);
    assert!(kinds.len() >= 3, "{kinds:?}");
    let worker = start_worker(&home, FAST).await;
    assert_eq!(worker.get("/healthz").await, (200, "ok".to_owned()));

    // Every kind is pulled on its own, then again at its next slots.
    wait_for("two succeeded runs of every kind", || {
        let runs = runs(&home);
        kinds.iter().all(|k| {
            runs.iter()
                .filter(|r| r["kind"] == k.as_str() && r["status"] == "succeeded")
                .count()
                >= 2
        })
    })
    .await;

    // /metrics parses and its counters are the run history's (read while
    // no run is going on: the same counters before and after the history).
    let started = Instant::now();
    let (samples, history) = loop {
        let before = parse_metrics(&worker.get("/metrics").await.1);
        let history = runs(&home);
        let after = parse_metrics(&worker.get("/metrics").await.1);
        let quiet = history.iter().all(|r| r["status"] != "running");
        if quiet && run_counters(&before) == run_counters(&after) {
            break (after, history);
        }
        assert!(started.elapsed() < Duration::from_secs(60), "never quiet");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(run_counters(&samples), history_counts(&history));
    let value = |name: &str, label: (&str, &str)| {
        samples
            .iter()
            .find(|(n, l, _)| n == name && l.get(label.0).map(String::as_str) == Some(label.1))
            .map(|(_, _, v)| *v)
            .unwrap_or_else(|| panic!("{name} with {label:?}"))
    };
    // Runs of one connection share its session, and each run counts the
    // session's calls while it lasts: the history counts a call once per
    // run it overlapped, the counter once.
    let calls: Vec<i64> = history
        .iter()
        .map(|r| r["counts"]["api_calls"].as_i64().unwrap())
        .collect();
    let api = value("tether_api_calls_total", ("provider", "xero"));
    let (most, sum) = (*calls.iter().max().unwrap(), calls.iter().sum::<i64>());
    assert!(
        (most as f64..=sum as f64).contains(&api),
        "API calls {api}, runs say {most}..{sum}"
    );
    assert_eq!(
        value("tether_api_throttled_total", ("provider", "xero")),
        0.0
    );
    let lag = value("tether_lag_seconds", ("connection", "acme"));
    assert!((0.0..600.0).contains(&lag), "lag {lag}");
    assert_eq!(
        value("tether_conflicts_pending", ("connection", "acme")),
        0.0
    );
    assert_eq!(value("tether_deletions_held", ("connection", "acme")), 0.0);
    assert!(
        samples
            .iter()
            .any(|(n, _, v)| n == "tether_connections_needing_reauth" && *v == 0.0)
    );
    let changed: f64 = samples
        .iter()
        .filter(|(n, _, _)| n == "tether_records_changed_total")
        .map(|(_, _, v)| v)
        .sum();
    assert!(
        changed >= 40.0,
        "the first pulls stored every record: {changed}"
    );

    // A local edit is exported without being asked.
    let file = home.dir.path().join("contact.json");
    std::fs::write(&file, r#"{"Name": "Worker Ltd"}"#).unwrap();
    let output = home.run(&["put", "acme", "contacts", "--file", file.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    wait_for("the worker to export the new contact", || {
        runs(&home).iter().any(|r| {
            r["kind"] == "contacts"
                && r["run_type"] == "export"
                && r["status"] == "succeeded"
                && r["counts"]["written"] == 1
        })
    })
    .await;
    assert!(
        sim.snapshot("contacts")
            .iter()
            .any(|c| c["Name"] == "Worker Ltd"),
        "the provider has it"
    );
    let exports = || {
        runs(&home)
            .iter()
            .filter(|r| r["run_type"] == "export")
            .count()
    };
    let once = exports();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(exports(), once, "nothing pending: no more exports");

    let (took, status) = worker.terminate().await;
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(5), "stopped in {took:?}");
    eprintln!("SIGTERM to exit: {took:?}");
    never_two_at_once(&runs(&home), 4);
    assert!(runs(&home).iter().all(|r| r["status"] != "running"));
    // The log is JSON lines.
    let log = std::fs::read_to_string(home.dir.path().join("worker.log")).unwrap();
    for line in log.lines() {
        let line: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert!(line["fields"].is_object(), "{line}");
    }
    assert!(log.contains("run ended"), "{log}");
    sim.shutdown().await;
    if let Some(db) = db {
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_worker_within_seconds_and_the_run_resumes() {
    let sim = start_sim(8000, 80).await;
    let (home, db) = home().await;
    connect(&home, &sim);
    let worker = start_worker(&home, FAST).await;
    let log = worker.log.clone();
    let started = Instant::now();
    while checkpoint_pages_of(&home).await < 1 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no page committed: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (took, status) = worker.terminate().await;
    eprintln!("SIGTERM to exit with a pull in progress: {took:?}");
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(5), "stopped in {took:?}");
    let runs = runs(&home);
    let invoices: Vec<_> = runs.iter().filter(|r| r["kind"] == "invoices").collect();
    assert_eq!(invoices.len(), 1, "{invoices:?}");
    assert_eq!(invoices[0]["status"], "interrupted", "{}", invoices[0]);
    assert!(runs.iter().all(|r| r["status"] != "running"), "{runs:?}");
    let interrupted_pages = invoices[0]["counts"]["pages"].as_i64().unwrap();
    assert!(interrupted_pages >= 1, "{}", invoices[0]);

    // Restarted, it resumes the pull at once (its next slot is a year away)
    // from the committed pages.
    let worker = start_worker(&home, YEARLY).await;
    wait_for("the interrupted pull to be resumed", || {
        runs_of(&home, "invoices")
            .iter()
            .any(|r| r["status"] == "succeeded")
    })
    .await;
    let resumed = runs_of(&home, "invoices");
    eprintln!("resumed: {}", resumed[0]);
    assert_eq!(resumed.len(), 2);
    assert!(
        resumed[0]["counts"]["pages"].as_i64().unwrap() <= 8 - interrupted_pages,
        "it went on from page {interrupted_pages}: {}",
        resumed[0]
    );
    let (_, status) = worker.terminate().await;
    assert!(status.success());
    let records = json_lines(&home.run(&["records", "acme", "invoices", "--json"]));
    assert_eq!(
        records.len(),
        sim.snapshot("invoices").len(),
        "nothing lost or doubled"
    );
    sim.shutdown().await;
    if let Some(db) = db {
        db.drop_database().await;
    }
}

/// Pages the invoices' full pull has committed so far, on whichever store.
async fn checkpoint_pages_of(home: &Home) -> i64 {
    match &home.database {
        None => checkpoint_pages(&home.db()).await,
        Some(_) => {
            let status = json_lines(&home.run(&["status", "acme", "--json"]));
            status
                .first()
                .and_then(|s| s["kinds"].as_array())
                .and_then(|kinds| kinds.iter().find(|k| k["kind"] == "invoices"))
                .and_then(|k| k["in_progress"]["pages"].as_i64())
                .unwrap_or(0)
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_schedule_is_refused_and_a_disconnected_connection_skipped_once() {
    let sim = start_sim(40, 0).await;
    let (home, db) = home().await;
    connect(&home, &sim);
    let file = home.dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "[connections.acme.kinds.items]\nfull = \"every sunday\"\n",
    )
    .unwrap();
    let output = home.run(&["run", "--config", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("connections.acme.kinds.items.full"),
        "{}",
        stderr(&output)
    );
    let output = home.run(&["run", "--config", "/nonexistent/worker.toml"]);
    assert_eq!(output.status.code(), Some(1), "a file named must exist");

    assert!(home.run(&["disconnect", "acme"]).status.success());
    let worker = start_worker(&home, FAST).await;
    // Two refreshes of the connections (every 5 s) say it once.
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(worker.get("/healthz").await.0, 200);
    let metrics = parse_metrics(&worker.get("/metrics").await.1);
    assert!(run_counters(&metrics).is_empty());
    let log = worker.log.clone();
    let (_, status) = worker.terminate().await;
    assert!(status.success());
    let log = std::fs::read_to_string(log).unwrap();
    let warnings: Vec<_> = log
        .lines()
        .filter(|l| l.contains("skipped: disconnected"))
        .collect();
    assert_eq!(warnings.len(), 1, "{log}");
    assert!(runs(&home).is_empty(), "nothing ran");
    sim.shutdown().await;
    if let Some(db) = db {
        db.drop_database().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_held_by_a_hand_run_sync_is_left_to_it_until_the_next_slot() {
    // Calls of 300 ms: the hand-run pull of eight pages outlasts the
    // worker's resyncs of invoices, one a second.
    let sim = start_sim(8000, 300).await;
    let (home, db) = home().await;
    connect(&home, &sim);
    let config = r#"
[defaults]
resync = "0 0 3 1 1 *"
full = "0 0 3 1 1 *"
jitter_secs = 0

[connections.acme.kinds.invoices]
resync = "* * * * * *"
"#;
    let worker = start_worker(&home, config).await;
    // While the worker pulls invoices, a sync by hand says who holds them.
    wait_for("the worker's first pull of invoices to start", || {
        runs_of(&home, "invoices")
            .iter()
            .any(|r| r["status"] == "running")
    })
    .await;
    let refused = home.run(&["sync", "acme", "--kind", "invoices"]);
    assert_eq!(refused.status.code(), Some(4), "{}", stderr(&refused));
    let pid = format!("pid {}", worker.child.id());
    assert!(
        stderr(&refused).contains(&pid),
        "names {pid}: {}",
        stderr(&refused)
    );
    wait_for("the worker's first pull of invoices", || {
        runs_of(&home, "invoices")
            .iter()
            .any(|r| r["status"] == "succeeded")
    })
    .await;
    // A full pull by hand, started between two of the worker's resyncs
    // (one that meets the worker's own run exits 4 and is started again).
    let pages_before = checkpoint_pages_of(&home).await;
    let hand = loop {
        let mut hand = home
            .command(&["sync", "acme", "--kind", "invoices"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn sync");
        let started = Instant::now();
        let held_off = loop {
            if checkpoint_pages_of(&home).await > pages_before {
                break false;
            }
            if let Some(status) = hand.try_wait().unwrap() {
                assert_eq!(status.code(), Some(4), "held off by the worker, or paging");
                break true;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "no page");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        if !held_off {
            break hand;
        }
    };
    let log = worker.log.clone();
    let held = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .any(|l| l.contains("held by another process") && l.contains("invoices"))
    };
    wait_for("the worker to find invoices held", held).await;
    let output = tokio::task::spawn_blocking(move || hand.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let hand_ended = chrono::Utc::now();
    wait_for("the worker's own run of invoices after it", || {
        runs_of(&home, "invoices").iter().any(|r| {
            r["run_type"] == "resync"
                && r["status"] == "succeeded"
                && r["started_at"]
                    .as_str()
                    .and_then(|at| at.parse::<chrono::DateTime<chrono::Utc>>().ok())
                    .is_some_and(|at| at > hand_ended)
        })
    })
    .await;
    let (_, status) = worker.terminate().await;
    assert!(status.success());
    let runs = runs(&home);
    assert!(runs.iter().all(|r| r["status"] != "failed"), "{runs:?}");
    // The worker's four places, and the hand-run sync.
    never_two_at_once(&runs, 4 + 1);
    sim.shutdown().await;
    if let Some(db) = db {
        db.drop_database().await;
    }
}
