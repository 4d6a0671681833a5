//! Leases: one holder per (connection, kind), judged by the database's clock.
//! Taking one is a single `INSERT … ON CONFLICT DO UPDATE … WHERE` that only
//! overwrites a row that is ours, expired, or a known-dead holder's; every
//! write of a run renews its lease inside the write's own transaction, so a
//! run that lost its lease cannot write.

use chrono::TimeZone;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, Value};
use tether_core::Timestamp;
use tether_core::lease::{Holder, Lease, LeaseInfo};

use crate::error::{Doing, StoreError};
use crate::records::placeholders;
use crate::sea_store::SeaStore;

/// The database's clock in epoch milliseconds, as SQL.
pub(crate) fn now_ms(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
        _ => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
    }
}

fn ttl_ms(lease: &Lease) -> i64 {
    i64::try_from(lease.ttl.as_millis()).unwrap_or(i64::MAX / 2)
}

pub(crate) fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(backend, placeholders(backend, sql), values)
}

impl SeaStore {
    /// Takes `leases` in one transaction (see the trait's documentation).
    pub(crate) async fn acquire_leases_impl(
        &self,
        leases: &[Lease],
        dead_holders: &[String],
    ) -> Result<Vec<Option<LeaseInfo>>, StoreError> {
        let doing = || {
            let kinds: Vec<&str> = leases.iter().map(|l| l.kind.as_str()).collect();
            let connection = leases.first().map_or(0, |l| l.connection.0);
            format!(
                "taking the leases on {} for connection {connection}",
                kinds.join(", ")
            )
        };
        let txn = self.begin_write().await.doing(doing)?;
        let mut answers = Vec::with_capacity(leases.len());
        for lease in leases {
            answers.push(
                take(&txn, self.backend(), lease, dead_holders)
                    .await
                    .doing(doing)?,
            );
        }
        txn.commit().await.doing(doing)?;
        Ok(answers)
    }

    pub(crate) async fn renew_lease_impl(&self, lease: &Lease) -> Result<bool, StoreError> {
        renew(self.db(), self.backend(), lease)
            .await
            .doing(|| format!("renewing the lease on {}", lease.kind))
    }

    pub(crate) async fn release_lease_impl(&self, lease: &Lease) -> Result<(), StoreError> {
        let backend = self.backend();
        self.db()
            .execute_raw(statement(
                backend,
                "DELETE FROM leases WHERE connection_id = ? AND kind = ? AND holder_token = ?",
                vec![
                    lease.connection.0.into(),
                    lease.kind.clone().into(),
                    lease.holder.token.clone().into(),
                ],
            ))
            .await
            .doing(|| format!("releasing the lease on {}", lease.kind))?;
        Ok(())
    }
}

/// Takes one lease, or says who holds it.
async fn take<C: ConnectionTrait>(
    db: &C,
    backend: DbBackend,
    lease: &Lease,
    dead_holders: &[String],
) -> Result<Option<LeaseInfo>, DbErr> {
    let now = now_ms(backend);
    let dead = if dead_holders.is_empty() {
        String::new()
    } else {
        let marks = vec!["?"; dead_holders.len()].join(", ");
        format!(" OR leases.holder_token IN ({marks})")
    };
    // Our own lease is renewed (keeping when we first took it); an expired
    // or dead holder's is overwritten; anyone else's is left alone.
    let sql = format!(
        "INSERT INTO leases (connection_id, kind, holder_token, host, pid, \
             acquired_at_ms, heartbeat_at_ms, expires_at_ms) \
         VALUES (?, ?, ?, ?, ?, {now}, {now}, {now} + ?) \
         ON CONFLICT (connection_id, kind) DO UPDATE SET \
             holder_token = excluded.holder_token, host = excluded.host, pid = excluded.pid, \
             acquired_at_ms = CASE WHEN leases.holder_token = excluded.holder_token \
                 THEN leases.acquired_at_ms ELSE excluded.acquired_at_ms END, \
             heartbeat_at_ms = excluded.heartbeat_at_ms, \
             expires_at_ms = excluded.expires_at_ms \
         WHERE leases.holder_token = excluded.holder_token \
            OR leases.expires_at_ms <= excluded.heartbeat_at_ms{dead}"
    );
    // A holder may release between our insert and our read: try again.
    for _ in 0..3 {
        let mut values: Vec<Value> = vec![
            lease.connection.0.into(),
            lease.kind.clone().into(),
            lease.holder.token.clone().into(),
            lease.holder.host.clone().into(),
            i64::from(lease.holder.pid).into(),
            ttl_ms(lease).into(),
        ];
        values.extend(dead_holders.iter().map(|t| Value::from(t.clone())));
        let taken = db
            .execute_raw(statement(backend, &sql, values))
            .await?
            .rows_affected();
        if taken > 0 {
            return Ok(None);
        }
        if let Some(info) = holder_of(db, backend, lease).await? {
            return Ok(Some(info));
        }
    }
    Err(DbErr::Custom(format!(
        "the lease on {} kept changing hands",
        lease.kind
    )))
}

/// Who holds the lease `lease` asks for, if anyone.
async fn holder_of<C: ConnectionTrait>(
    db: &C,
    backend: DbBackend,
    lease: &Lease,
) -> Result<Option<LeaseInfo>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        holder_token: String,
        host: String,
        pid: i64,
        acquired_at_ms: i64,
        expires_at_ms: i64,
    }
    let row = Row::find_by_statement(statement(
        backend,
        "SELECT holder_token, host, pid, acquired_at_ms, expires_at_ms FROM leases \
         WHERE connection_id = ? AND kind = ?",
        vec![lease.connection.0.into(), lease.kind.clone().into()],
    ))
    .one(db)
    .await?;
    Ok(row.map(|r| LeaseInfo {
        kind: lease.kind.clone(),
        holder: Holder {
            token: r.holder_token,
            host: r.host,
            pid: u32::try_from(r.pid).unwrap_or_default(),
        },
        since: from_ms(r.acquired_at_ms),
        expires_at: from_ms(r.expires_at_ms),
    }))
}

/// Extends `lease` if its holder still has it; false when it was taken over.
async fn renew<C: ConnectionTrait>(
    db: &C,
    backend: DbBackend,
    lease: &Lease,
) -> Result<bool, DbErr> {
    let now = now_ms(backend);
    let sql = format!(
        "UPDATE leases SET heartbeat_at_ms = {now}, expires_at_ms = {now} + ? \
         WHERE connection_id = ? AND kind = ? AND holder_token = ?"
    );
    let renewed = db
        .execute_raw(statement(
            backend,
            &sql,
            vec![
                ttl_ms(lease).into(),
                lease.connection.0.into(),
                lease.kind.clone().into(),
                lease.holder.token.clone().into(),
            ],
        ))
        .await?
        .rows_affected();
    Ok(renewed > 0)
}

/// Renews `lease` inside a write's transaction, or refuses the write: a run
/// whose lease another process took over must not write.
pub(crate) async fn fence<C: ConnectionTrait>(
    db: &C,
    backend: DbBackend,
    lease: &Lease,
) -> Result<(), StoreError> {
    let held = renew(db, backend, lease)
        .await
        .doing(|| format!("renewing the lease on {}", lease.kind))?;
    if held {
        Ok(())
    } else {
        Err(StoreError::LeaseLost {
            kind: lease.kind.clone(),
            connection: lease.connection.0,
        })
    }
}

fn from_ms(ms: i64) -> Timestamp {
    chrono::Utc
        .timestamp_millis_opt(ms)
        .single()
        .unwrap_or_default()
}
