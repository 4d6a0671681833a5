//! Measures the page upsert: N records in pages of 1000, committed with
//! their checkpoint, timed around `commit_page` only.
//!
//! ```text
//! cargo run --release -p tether-store --example upsert_bench -- [records] [database-url]
//! ```
//! Without a URL it uses a SQLite file in a temporary directory. Three passes
//! run: inserts, re-upserts of unchanged records, and updates of every record.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use tether_core::ParsedObject;
use tether_core::auth::{GrantStore, NewTokens};
use tether_core::lease::{Holder, Lease};
use tether_core::store::{
    Checkpoint, NewConnection, PageCommit, Provenance, Pull, RunCounts, RunType, Store,
};
use tether_store::SeaStore;

const PAGE: usize = 1000;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let total: usize = args
        .next()
        .map(|n| n.parse().expect("records: a number"))
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = args
        .next()
        .unwrap_or_else(|| SeaStore::url_for_sqlite_path(dir.path().join("bench.db")));
    let store = SeaStore::connect(&url).await.expect("open store");
    let grant = store
        .insert_grant(
            "xero",
            &NewTokens {
                sealed_grant: "v1:sealed".to_owned(),
                sealed_access: "v1:access".to_owned(),
                expires_at: Utc::now(),
            },
        )
        .await
        .expect("save grant");
    let connection = store
        .save_connection(&NewConnection {
            name: format!("bench-{}", uuid::Uuid::new_v4().simple()),
            provider: "xero".to_owned(),
            tenant_id: "tenant".to_owned(),
            tenant_name: "Bench".to_owned(),
            tenant_link: None,
            base_url: None,
            grant,
            rate_limits: None,
        })
        .await
        .expect("save connection")
        .id;
    println!(
        "{total} records in pages of {PAGE} into {}",
        url.split('?').next().unwrap_or(&url)
    );
    let lease = Lease {
        connection,
        kind: "invoices".to_owned(),
        holder: Holder::this_process(),
        ttl: Duration::from_secs(60),
    };
    store
        .acquire_leases(std::slice::from_ref(&lease), &[])
        .await
        .expect("take lease");
    for (pass, version) in [("insert", 1), ("unchanged", 1), ("update", 2)] {
        let run = store
            .start_run(&lease, RunType::Sync)
            .await
            .expect("start run");
        let synced_at = Utc.timestamp_opt(1_700_000_000 + version, 0).unwrap();
        let mut spent = Duration::ZERO;
        for (page_no, start) in (0..total).step_by(PAGE).enumerate() {
            let records: Vec<ParsedObject> = (start..(start + PAGE).min(total))
                .map(|i| invoice(i, version))
                .collect();
            let checkpoint = Checkpoint {
                pull: Pull::Full,
                sweep: run,
                next: Some(tether_core::PageToken((page_no + 2).to_string())),
                pending_cursor: Some(synced_at),
                pages: page_no as i64 + 1,
            };
            let began = Instant::now();
            store
                .commit_page(PageCommit {
                    lease: &lease,
                    run,
                    synced_at,
                    records: &records,
                    quarantined: &[],
                    tombstones: &[],
                    how: Provenance::FullPage,
                    checkpoint: &checkpoint,
                    counts: &RunCounts::default(),
                })
                .await
                .expect("commit page");
            spent += began.elapsed();
        }
        println!(
            "{pass:>9}: {:>7.2} s, {:>8.0} records/s",
            spent.as_secs_f64(),
            total as f64 / spent.as_secs_f64()
        );
    }
}

/// An invoice-shaped object of about 450 bytes.
fn invoice(i: usize, version: i64) -> ParsedObject {
    let id = format!("{:08x}-0000-4000-8000-{:012x}", i, i * 7919);
    let data = format!(
        r#"{{"InvoiceID":"{id}","InvoiceNumber":"INV-{i:07}","Type":"ACCREC","Status":"AUTHORISED","Contact":{{"ContactID":"c-{c:06}","Name":"Customer {c}"}},"Date":"2024-01-15T00:00:00Z","DueDate":"2024-02-15T00:00:00Z","CurrencyCode":"GBP","LineItems":[{{"Description":"Widget","Quantity":"{q}","UnitAmount":"12.50","LineAmount":"{a}.00"}}],"SubTotal":"{a}.00","TotalTax":"0.00","Total":"{a}.00","Version":{version}}}"#,
        c = i % 5000,
        q = i % 9 + 1,
        a = (i % 9 + 1) * 25,
    );
    ParsedObject {
        external_id: id,
        remote_updated_at: Some(Utc.timestamp_opt(1_690_000_000 + i as i64, 0).unwrap()),
        version: Some(version.to_string()),
        deleted: false,
        data,
    }
}
