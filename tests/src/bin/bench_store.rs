//! Store ingest benchmark: page commits alone, no HTTP.
//!
//! `cargo run --release -p tether-tests --bin bench_store -- [--url URL]
//! [--tenants T] [--pages P] [--runs R] [--setup SQL] [--raw] [--group G]`
//! (defaults: the PostgreSQL server of `TETHER_TEST_POSTGRES_URL` or
//! `postgres://postgres@127.0.0.1:5432/test`, 4 tenants, 250 pages each: 1M
//! invoices, 3 runs, G = the sync loop's `pages_per_commit`). `--url sqlite` uses a
//! SQLite file in a temporary directory instead. `--setup SQL` (repeatable)
//! runs a statement on each fresh database before its pages, to measure a
//! schema or setting change (`--setup "DROP INDEX ix_records_pending"`).
//!
//! One page of 1,000 invoices is listed once from the Xero simulator and
//! parsed by the connector; every committed page is that page with a fresh
//! random UUID per invoice (in its id and its JSON), as Xero's ids are. Each
//! run creates a database of its own (dropped afterwards), a connection,
//! lease and run per tenant, then commits every tenant's pages at once, one
//! task per tenant, G pages per `Store::commit_pages` as a full sync does
//! when the store is slower than the provider (the sync loop commits
//! together the pages fetched while the previous commit ran, at most its
//! `pages_per_commit`). It prints, per run, records/s over the wall clock
//! and the commits' p50/p99 latency (one commit = G pages), then the median
//! records/s, and at the end the process's peak RSS.
//!
//! `--raw` adds, after each run, a run of the same shape that inserts the
//! same rows (fresh ids, same columns and values) with a plain multi-row
//! `INSERT` into `raw_records`, a copy of `records`' columns with no index
//! but the row id, one transaction per page: the engine's raw insert speed,
//! which the last line compares the commits' median to.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use sea_orm::{
    ConnectionTrait, DbBackend, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait, Value,
};
use tether_core::auth::{GrantStore, NewTokens};
use tether_core::lease::{Holder, Lease};
use tether_core::store::{
    Checkpoint, NewConnection, PageCommit, Provenance, Pull, RunCounts, RunType, Store,
};
use tether_core::{MasterKey, PageRequest, PageToken, ParsedObject, Secret, Vault};
use tether_store::SeaStore;
use tether_xero::sim::{SimConfig, SimLimits, SimSizes, XeroSim};

/// Records per page, as a Xero listing page holds.
const PAGE: usize = 1000;

struct Options {
    url: String,
    tenants: usize,
    pages: usize,
    runs: usize,
    setup: Vec<String>,
    raw: bool,
    group: usize,
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
        tenants: 4,
        pages: 250,
        runs: 3,
        setup: Vec::new(),
        raw: false,
        group: tether_core::sync::SyncOptions::default().pages_per_commit,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => options.url = value()?,
            "--tenants" => options.tenants = value()?.parse()?,
            "--pages" => options.pages = value()?.parse()?,
            "--runs" => options.runs = value()?.parse()?,
            "--setup" => options.setup.push(value()?),
            "--raw" => options.raw = true,
            "--group" => options.group = value()?.parse()?,
            "--help" | "-h" => {
                println!(
                    "bench_store [--url postgres://...|sqlite] [--tenants T] [--pages P] [--runs R] [--setup SQL]... [--raw] [--group G]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other} (try --help)"),
        }
    }
    if options.tenants == 0 || options.pages == 0 || options.runs == 0 || options.group == 0 {
        bail!("--tenants, --pages, --runs and --group must be at least 1");
    }
    Ok(options)
}

