//! Workers benchmark: 1, 2 and 4 `tether run` processes sharing the
//! connections of a multi-tenant sandbox on PostgreSQL (issue #14).
//!
//! `cargo build --release -p tether-cli -p tether-tests && cargo run --release
//! -p tether-tests --bin bench_workers -- [--url URL] [--workers 1,2,4]
//! [--connections 1000] [--secs 90] [--concurrency 4] [--size 5]
//! [--resync-secs 30] [--logs DIR] [--tether BINARY]`
//! (defaults: the PostgreSQL server of `TETHER_TEST_POSTGRES_URL` or
//! `postgres://postgres@127.0.0.1:5432/test`, 1, 2 then 4 workers, 1,000
//! connections, a 90 s window, 4 jobs at once per worker, 5 invoices per
//! tenant). The `tether` binary is the one next to this one (build it
//! first), or `--tether`'s.
//!
//! Each configuration starts a Xero simulator in this process serving one
//! organisation per connection (`SimSizes::scaled(size)`: about 60 objects
//! over 10 kinds each), its limits on but scaled down to a 10 s window (5 at
//! once, 10 calls per tenant, 1,666 calls for the app: Xero's rates over a
//! sixth of the minute), and a fresh database (dropped afterwards) holding
//! the connections, made by one consent through the real connect path with a
//! rate policy that matches. The workers start together, each `tether
//! --database URL run --config FILE --concurrency C --log-format json` with
//! its own home (the master key in `TETHER_MASTER_KEY`) and its log in a file,
//! and a resync of every kind every `--resync-secs` (moved by up to a third
//! of that per (connection, kind)); no full reconciliation.
//!
//! After `--secs` from the start (the first pulls, and the workers' own
//! start-up, count) it reads the figures, then stops the workers with SIGTERM:
//!
//! - runs/min: runs that finished within the window, per minute;
//! - records/s: their records stored or marked deleted, per second;
//! - peak RSS: the highest `VmHWM` of the workers (and their mean);
//! - p99 lag: per connection, now − the start of the oldest of its kinds'
//!   last successful runs (a kind never pulled counts as the whole window),
//!   its 99th percentile over the connections. The cursors are not used: a
//!   cursor sits 5 min (the overlap) behind its pull and a resync that finds
//!   no change leaves it where it was, so on a sandbox that does not change
//!   it tells the data's age, not the workers'.
//!
//! Also printed: failed runs, 429s given by the simulator, and the warnings
//! and errors in the workers' logs (kept in `--logs DIR` when given; the
//! jobs the SIGTERM stopped, said as warnings, are not counted).
//!
//! Measured on a quiet 2-core machine (PostgreSQL, the simulator and the
//! workers all on it), `--secs 240 --resync-secs 60`: more runs due than
//! one machine can do, so runs/min is what it can do. 1, 2, 4 workers:
//! 8,133 / 8,400 / 5,177 runs/min, 721 / 739 / 478 records/s, 160 MiB peak
//! RSS per worker, p99 lag 110 / 113 / 154 s, every connection first pulled
//! after 70 / 69 / 100 s, no failed run, no 429. Two processes already use
//! both cores; four contend for them. With a resync every 300 s over 600 s
//! (the work fits), before workers took jobs from a local queue: 2,752 /
//! 2,778 / 2,871 runs/min (what was due), p99 lag 262 / 264 / 267 s (the
//! time since the last slot's runs: every slot's work was done within it),
//! all pulled after 112 / 105 / 91 s.

mod history;
mod processes;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use tether_core::auth::authorize::App;
use tether_core::{ConnectRequest, MasterKey, RateLimitPolicy, Secret, Vault};
use tether_xero::sim::{SimConfig, SimLimits, SimSizes, XeroSim};

use history::{Run, pulled, runs};
use processes::{BenchDb, Workers, mib, vm_hwm_kib};

