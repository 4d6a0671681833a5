//! `tether status NAME`: one connection, its kinds, cursors, totals and
//! the worker's next slot for each.

use std::process::ExitCode;

use tether_core::schedule::{Schedules, next_fire};
use tether_core::store::{ConnectionStatus, Store};

use crate::context::Context;
use crate::output::{Table, json_line, time};

pub async fn run(ctx: &Context, name: &str, schedules: &Schedules) -> anyhow::Result<ExitCode> {
    let now = chrono::Utc::now();
    let connection = ctx.connection(name).await?;
    let connector = tether_core::connector(&connection.provider);
    let totals = ctx.store.totals(connection.id).await?;
    let kinds: Vec<&str> = match connector {
        Some(c) => c.kinds().iter().map(|k| k.name()).collect(),
        None => totals.iter().map(|t| t.kind.as_str()).collect(),
    };
    let mut rows = Vec::new();
    for kind in kinds {
        let state = ctx.store.sync_state(connection.id, kind).await?;
        let total = totals.iter().find(|t| t.kind == kind);
        let plan = schedules.plan(&connection.name, kind);
        rows.push(serde_json::json!({
            "kind": kind,
            "live": total.map_or(0, |t| t.live),
            "deleted": total.map_or(0, |t| t.deleted),
            "quarantined": total.map_or(0, |t| t.quarantined),
            "held_deletions": total.map_or(0, |t| t.held),
            "pending": total.map_or(0, |t| t.pending),
            "conflicts": total.map_or(0, |t| t.conflicts),
            "cursor": state.cursor,
            "lag_secs": state.cursor.map(|c| (now - c).num_seconds()),
            "next_resync_at": next_fire(&plan.resync, plan.offset, now),
            "last_full_sync_at": state.last_full_sync_at,
            "in_progress": state.checkpoint.as_ref().map(|c| serde_json::json!({"pages": c.pages, "sweep": c.sweep})),
        }));
    }
    if ctx.json {
        json_line(&serde_json::json!({
            "name": connection.name,
            "provider": connection.provider,
            "tenant_id": connection.tenant_id,
            "tenant_name": connection.tenant_name,
            "base_url": connection.base_url,
            "status": connection.status,
            "status_reason": connection.status_reason,
            "token_expires_at": connection.token_expires_at,
            "kinds": rows,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} — {} organisation `{}` ({}), {}",
        connection.name,
        connection.provider,
        connection.tenant_name,
        connection.tenant_id,
        match &connection.status_reason {
            Some(why) => format!("{} ({why})", connection.status.as_str()),
            None => connection.status.as_str().to_owned(),
        }
    );
    if connection.status != ConnectionStatus::Active {
        println!(
            "`tether connect {} {}` connects it again, in place, with its data",
            connection.provider, connection.name
        );
    }
    if let Some(base) = &connection.base_url {
        println!("base URL: {base}");
    }
    let mut table = Table::new(&[
        "KIND",
        "LIVE",
        "DELETED",
        "QUARANTINED",
        "HELD",
        "PENDING",
        "CONFLICTS",
        "CURSOR",
        "LAG",
        "NEXT RESYNC",
        "LAST FULL SYNC",
        "IN PROGRESS",
    ]);
    for row in &rows {
        let when = |key: &str| time(row[key].as_str().and_then(|s| s.parse().ok()));
        table.row(vec![
            row["kind"].as_str().unwrap_or_default().to_owned(),
            row["live"].to_string(),
            row["deleted"].to_string(),
            row["quarantined"].to_string(),
            row["held_deletions"].to_string(),
            row["pending"].to_string(),
            row["conflicts"].to_string(),
            when("cursor"),
            super::lag(row["lag_secs"].as_i64()),
            when("next_resync_at"),
            when("last_full_sync_at"),
            match row["in_progress"]["pages"].as_i64() {
                Some(pages) => format!("{pages} pages in"),
                None => "-".to_owned(),
            },
        ]);
    }
    table.print();
    let held: i64 = totals.iter().map(|t| t.held).sum();
    if held > 0 {
        println!(
            "\n{held} deletion(s) held for you to confirm (more than the threshold of a kind's live \
             records): check them, then `tether resync {} --confirm-deletes`",
            connection.name
        );
    }
    let conflicts: i64 = totals.iter().map(|t| t.conflicts).sum();
    if conflicts > 0 {
        println!(
            "{conflicts} local edit(s) in conflict with the provider: `tether conflicts {}`",
            connection.name
        );
    }
    let quarantined = ctx.store.quarantined(connection.id, 5).await?;
    if !quarantined.is_empty() {
        println!("\nlatest quarantined objects:");
        for q in quarantined {
            println!("  {}", q.error);
        }
    }
    Ok(ExitCode::SUCCESS)
}
