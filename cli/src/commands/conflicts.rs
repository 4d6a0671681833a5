//! `tether conflicts NAME` and `tether resolve NAME ID --keep local|remote`:
//! local edits the provider overtook, with both versions, and settling them.

use std::process::ExitCode;

use tether_core::local::{self, Keep};
use tether_core::pending::PendingState;
use tether_core::store::Store;

use crate::context::{Context, Global};
use crate::output::{Table, json_line};

#[derive(clap::Args)]
pub struct Args {
    /// The connection.
    pub name: String,
}

#[derive(clap::Args)]
pub struct ResolveArgs {
    /// The connection.
    pub name: String,
    /// The record's local id (see `tether conflicts`).
    pub id: i64,
    /// `local`: send the local edit again, on top of the provider's version;
    /// `remote`: drop the local edit and take the provider's object.
    #[arg(long, value_parser = ["local", "remote"])]
    pub keep: String,
}

pub async fn list(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let ctx = Context::open(global).await?;
    let connection = ctx.connection(&args.name).await?;
    let kinds: Vec<&str> = match tether_core::connector(&connection.provider) {
        Some(c) => c.kinds().iter().map(|k| k.name()).collect(),
        None => Vec::new(),
    };
    let mut table = Table::new(&["ID", "KIND", "EXTERNAL ID", "EDIT", "WHY"]);
    for kind in kinds {
        let mut after = 0;
        loop {
            let page = ctx.store.pending(connection.id, kind, after, 500).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for record in page {
                let Some(pending) = record
                    .pending
                    .as_ref()
                    .filter(|p| p.state == PendingState::Conflict)
                else {
                    continue;
                };
                if ctx.json {
                    json_line(&serde_json::json!({
                        "id": record.id,
                        "kind": record.kind,
                        "external_id": record.external_id,
                        "op": pending.op,
                        "edit": pending.patch,
                        "local": record.data,
                        "remote": record.remote_data,
                        "base_version": pending.base_version,
                        "remote_version": record.remote_version,
                        "why": pending.error,
                    }))?;
                } else {
                    table.row(vec![
                        record.id.to_string(),
                        record.kind.clone(),
                        record.external_id.clone().unwrap_or_default(),
                        format!("{} {}", pending.op.as_str(), pending.patch),
                        pending.error.clone().unwrap_or_else(|| {
                            "changed at the provider after this edit".to_owned()
                        }),
                    ]);
                }
            }
        }
    }
    if !ctx.json {
        table.print();
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn resolve(args: ResolveArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let ctx = Context::open(global).await?;
    let connection = ctx.connection(&args.name).await?;
    let keep = if args.keep == "local" {
        Keep::Local
    } else {
        Keep::Remote
    };
    local::resolve(&ctx.store, connection.id, args.id, keep).await?;
    if !ctx.json {
        match keep {
            Keep::Local => println!(
                "record {}: the local edit now rests on the provider's version; `tether export {}` sends it",
                args.id, args.name
            ),
            Keep::Remote => println!("record {}: the provider's version is kept", args.id),
        }
    } else {
        json_line(&serde_json::json!({"id": args.id, "kept": args.keep}))?;
    }
    Ok(ExitCode::SUCCESS)
}
