//! Several `tether run` processes sharing one PostgreSQL store through the
//! job engine: 200 connections of a multi-tenant sandbox, three workers, one
//! of them killed with SIGKILL in the middle of a run. Needs
//! `TETHER_TEST_POSTGRES_URL` (skipped with a message without it).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use common::worker::Worker;
use common::*;
use serde_json::Value;
use tether_core::store::Store;
use tether_store::SeaStore;
use tether_tests::{Backend, TestDb, assert_store_matches_provider};
use tether_xero::sim::{SimConfig, SimLimits, SimSizes, XeroSim};

const TENANTS: usize = 200;

/// A resync every 20 s (moved by up to 5 s per (connection, kind)); no full
/// reconciliation during the test.
const EVERY_20S: &str = r#"
[defaults]
resync = "*/20 * * * * *"
full = "0 0 3 1 1 *"
jitter_secs = 5
"#;

type Key = (String, String);

/// A run's interval and the worker that ran it.
type Span = (DateTime<Utc>, DateTime<Utc>, String);

fn time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()?.parse().ok()
}

/// Every connection's runs.
fn all_runs(home: &Home) -> Vec<Value> {
    json_lines(&home.run(&["runs", "--json", "--limit", "1000000"]))
}

fn key(run: &Value) -> Key {
    (
        run["connection"].as_str().unwrap().to_owned(),
        run["kind"].as_str().unwrap().to_owned(),
    )
}

/// The (connection, kind)s with a run that succeeded and started after `since`.
fn succeeded_since(runs: &[Value], since: DateTime<Utc>) -> BTreeSet<Key> {
    runs.iter()
        .filter(|r| r["status"] == "succeeded" && time(&r["started_at"]).is_some_and(|t| t > since))
        .map(key)
        .collect()
}

async fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    eprintln!("{what}: {:.0?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_share_two_hundred_connections_and_outlive_a_sigkill() {
    if std::env::var("TETHER_TEST_POSTGRES_URL").is_err() {
        eprintln!("skipped: set TETHER_TEST_POSTGRES_URL to run workers on PostgreSQL");
        return;
    }
    let db = TestDb::create(Backend::Postgres).await.expect("PostgreSQL");
    let config = SimConfig {
        seed: 14,
        sizes: SimSizes::scaled(12),
        limits: SimLimits::real(),
        tenants: TENANTS,
        ..SimConfig::default()
    };
    let sim = XeroSim::start(config, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("start sim");
    let home = Home::on_database(&db.url);
    let base = sim.base_url();
    let env = [
        ("TETHER_XERO_CLIENT_ID", sim.client_id()),
        ("TETHER_XERO_CLIENT_SECRET", sim.client_secret()),
    ];
    let done = connect_by_consent(&home, &["xero", "acme", "--base-url", &base], &env).await;
    assert!(done.status.success(), "connect: {}", done.stderr);
    assert_eq!(done.connections.len(), TENANTS);

    let args = ["--concurrency", "4", "--takeover-after", "6"];
    let mut workers = Vec::new();
    for i in 0..3 {
        workers.push(Worker::start(&home, &format!("w{i}"), EVERY_20S, &args).await);
    }
    let started = Utc::now();
    let store = SeaStore::connect(&db.url).await.unwrap();
    let connections = store.connections().await.unwrap();
    let kinds: Vec<String> = json_lines(&home.run(&["status", &connections[0].name, "--json"]))[0]
        ["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap().to_owned())
        .collect();
    let every: BTreeSet<Key> = connections
        .iter()
        .flat_map(|c| kinds.iter().map(|k| (c.name.clone(), k.clone())))
        .collect();
    assert_eq!(every.len(), TENANTS * kinds.len());

    // Kill a worker in the middle of one of its runs, while the first pulls
    // go on.
    let pids: Vec<u32> = workers.iter().map(|w| w.child.id()).collect();
    let mut victim = None;
    wait_until("a worker caught mid-run", Duration::from_secs(240), || {
        let runs = all_runs(&home);
        let done = runs.iter().filter(|r| r["status"] == "succeeded").count();
        victim = runs
            .iter()
            .filter(|r| r["status"] == "running")
            .find_map(|r| {
                let worker = r["worker"].as_str()?;
                let i = pids
                    .iter()
                    .position(|p| worker.ends_with(&format!("(pid {p})")))?;
                Some((i, key(r)))
            });
        done >= 300 && victim.is_some()
    })
    .await;
    let (victim, victim_key) = victim.unwrap();
    let killed = Command::new("kill")
        .args(["-KILL", &pids[victim].to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let killed_at = Utc::now();
    eprintln!("killed worker {} during {victim_key:?}", pids[victim]);

    // Every (connection, kind) is pulled, the victim's by another worker.
    wait_until("every kind pulled", Duration::from_secs(360), || {
        succeeded_since(&all_runs(&home), started).is_superset(&every)
    })
    .await;
    let runs = all_runs(&home);
    let taken_over = runs.iter().any(|r| {
        key(r) == victim_key
            && r["status"] == "succeeded"
            && time(&r["started_at"]).is_some_and(|t| t > killed_at)
            && !r["worker"]
                .as_str()
                .unwrap_or_default()
                .ends_with(&format!("(pid {})", pids[victim]))
    });
    assert!(taken_over, "{victim_key:?} finished by another worker");

    // And then resynced on schedule, by the two left.
    let pulled = Utc::now();
    wait_until("a resync of every kind", Duration::from_secs(300), || {
        let runs = all_runs(&home);
        let resynced: BTreeSet<Key> = runs
            .iter()
            // Kinds without a modified-since filter resync by a full listing.
            .filter(|r| r["run_type"] == "resync" || r["run_type"] == "reconcile")
            .filter(|r| r["status"] == "succeeded")
            .filter(|r| time(&r["started_at"]).is_some_and(|t| t > pulled))
            .map(key)
            .collect();
        resynced.is_superset(&every)
    })
    .await;

    // The engine's jobs show per connection in `tether status`.
    let status = json_lines(&home.run(&["status", "--json"]));
    assert_eq!(status.len(), TENANTS);
    assert!(
        status.iter().all(|c| c["jobs"]["queued"].is_i64()),
        "{:?}",
        status[0]
    );

    let mut survivors = workers;
    let dead = survivors.remove(victim);
    drop(dead);
    for worker in survivors {
        let log = worker.log.clone();
        let (took, status) = worker.terminate().await;
        assert!(status.success(), "{status:?}");
        assert!(took < Duration::from_secs(5), "stopped in {took:?}");
        // A job whose kind the dead worker's lease still held, or that the
        // stop interrupted, was put off, not failed.
        let text = std::fs::read_to_string(&log).unwrap();
        let failed: Vec<&str> = text.lines().filter(|l| l.contains("Failed task")).collect();
        assert!(failed.is_empty(), "{failed:#?}");
    }

    // No (connection, kind) ran in two processes at once.
    let runs = all_runs(&home);
    let mut spans: BTreeMap<Key, Vec<Span>> = BTreeMap::new();
    for r in &runs {
        let (Some(start), Some(end)) = (time(&r["started_at"]), time(&r["finished_at"])) else {
            panic!("a run left unfinished: {r}");
        };
        let worker = r["worker"].as_str().unwrap_or_default().to_owned();
        spans.entry(key(r)).or_default().push((start, end, worker));
    }
    let mut workers_seen = BTreeSet::new();
    for (key, mut spans) in spans {
        spans.sort();
        for pair in spans.windows(2) {
            assert!(
                pair[0].1 <= pair[1].0,
                "{key:?} ran twice at once: {:?} and {:?}",
                pair[0],
                pair[1]
            );
        }
        workers_seen.extend(spans.into_iter().map(|s| s.2));
    }
    assert!(
        workers_seen.len() >= 3,
        "all three did work: {workers_seen:?}"
    );
    eprintln!("{} runs, none overlapping", runs.len());

    // Nothing lost or doubled: the store equals every tenant's data.
    let kinds: Vec<&str> = kinds.iter().map(String::as_str).collect();
    let mut compared = 0;
    for c in &connections {
        let view = sim.tenant_view(c.tenant_id.parse().unwrap());
        compared += assert_store_matches_provider(&store, c.id, &view, &kinds).await;
    }
    eprintln!("{compared} objects equal the sandbox's");
    assert_eq!(sim.stats().throttled, 0, "no 429");
    store.close().await.unwrap();
    sim.shutdown().await;
    db.drop_database().await;
}
