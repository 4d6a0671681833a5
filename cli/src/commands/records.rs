//! `tether records NAME KIND`: the stored records, streamed in id order;
//! `tether records NAME KIND ID [--history]`: one record, and how it came to be.

use std::process::ExitCode;

use tether_core::ObjectKind;
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
    /// One record: the provider's id, `local:N` for our local id, or bare
    /// digits for whichever of the two exists (refused when both do and differ).
    pub id: Option<String>,
    /// With ID: the record's change log (local edits, exports) and which run
    /// last changed it, and how.
    #[arg(long, requires = "id")]
    pub history: bool,
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
    let kind = match tether_core::connector(&connection.provider) {
        Some(connector) => {
            Some(select_kinds(connector.kinds(), std::slice::from_ref(&args.kind))?[0])
        }
        None => None,
    };
    if let Some(id) = &args.id {
        return one(&ctx, &connection, &args.kind, id, args.history).await;
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
                    summary(kind, &record.data),
                ]);
            }
        }
    }
    if !ctx.json {
        table.print();
    }
    Ok(ExitCode::SUCCESS)
}

/// One record, and with `history` its provenance and change log.
async fn one(
    ctx: &Context,
    connection: &Connection,
    kind: &str,
    id: &str,
    history: bool,
) -> anyhow::Result<ExitCode> {
    let key = tether_core::local::record_key(&ctx.store, connection.id, kind, id).await?;
    let Some(record) = ctx.store.record(connection.id, kind, &key).await? else {
        anyhow::bail!("{kind} {key}: no such record of `{}`", connection.name);
    };
    let log = if history {
        ctx.store.history(record.id).await?
    } else {
        Vec::new()
    };
    let last_run = match record.changed_by_run {
        Some(run) => ctx
            .store
            .runs(connection.id, 10_000)
            .await?
            .into_iter()
            .find(|r| r.id.0 == run),
        None => None,
    };
    if ctx.json {
        json_line(&serde_json::json!({
            "record": record,
            "last_change": {
                "run": record.changed_by_run,
                "how": record.changed_how,
                "run_type": last_run.as_ref().map(|r| r.run_type),
                "at": last_run.as_ref().map(|r| r.started_at),
            },
            "history": log,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", serde_json::to_string_pretty(&record)?);
    if history {
        println!(
            "\nlast changed by run {} ({}, {}) at {}",
            record
                .changed_by_run
                .map_or_else(|| "-".to_owned(), |r| r.to_string()),
            last_run.as_ref().map_or("-", |r| r.run_type.as_str()),
            record.changed_how.as_deref().unwrap_or("-"),
            time(last_run.map(|r| r.started_at))
        );
        let mut table = Table::new(&["SEQ", "AT", "SOURCE", "WHAT", "RUN", "DETAIL"]);
        for entry in log {
            table.row(vec![
                entry.seq.to_string(),
                time(Some(entry.at)),
                entry.source,
                entry.op,
                entry.run.map_or_else(|| "-".to_owned(), |r| r.to_string()),
                entry.detail.map(|d| d.to_string()).unwrap_or_default(),
            ]);
        }
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

/// A short human label for a record: its number or name, and status, in
/// the fields its kind names.
fn summary(kind: Option<&dyn ObjectKind>, data: &serde_json::Value) -> String {
    let label = kind
        .map_or(&[][..], |k| k.label_fields())
        .iter()
        .find_map(|k| data.get(*k).and_then(|v| v.as_str()));
    let status = kind
        .and_then(|k| k.capabilities().write?.status_field)
        .and_then(|field| data.get(field)?.as_str());
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
