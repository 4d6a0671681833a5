//! `tether connections` and `tether disconnect NAME`.

use std::process::ExitCode;
use std::sync::Arc;

use serde::Serialize;
use tether_core::store::{Connection, ConnectionStatus, RunStatus, Store};

use crate::context::{Context, Global};
use crate::output::{Table, json_line, time};

#[derive(clap::Args)]
pub struct ListArgs {}

#[derive(clap::Args)]
pub struct DisconnectArgs {
    /// The connection.
    pub name: String,
}

/// One connection as listed.
#[derive(Serialize)]
struct Listed {
    name: String,
    provider: String,
    tenant_id: String,
    tenant_name: String,
    status: ConnectionStatus,
    status_reason: Option<String>,
    token_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    last_success_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn list(_args: ListArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let ctx = Context::open(global).await?;
    let mut listed = Vec::new();
    for c in ctx.store.connections().await? {
        listed.push(describe(&ctx.store, c).await?);
    }
    if ctx.json {
        for c in &listed {
            json_line(c)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if listed.is_empty() {
        eprintln!("no connections yet; create one with `tether connect PROVIDER NAME`");
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&[
        "NAME",
        "PROVIDER",
        "ORGANISATION",
        "STATUS",
        "TOKEN EXPIRES",
        "LAST SUCCESS",
    ]);
    for c in &listed {
        let status = match &c.status_reason {
            Some(why) => format!("{} ({why})", c.status.as_str()),
            None => c.status.as_str().to_owned(),
        };
        table.row(vec![
            c.name.clone(),
            c.provider.clone(),
            format!("{} ({})", c.tenant_name, c.tenant_id),
            status,
            time(c.token_expires_at),
            time(c.last_success_at),
        ]);
    }
    table.print();
    Ok(ExitCode::SUCCESS)
}

async fn describe(store: &dyn Store, c: Connection) -> anyhow::Result<Listed> {
    let last_success_at = store
        .runs(c.id, 200)
        .await?
        .into_iter()
        .find(|r| r.status == RunStatus::Succeeded)
        .and_then(|r| r.finished_at);
    Ok(Listed {
        name: c.name,
        provider: c.provider,
        tenant_id: c.tenant_id,
        tenant_name: c.tenant_name,
        status: c.status,
        status_reason: c.status_reason,
        token_expires_at: c.token_expires_at,
        last_success_at,
    })
}

pub async fn disconnect(args: DisconnectArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let ctx = Context::open(global).await?;
    let connection = ctx.connection(&args.name).await?;
    if connection.status == ConnectionStatus::Disconnected {
        eprintln!("`{}` is disconnected already", connection.name);
        return Ok(ExitCode::SUCCESS);
    }
    let store: Arc<dyn Store> = Arc::new(ctx.store.clone());
    let done = tether_core::disconnect(store, &ctx.vault, &connection).await?;
    if ctx.json {
        json_line(&serde_json::json!({
            "name": connection.name,
            "status": ConnectionStatus::Disconnected,
            "unlinked": done.unlinked,
            "revoked": done.revoked,
        }))?;
    } else {
        let mut said = vec![format!("disconnected `{}`", connection.name)];
        if done.unlinked {
            said.push(format!(
                "removed its link to `{}` at the provider",
                connection.tenant_name
            ));
        }
        if done.revoked {
            said.push("revoked its grant".to_owned());
        }
        println!("{}; its data is kept", said.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
