//! Export benchmark: N local invoices created, exported to the Xero
//! simulator, then each edited and exported again (which reads the
//! provider's versions first), on SQLite.
//!
//! `cargo run --release -p tether-tests --bin bench_export [-- N ...]`
//! (default N: 10000). Prints, per pass, records, API calls (creates: one
//! per 50; updates: one read per 100 plus one write per 50), seconds, and the
//! time the same calls take at Xero's 60 calls a minute.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::json;
use tether_core::export::{ExportOutcome, Exporter};
use tether_core::local::{self, LocalEdit};
use tether_core::pending::RecordKey;
use tether_core::sync::Syncer;
use tether_core::{MasterKey, RateLimitPolicy, Secret, Session, Vault};
use tether_store::SeaStore;
use tether_xero::sim::{SimConfig, SimLimits, SimSizes, XeroSim};

fn main() -> Result<()> {
    let sizes: Vec<usize> = match std::env::args().skip(1).collect::<Vec<_>>() {
        args if args.is_empty() => vec![10_000],
        args => args.iter().map(|a| a.parse()).collect::<Result<_, _>>()?,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!(
        "{:>9}  {:<7}  {:>9}  {:>8}  {:>9}  {:>10}  {:>14}",
        "invoices", "pass", "api calls", "target", "seconds", "records/s", "at 60 calls/min"
    );
    for n in sizes {
        runtime.block_on(bench(n))?;
    }
    Ok(())
}

async fn bench(n: usize) -> Result<()> {
    let config = SimConfig {
        seed: 1,
        sizes: SimSizes::only_invoices(0),
        limits: SimLimits::off(),
        ..SimConfig::default()
    };
    let sim = XeroSim::start(config, SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let dir = tempfile::tempdir()?;
    let store =
        SeaStore::connect(&SeaStore::url_for_sqlite_path(dir.path().join("bench.db"))).await?;
    let vault = Vault::new(&MasterKey::generate());
    let connector = tether_core::connector("xero").context("xero connector")?;
    let connection = tether_tests::connect_app(
        &store,
        &vault,
        "xero",
        "bench",
        &sim.base_url(),
        (sim.client_id(), Secret::new(sim.client_secret())),
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
    let contacts = connector.kind("contacts").context("contacts")?;
    Syncer::new(&store, &session)
        .sync_kinds(&[contacts])
        .await?;
    let contact = sim.snapshot("contacts")[0]["ContactID"].clone();
    let invoices = connector.kind("invoices").context("invoices")?;

    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let invoice = json!({
            "Type": "ACCREC", "InvoiceNumber": format!("BENCH-{i:07}"), "Contact": {"ContactID": contact},
            "Date": "2026-11-01", "DueDate": "2026-12-01", "Status": "DRAFT",
            "LineItems": [{"Description": "Widget", "Quantity": 1 + i % 5, "UnitAmount": 12.5, "AccountCode": "200"}],
        });
        ids.push(
            local::stage(
                &store,
                session.connection.id,
                invoices,
                LocalEdit::Create(invoice),
            )
            .await?,
        );
    }
    pass(n, "create", n.div_ceil(50), &store, &session, invoices).await?;

    for (i, id) in ids.iter().enumerate() {
        let patch = json!({"Reference": format!("edited {i}")});
        local::stage(
            &store,
            session.connection.id,
            invoices,
            LocalEdit::Update(RecordKey::Local(*id), patch),
        )
        .await?;
    }
    pass(
        n,
        "update",
        n.div_ceil(100) + n.div_ceil(50),
        &store,
        &session,
        invoices,
    )
    .await?;
    sim.shutdown().await;
    Ok(())
}

async fn pass(
    n: usize,
    name: &str,
    target: usize,
    store: &SeaStore,
    session: &Session,
    invoices: &'static dyn tether_core::ObjectKind,
) -> Result<()> {
    let started = Instant::now();
    let outcome: ExportOutcome = Exporter::new(store, &session.api, session.connection.id)
        .export_kinds(&[invoices])
        .await?;
    let seconds = started.elapsed().as_secs_f64();
    let report = outcome.reports.first().context("the kind was held")?;
    if !report.complete() || report.counts.written != n as i64 {
        bail!(
            "{name}: not every invoice was exported: {:?}",
            report.counts
        );
    }
    let calls = report.counts.api_calls;
    println!(
        "{n:>9}  {name:<7}  {calls:>9}  {target:>8}  {seconds:>9.2}  {:>10.0}  {:>11.1} min",
        n as f64 / seconds,
        calls as f64 / 60.0
    );
    Ok(())
}