/// The workers' schedule: a resync of every kind every `resync_secs`
/// (a divisor of 60 below a minute, whole minutes above), each (connection,
/// kind) moved by up to a third of that; the full reconciliation once a
/// year, so never during a run of the bench.
fn worker_config(resync_secs: u64) -> Result<String> {
    let cron = match resync_secs {
        s if s < 60 && 60 % s == 0 => format!("*/{s} * * * * *"),
        s if s % 60 == 0 && s < 3600 => format!("0 */{} * * * *", s / 60),
        s => bail!("--resync-secs {s}: a divisor of 60, or whole minutes under an hour"),
    };
    Ok(format!(
        "[defaults]\nresync = \"{cron}\"\nfull = \"0 0 3 1 1 *\"\njitter_secs = {}\n",
        resync_secs / 3
    ))
}

/// Xero's limits over a 10 s window instead of a minute.
const WINDOW: Duration = Duration::from_secs(10);
const CONCURRENT: u32 = 5;
const PER_WINDOW: u32 = 10;
const APP_PER_WINDOW: u32 = 10_000 / 6;

struct Options {
    url: String,
    workers: Vec<usize>,
    connections: usize,
    secs: u64,
    concurrency: usize,
    size: usize,
    resync_secs: u64,
    logs: Option<PathBuf>,
    /// Another `tether` binary than the one next to this one (an older
    /// build, to compare).
    tether: Option<PathBuf>,
}

fn main() -> Result<()> {
    let options = options()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(bench(options))
}

