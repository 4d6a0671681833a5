//! `tether records NAME KIND`: the stored records, streamed in id order.

use std::process::ExitCode;

use tether_core::store::{Connection, RecordQuery, Store, SyncState};

use super::sync::select_kinds;
use crate::context::{Context, Global};
use crate::output::{Table, json_line, time};

#[derive(clap::Args)]
pub struct Args {
    /// The connection.
    pub name: String,
    /// The kind, e.g. `invoices`.
    pub kind: String,
    /// Leave out records seen deleted.
    #[arg(long)]
    pub live: bool,
    /// At most this many records.
    #[arg(long)]
    pub limit: Option<u64>,
}

const BATCH: u64 = 1000;

pub async fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let ctx = Context::open(global).await?;
    let connection = ctx.connection(&args.name).await?;
    if let Some(connector) = tether_core::connector(&connection.provider) {
        select_kinds(connector.kinds(), std::slice::from_ref(&args.kind))?;
    }
    let state = ctx.store.sync_state(connection.id, &args.kind).await?;
    if state == SyncState::default() && !holds_records(&ctx, &connection, &args.kind).await? {
        eprintln!(
            "{} of `{}` has never been synced; run `tether sync {} --kind {}` first",
            args.kind, connection.name, connection.name, args.kind
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&["ID", "EXTERNAL ID", "REMOTE UPDATED", "DELETED", "SUMMARY"]);
    let mut after_id = 0;
    let mut left = args.limit.unwrap_or(u64::MAX);
    while left > 0 {
        let batch = ctx
            .store
            .records(&RecordQuery {
                connection: connection.id,
                kind: args.kind.clone(),
                after_id,
                limit: BATCH.min(left),
                include_deleted: !args.live,
            })
            .await?;
        let Some(last) = batch.last() else { break };
        after_id = last.id;
        left -= batch.len() as u64;
        for record in &batch {
            if ctx.json {
                json_line(record)?;
            } else {
                table.row(vec![
                    record.id.to_string(),
                    record.external_id.clone().unwrap_or_else(|| "-".to_owned()),
                    time(record.remote_updated_at),
                    record.deletion_source.clone().map_or_else(
                        || "-".to_owned(),
                        |s| format!("{} ({s})", time(record.deleted_at)),
                    ),
                    summary(&record.data),
                ]);
            }
        }
    }
    if !ctx.json {
        table.print();
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether any record of `kind` is stored (records made locally exist
/// before any sync).
async fn holds_records(ctx: &Context, connection: &Connection, kind: &str) -> anyhow::Result<bool> {
    let one = ctx
        .store
        .records(&RecordQuery {
            connection: connection.id,
            kind: kind.to_owned(),
            after_id: 0,
            limit: 1,
            include_deleted: true,
        })
        .await?;
    Ok(!one.is_empty())
}

/// A short human label for a record: its number or name, and status.
fn summary(data: &serde_json::Value) -> String {
    let label = [
        "InvoiceNumber",
        "CreditNoteNumber",
        "Name",
        "Code",
        "Reference",
        "Narration",
        "TaxType",
    ]
    .iter()
    .find_map(|k| data.get(*k).and_then(|v| v.as_str()));
    let status = ["Status", "ContactStatus"]
        .iter()
        .find_map(|k| data.get(*k).and_then(|v| v.as_str()));
    let mut text = [label, status]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    if text.chars().count() > 60 {
        text = text.chars().take(57).collect::<String>() + "...";
    }
    text
}