async fn bench(options: Options) -> Result<()> {
    let template = template_page().await?;
    let bytes: usize = template.iter().map(|r| r.data.len()).sum();
    println!(
        "{} tenants x {} pages of {PAGE} invoices ({} bytes of JSON per invoice on average), {} runs on {}",
        options.tenants,
        options.pages,
        bytes / template.len(),
        options.runs,
        engine(&options.url)
    );
    println!(
        "{:>4}  {:>9}  {:>8}  {:>9}  {:>8}  {:>8}",
        "run", "records", "seconds", "records/s", "p50 ms", "p99 ms"
    );
    let mut rates = Vec::with_capacity(options.runs);
    let mut raw_rates = Vec::with_capacity(options.runs);
    for run in 1..=options.runs {
        let db = BenchDb::create(&options.url).await?;
        for sql in &options.setup {
            db.store.db().execute_unprepared(sql).await?;
        }
        let outcome = one_run(
            &db.store,
            &template,
            options.tenants,
            options.pages,
            options.group,
        )
        .await;
        db.drop_database().await?;
        let (records, seconds, mut latencies) = outcome?;
        latencies.sort_unstable();
        let rate = records as f64 / seconds;
        println!(
            "{run:>4}  {records:>9}  {seconds:>8.2}  {rate:>9.0}  {:>8.1}  {:>8.1}",
            millis(percentile(&latencies, 50)),
            millis(percentile(&latencies, 99)),
        );
        rates.push(rate);
        if options.raw {
            let db = BenchDb::create(&options.url).await?;
            let outcome = raw_run(&db.store, &template, options.tenants, options.pages).await;
            db.drop_database().await?;
            let (records, seconds, mut latencies) = outcome?;
            latencies.sort_unstable();
            let rate = records as f64 / seconds;
            println!(
                "{:>4}  {records:>9}  {seconds:>8.2}  {rate:>9.0}  {:>8.1}  {:>8.1}",
                "raw",
                millis(percentile(&latencies, 50)),
                millis(percentile(&latencies, 99)),
            );
            raw_rates.push(rate);
        }
    }
    let median = |rates: &mut Vec<f64>| {
        rates.sort_by(f64::total_cmp);
        rates[rates.len() / 2]
    };
    let commits = median(&mut rates);
    println!("median records/s: {commits:.0}");
    if options.raw {
        let raw = median(&mut raw_rates);
        println!(
            "median raw records/s: {raw:.0}; commits / raw = {:.2}",
            commits / raw
        );
    }
    if let Some(peak) = peak_rss() {
        println!("peak RSS: {} MB", peak / 1024);
    }
    Ok(())
}