fn options() -> Result<Options> {
    let mut options = Options {
        url: std::env::var("TETHER_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned()),
        workers: vec![1, 2, 4],
        connections: 1000,
        secs: 90,
        concurrency: 4,
        size: 5,
        resync_secs: 30,
        logs: None,
        tether: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => options.url = value()?,
            "--workers" => {
                options.workers = value()?
                    .split(',')
                    .map(|n| n.trim().parse())
                    .collect::<Result<_, _>>()?
            }
            "--connections" => options.connections = value()?.parse()?,
            "--secs" => options.secs = value()?.parse()?,
            "--concurrency" => options.concurrency = value()?.parse()?,
            "--size" => options.size = value()?.parse()?,
            "--resync-secs" => options.resync_secs = value()?.parse()?,
            "--logs" => options.logs = Some(value()?.into()),
            "--tether" => options.tether = Some(value()?.into()),
            "--help" | "-h" => {
                println!(
                    "bench_workers [--url postgres://...] [--workers 1,2,4] [--connections N] [--secs S] [--concurrency C] [--size INVOICES] [--resync-secs S] [--logs DIR] [--tether BINARY]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other} (try --help)"),
        }
    }
    if options.workers.is_empty() || options.workers.contains(&0) {
        bail!("--workers needs counts of at least 1");
    }
    if options.connections == 0 || options.secs == 0 || options.concurrency == 0 {
        bail!("--connections, --secs and --concurrency must be at least 1");
    }
    if options.resync_secs == 0 {
        bail!("--resync-secs must be at least 1");
    }
    worker_config(options.resync_secs)?;
    if !options.url.starts_with("postgres") {
        bail!("several workers share the work on PostgreSQL only: --url postgres://...");
    }
    Ok(options)
}

/// What one configuration measured.
struct Figures {
    workers: usize,
    runs_per_min: f64,
    records_per_sec: f64,
    peak_rss_kib: Vec<u64>,
    p99_lag: f64,
    failed: usize,
    throttled: u64,
    pulled: usize,
    warnings: usize,
    errors: usize,
    /// From the start to the first run started: the workers' own start-up.
    first_run: Option<f64>,
    /// From the start until every connection had every kind pulled once.
    all_pulled: Option<f64>,
}

async fn bench(options: Options) -> Result<()> {
    let tether = match &options.tether {
        Some(path) => path.clone(),
        None => std::env::current_exe()?.with_file_name("tether"),
    };
    if !tether.exists() {
        bail!(
            "no tether binary at {}: run `cargo build --release -p tether-cli -p tether-tests` first",
            tether.display()
        );
    }
    if let Some(dir) = &options.logs {
        std::fs::create_dir_all(dir)?;
    }
    println!(
        "{} connections (one tenant each, {} invoices), a {} s window, --concurrency {}, a resync every {} s, on PostgreSQL",
        options.connections, options.size, options.secs, options.concurrency, options.resync_secs
    );
    let mut all = Vec::new();
    for &workers in &options.workers {
        let figures = configuration(&options, &tether, workers).await?;
        println!(
            "{workers} worker(s): {:.0} runs/min, {:.0} records/s, peak RSS {} MiB per worker (max), p99 lag {:.1} s; first run after {}, all pulled after {}; {}/{} connections pulled, {} failed runs, {} 429s, log: {} warnings, {} errors",
            figures.runs_per_min,
            figures.records_per_sec,
            mib(figures.peak_rss_kib.iter().copied().max().unwrap_or(0)),
            figures.p99_lag,
            secs_or_dash(figures.first_run),
            secs_or_dash(figures.all_pulled),
            figures.pulled,
            options.connections,
            figures.failed,
            figures.throttled,
            figures.warnings,
            figures.errors,
        );
        all.push(figures);
    }
    println!();
    println!(
        "{:>7}  {:>8}  {:>9}  {:>12}  {:>13}  {:>9}  {:>11}  {:>12}  {:>6}  {:>5}",
        "workers",
        "runs/min",
        "records/s",
        "peak RSS MiB",
        "mean RSS MiB",
        "p99 lag s",
        "first run s",
        "all pulled s",
        "failed",
        "429s"
    );
    for f in &all {
        let mean = f.peak_rss_kib.iter().sum::<u64>() / f.peak_rss_kib.len().max(1) as u64;
        println!(
            "{:>7}  {:>8.0}  {:>9.0}  {:>12}  {:>13}  {:>9.1}  {:>11}  {:>12}  {:>6}  {:>5}",
            f.workers,
            f.runs_per_min,
            f.records_per_sec,
            mib(f.peak_rss_kib.iter().copied().max().unwrap_or(0)),
            mib(mean),
            f.p99_lag,
            secs_or_dash(f.first_run),
            secs_or_dash(f.all_pulled),
            f.failed,
            f.throttled,
        );
    }
    Ok(())
}

/// One configuration: its own simulator, database, home and workers, all
/// gone when it returns.
async fn configuration(options: &Options, tether: &Path, workers: usize) -> Result<Figures> {
    let config = SimConfig {
        seed: 14,
        sizes: SimSizes::scaled(options.size),
        limits: SimLimits {
            enabled: true,
            concurrent: CONCURRENT,
            per_window: PER_WINDOW,
            window: WINDOW,
            per_day: 5000,
            app_per_window: APP_PER_WINDOW,
        },
        tenants: options.connections,
        ..SimConfig::default()
    };
    let sim = XeroSim::start(config, SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let db = BenchDb::create(&options.url).await?;
    let outcome = measure(options, tether, workers, &sim, &db).await;
    db.drop_database().await?;
    sim.shutdown().await;
    outcome
}

async fn measure(
    options: &Options,
    tether: &Path,
    workers: usize,
    sim: &tether_xero::sim::SimHandle,
    db: &BenchDb,
) -> Result<Figures> {
    let key = MasterKey::generate();
    let vault = Vault::new(&key);
    let connecting = Instant::now();
    let connections = tether_tests::connect_by_consent(
        &db.store,
        &vault,
        "xero",
        ConnectRequest {
            name: "bench".to_owned(),
            base_url: Some(sim.base_url()),
            tenant: None,
            rate_limits: Some(RateLimitPolicy {
                concurrency: CONCURRENT,
                per_window: PER_WINDOW,
                window: WINDOW,
                per_day: None,
                app_per_window: Some(APP_PER_WINDOW),
                batch_per_window: None,
            }),
            replace: false,
        },
        App {
            client_id: sim.client_id().to_owned(),
            client_secret: Some(Secret::new(sim.client_secret())),
        },
    )
    .await?;
    if connections.len() != options.connections {
        bail!(
            "the consent made {} connections, not {}",
            connections.len(),
            options.connections
        );
    }
    eprintln!(
        "{workers} worker(s): {} connections made in {:.1?}",
        connections.len(),
        connecting.elapsed()
    );
    let kinds: Vec<String> = tether_core::connector("xero")
        .context("the xero connector")?
        .kinds()
        .iter()
        .map(|k| k.name().to_owned())
        .collect();

    let home = tempfile::tempdir()?;
    let config = home.path().join("worker.toml");
    std::fs::write(&config, worker_config(options.resync_secs)?)?;
    let logs = options
        .logs
        .clone()
        .unwrap_or_else(|| home.path().to_owned());
    let mut running = Workers(Vec::new());
    let start = Utc::now();
    let started = Instant::now();
    for i in 0..workers {
        let log = logs.join(format!("workers{workers}-w{i}.log"));
        let child = Command::new(tether)
            .args(["--database", &db.url, "run", "--config"])
            .arg(&config)
            .args([
                "--concurrency",
                &options.concurrency.to_string(),
                "--log-format",
                "json",
            ])
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("TETHER_MASTER_KEY", key.encode())
            .env_remove("TETHER_DATABASE_URL")
            .env_remove("TETHER_WORKER_CONFIG")
            .env_remove("TETHER_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()
            .with_context(|| format!("starting {}", tether.display()))?;
        running.0.push((child, log));
    }

    let window = Duration::from_secs(options.secs);
    let mut next_note = Duration::from_secs(30);
    while started.elapsed() < window {
        tokio::time::sleep(Duration::from_secs(1).min(window - started.elapsed())).await;
        for (child, log) in &mut running.0 {
            if let Some(status) = child.try_wait()? {
                bail!(
                    "a worker stopped by itself ({status}); see {}",
                    log.display()
                );
            }
        }
        if started.elapsed() >= next_note && started.elapsed() < window {
            let runs = runs(&db.store).await?;
            let pulled = pulled(&runs, &kinds);
            eprintln!(
                "  {:>4.0?}: {} runs, {pulled} connections pulled",
                started.elapsed(),
                runs.len()
            );
            next_note += Duration::from_secs(30);
        }
    }
    let peak_rss_kib = running
        .0
        .iter()
        .map(|(child, _)| vm_hwm_kib(child.id()))
        .collect::<Result<Vec<_>>>()?;
    let end = Utc::now();
    let runs = runs(&db.store).await?;
    let throttled = sim.stats().throttled;
    running.stop().await?;

    let secs = (end - start).num_milliseconds() as f64 / 1000.0;
    let finished: Vec<&Run> = runs
        .iter()
        .filter(|r| r.finished_at.is_some_and(|t| t >= start && t <= end))
        .collect();
    let records: i64 = finished.iter().map(|r| r.changed).sum();
    let failed = finished.iter().filter(|r| r.status == "failed").count();

    let ids: Vec<i64> = connections.iter().map(|c| c.id.0).collect();
    let p99_lag = history::p99_lag(&runs, &ids, &kinds, end, secs);
    let since_start = |at: DateTime<Utc>| (at - start).num_milliseconds() as f64 / 1000.0;
    let first_run = runs.iter().map(|r| r.started_at).min().map(since_start);
    let all_pulled = history::all_pulled_at(&runs, ids.len() * kinds.len()).map(since_start);

    let (mut warnings, mut errors) = (0, 0);
    for (_, log) in &running.0 {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        // A job stopped by the SIGTERM is said as a warning: not counted.
        warnings += text
            .lines()
            .filter(|l| l.contains(r#""level":"WARN""#) && !l.contains("stopped by a shutdown"))
            .count();
        errors += text.matches(r#""level":"ERROR""#).count();
    }
    Ok(Figures {
        workers,
        runs_per_min: finished.len() as f64 * 60.0 / secs,
        records_per_sec: records as f64 / secs,
        peak_rss_kib,
        p99_lag,
        failed,
        throttled,
        pulled: pulled(&runs, &kinds),
        warnings,
        errors,
        first_run,
        all_pulled,
    })
}

fn secs_or_dash(secs: Option<f64>) -> String {
    secs.map_or_else(|| "-".to_owned(), |s| format!("{s:.1} s"))
}
