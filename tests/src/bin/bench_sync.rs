//! Sync throughput benchmark: N invoices from the Xero simulator into SQLite.
//!
//! `cargo run --release -p tether-tests --bin bench_sync [-- N ...]`
//! (default N: 10000 100000 1000000). Each N runs the simulator in one child
//! process and the sync in another, so the peak RSS printed is the sync's
//! alone; it prints records/s, API calls (target: ceil(N/1000)) and peak RSS.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use tether_core::store::RunStatus;
use tether_core::sync::Syncer;
use tether_core::{MasterKey, RateLimitPolicy, Secret, Vault};
use tether_store::SeaStore;
use tether_xero::sim::{SimConfig, SimLimits, SimSizes, XeroSim};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match args.first().map(String::as_str) {
        Some("--serve") => runtime.block_on(serve(args[1].parse()?)),
        Some("--sync") => runtime.block_on(sync(&args[1], &args[2], &args[3], &args[4])),
        _ => {
            let sizes: Vec<usize> = if args.is_empty() {
                vec![10_000, 100_000, 1_000_000]
            } else {
                args.iter().map(|a| a.parse()).collect::<Result<_, _>>()?
            };
            drive(&sizes)
        }
    }
}

/// Runs a simulator with `n` invoices, limits off, until killed.
async fn serve(n: usize) -> Result<()> {
    let config = SimConfig {
        seed: 1,
        sizes: SimSizes::only_invoices(n),
        limits: SimLimits::off(),
        ..SimConfig::default()
    };
    let sim = XeroSim::start(config, SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    println!(
        "{}",
        json!({"base_url": sim.base_url(), "client_id": sim.client_id(), "client_secret": sim.client_secret()})
    );
    std::future::pending::<()>().await;
    Ok(())
}

/// Connects and syncs invoices into a fresh SQLite file; prints one JSON line.
async fn sync(base_url: &str, client_id: &str, client_secret: &str, db_path: &str) -> Result<()> {
    let store = SeaStore::connect(&SeaStore::url_for_sqlite_path(std::path::Path::new(
        db_path,
    )))
    .await?;
    let vault = Vault::new(&MasterKey::generate());
    let connection = tether_tests::connect_app(
        &store,
        &vault,
        "xero",
        "bench",
        base_url,
        (client_id, Secret::new(client_secret)),
        Some(RateLimitPolicy {
            concurrency: 5,
            per_window: 1_000_000,
            window: Duration::from_secs(1),
            per_day: None,
            app_per_window: None,
            batch_per_window: None,
        }),
    )
    .await?;
    let session = tether_tests::open_session(&store, &vault, connection).await?;
    let kind = session
        .connector
        .kind("invoices")
        .context("invoices kind")?;
    let started = Instant::now();
    let mut outcome = Syncer::new(&store, &session).sync_kinds(&[kind]).await?;
    let seconds = started.elapsed().as_secs_f64();
    let report = outcome
        .reports
        .pop()
        .context("the kind was held by another process")?;
    if report.status != RunStatus::Succeeded {
        bail!("sync failed: {:?}", report.error);
    }
    println!(
        "{}",
        json!({
            "records": report.counts.stored,
            "api_calls": report.counts.api_calls,
            "seconds": seconds,
            "peak_rss_kb": peak_rss_kb(),
        })
    );
    Ok(())
}

/// The process's peak resident set (VmHWM), in KiB.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn drive(sizes: &[usize]) -> Result<()> {
    let me = std::env::current_exe()?;
    println!(
        "{:>9}  {:>9}  {:>10}  {:>9}  {:>9}  {:>12}",
        "invoices", "api calls", "target", "seconds", "records/s", "peak RSS MB"
    );
    for &n in sizes {
        let mut sim = Command::new(&me)
            .args(["--serve", &n.to_string()])
            .stdout(Stdio::piped())
            .spawn()?;
        let mut line = String::new();
        BufReader::new(sim.stdout.take().context("sim stdout")?).read_line(&mut line)?;
        let info: Value = serde_json::from_str(&line).context("simulator did not start")?;
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("bench.db");
        let output = Command::new(&me)
            .args([
                "--sync",
                info["base_url"].as_str().unwrap_or_default(),
                info["client_id"].as_str().unwrap_or_default(),
                info["client_secret"].as_str().unwrap_or_default(),
                db.to_str().unwrap_or_default(),
            ])
            .stderr(Stdio::inherit())
            .output()?;
        let _ = sim.kill();
        let _ = sim.wait();
        if !output.status.success() {
            bail!("sync of {n} invoices failed");
        }
        let result: Value = serde_json::from_slice(&output.stdout)?;
        let seconds = result["seconds"].as_f64().unwrap_or(f64::NAN);
        let records = result["records"].as_f64().unwrap_or(0.0);
        println!(
            "{:>9}  {:>9}  {:>10}  {:>9.2}  {:>9.0}  {:>12.1}",
            n,
            result["api_calls"],
            n.div_ceil(1000),
            seconds,
            records / seconds,
            result["peak_rss_kb"].as_f64().unwrap_or(f64::NAN) / 1024.0
        );
        if records as usize != n {
            bail!("stored {records} of {n} invoices");
        }
    }
    Ok(())
}