/// One page of invoices as the connector parses them from the simulator.
async fn template_page() -> Result<Vec<ParsedObject>> {
    let config = SimConfig {
        seed: 1,
        sizes: SimSizes::only_invoices(PAGE),
        limits: SimLimits::off(),
        ..SimConfig::default()
    };
    let sim = XeroSim::start(config, SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let dir = tempfile::tempdir()?;
    let store = SeaStore::connect(&SeaStore::url_for_sqlite_path(
        dir.path().join("template.db"),
    ))
    .await?;
    let vault = Vault::new(&MasterKey::generate());
    let connection = tether_tests::connect_app(
        &store,
        &vault,
        "xero",
        "template",
        &sim.base_url(),
        (sim.client_id(), Secret::new(sim.client_secret())),
        None,
    )
    .await?;
    let session = tether_tests::open_session(&store, &vault, connection).await?;
    let kind = session
        .connector
        .kind("invoices")
        .context("invoices kind")?;
    let page = kind
        .list_page(
            &session.api,
            PageRequest {
                token: None,
                modified_since: None,
            },
        )
        .await?;
    let parsed = page
        .objects
        .iter()
        .map(|raw| kind.parse(raw))
        .collect::<Result<Vec<_>, _>>()?;
    if parsed.len() != PAGE {
        bail!("the simulator's first page held {} invoices", parsed.len());
    }
    Ok(parsed)
}

/// Commits `pages` pages for each of `tenants` connections at once; returns
/// the records committed, the wall-clock seconds and every commit's latency.
async fn one_run(
    store: &SeaStore,
    template: &[ParsedObject],
    tenants: usize,
    pages: usize,
    group: usize,
) -> Result<(usize, f64, Vec<Duration>)> {
    let mut work = Vec::with_capacity(tenants);
    for t in 0..tenants {
        let grant = store
            .insert_grant(
                "xero",
                &NewTokens {
                    sealed_grant: "v1:bench".to_owned(),
                    sealed_access: "v1:bench:access".to_owned(),
                    expires_at: Utc::now() + chrono::Duration::hours(1),
                },
            )
            .await?;
        let connection = store
            .save_connection(&NewConnection {
                name: format!("bench-{t}"),
                provider: "xero".to_owned(),
                tenant_id: format!("tenant-{t}"),
                tenant_name: format!("Bench tenant {t}"),
                tenant_link: None,
                base_url: None,
                grant,
                rate_limits: None,
            })
            .await?;
        let lease = Lease {
            connection: connection.id,
            kind: "invoices".to_owned(),
            holder: Holder {
                token: format!("bench-{t}"),
                host: "bench".to_owned(),
                pid: std::process::id(),
            },
            ttl: Duration::from_secs(600),
        };
        if let Some(holder) = store
            .acquire_leases(std::slice::from_ref(&lease), &[])
            .await?
            .remove(0)
        {
            bail!("lease held by {holder:?}");
        }
        let run = store.start_run(&lease, RunType::Sync).await?;
        work.push((lease, run));
    }
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (lease, run) in work {
        let store = store.clone();
        let template = template.to_vec();
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(pages);
            let mut counts = RunCounts::default();
            let mut p = 0;
            while p < pages {
                let n = group.min(pages - p);
                let mut batch = Vec::with_capacity(n);
                for _ in 0..n {
                    p += 1;
                    counts.pages += 1;
                    counts.api_calls += 1;
                    counts.fetched += PAGE as i64;
                    counts.stored += PAGE as i64;
                    let checkpoint = Checkpoint {
                        pull: Pull::Full,
                        sweep: run,
                        next: (p < pages).then(|| PageToken((p + 1).to_string())),
                        pending_cursor: Some(Utc::now()),
                        pages: counts.pages,
                    };
                    batch.push((fresh_ids(&template), checkpoint, counts, Utc::now()));
                }
                let commits: Vec<PageCommit<'_>> = batch
                    .iter()
                    .map(|(records, checkpoint, counts, synced_at)| PageCommit {
                        lease: &lease,
                        run,
                        synced_at: *synced_at,
                        records,
                        quarantined: &[],
                        tombstones: &[],
                        how: Provenance::FullPage,
                        checkpoint,
                        counts,
                    })
                    .collect();
                let at = Instant::now();
                store.commit_pages(&commits).await?;
                latencies.push(at.elapsed());
            }
            anyhow::Ok(latencies)
        });
    }
    let mut latencies = Vec::with_capacity(tenants * pages);
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done??);
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok((tenants * pages * PAGE, seconds, latencies))
}

/// The columns `--raw` inserts: those a page commit writes.
const RAW_COLUMNS: [&str; 13] = [
    "connection_id",
    "kind",
    "external_id",
    "data",
    "remote_updated_at",
    "remote_version",
    "synced_at",
    "deleted_at",
    "deletion_source",
    "seen_in_sweep",
    "changed_by_run",
    "changed_how",
    "created_at",
];

/// `--raw`: the same pages as [`one_run`], one task per tenant, each page a
/// plain multi-row `INSERT` of the same values into an index-free copy of
/// `records`, in a transaction of its own.
async fn raw_run(
    store: &SeaStore,
    template: &[ParsedObject],
    tenants: usize,
    pages: usize,
) -> Result<(usize, f64, Vec<Duration>)> {
    let db = store.db();
    let backend = db.get_database_backend();
    db.execute_unprepared("CREATE TABLE raw_records AS SELECT * FROM records WHERE 1 = 0")
        .await?;
    let mut n = 0;
    let rows: Vec<String> = (0..PAGE)
        .map(|_| {
            let row: Vec<String> = RAW_COLUMNS
                .iter()
                .map(|_| {
                    n += 1;
                    match backend {
                        DbBackend::Postgres => format!("${n}"),
                        _ => "?".to_owned(),
                    }
                })
                .collect();
            format!("({})", row.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO raw_records ({}) VALUES {}",
        RAW_COLUMNS.join(", "),
        rows.join(", ")
    );
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..tenants {
        let store = store.clone();
        let template = template.to_vec();
        let sql = sql.clone();
        tasks.spawn(async move {
            let db = store.db();
            let mut latencies = Vec::with_capacity(pages);
            for run in 0..pages {
                let records = fresh_ids(&template);
                let at = Instant::now();
                let synced_at = Utc::now();
                let mut values: Vec<Value> = Vec::with_capacity(PAGE * RAW_COLUMNS.len());
                for r in &records {
                    values.extend([
                        Value::from(t as i64 + 1),
                        "invoices".into(),
                        r.external_id.clone().into(),
                        r.data.clone().into(),
                        r.remote_updated_at.into(),
                        r.version.clone().into(),
                        Some(synced_at).into(),
                        r.deleted.then_some(synced_at).into(),
                        r.deleted.then(|| "status".to_owned()).into(),
                        Some(1_i64).into(),
                        Some(run as i64 + 1).into(),
                        Some("full_page".to_owned()).into(),
                        synced_at.into(),
                    ]);
                }
                let txn = db
                    .begin_with_options(TransactionOptions {
                        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                        ..Default::default()
                    })
                    .await?;
                txn.execute_raw(Statement::from_sql_and_values(
                    backend,
                    sql.as_str(),
                    values,
                ))
                .await?;
                txn.commit().await?;
                latencies.push(at.elapsed());
            }
            anyhow::Ok(latencies)
        });
    }
    let mut latencies = Vec::with_capacity(tenants * pages);
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done??);
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok((tenants * pages * PAGE, seconds, latencies))
}

/// The template page with a new random id per invoice, in its id and JSON.
fn fresh_ids(template: &[ParsedObject]) -> Vec<ParsedObject> {
    template
        .iter()
        .map(|r| {
            let id = uuid::Uuid::new_v4().to_string();
            ParsedObject {
                data: r.data.replace(&r.external_id, &id),
                external_id: id,
                ..r.clone()
            }
        })
        .collect()
}

/// The process's peak resident set (`VmHWM`), in KiB; `None` off Linux.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn engine(url: &str) -> &'static str {
    if url == "sqlite" {
        "SQLite"
    } else {
        "PostgreSQL"
    }
}

/// A fresh database for one run: a PostgreSQL database created on the
/// server (dropped afterwards), or a SQLite file in a temporary directory.
struct BenchDb {
    store: SeaStore,
    postgres: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl BenchDb {
    async fn create(url: &str) -> Result<BenchDb> {
        if url == "sqlite" {
            let dir = tempfile::tempdir()?;
            let store =
                SeaStore::connect(&SeaStore::url_for_sqlite_path(dir.path().join("bench.db")))
                    .await?;
            return Ok(BenchDb {
                store,
                postgres: None,
                _dir: Some(dir),
            });
        }
        let (db_url, name) = tether_tests::create_postgres(url, "tether_bench").await?;
        let store = SeaStore::connect(&db_url).await?;
        Ok(BenchDb {
            store,
            postgres: Some((url.to_owned(), name)),
            _dir: None,
        })
    }

    async fn drop_database(self) -> Result<()> {
        self.store.close().await?;
        if let Some((server, name)) = self.postgres {
            tether_tests::drop_postgres(&server, &name).await?;
        }
        Ok(())
    }
}
