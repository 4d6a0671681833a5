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
fn now_ms(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
        _ => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
    }
}

fn ttl_ms(lease: &Lease) -> i64 {
    i64::try_from(lease.ttl.as_millis()).unwrap_or(i64::MAX / 2)
}

fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(backend, placeholders(backend, sql), values)
}

impl SeaStore {
    pub(crate) async fn acquire_lease_impl(
        &self,
        lease: &Lease,
        dead_holder: Option<&str>,
    ) -> Result<Option<LeaseInfo>, StoreError> {
        let doing = || {
            format!(
                "taking the lease on {} for connection {}",
                lease.kind, lease.connection.0
            )
        };
        let backend = self.backend();
        let now = now_ms(backend);
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
                OR leases.expires_at_ms <= excluded.heartbeat_at_ms \
                OR leases.holder_token = ?"
        );
        // A few tries: a holder may release between our insert and our read.
        for _ in 0..3 {
            let values = vec![
                lease.connection.0.into(),
                lease.kind.clone().into(),
                lease.holder.token.clone().into(),
                lease.holder.host.clone().into(),
                i64::from(lease.holder.pid).into(),
                ttl_ms(lease).into(),
                dead_holder.unwrap_or_default().to_owned().into(),
            ];
            let taken = self
                .db()
                .execute_raw(statement(backend, &sql, values))
                .await
                .doing(doing)?
                .rows_affected();
            if taken > 0 {
                return Ok(None);
            }
            if let Some(info) = self.lease_holder(lease).await.doing(doing)? {
                return Ok(Some(info));
            }
        }
        Err(StoreError::Missing(format!(
            "{}: the lease kept changing hands",
            doing()
        )))
    }

    /// Who holds the lease `lease` asks for, if anyone.
    async fn lease_holder(&self, lease: &Lease) -> Result<Option<LeaseInfo>, DbErr> {
        #[derive(FromQueryResult)]
        struct Row {
            holder_token: String,
            host: String,
            pid: i64,
            acquired_at_ms: i64,
            expires_at_ms: i64,
        }
        let backend = self.backend();
        let row = Row::find_by_statement(statement(
            backend,
            "SELECT holder_token, host, pid, acquired_at_ms, expires_at_ms FROM leases \
             WHERE connection_id = ? AND kind = ?",
            vec![lease.connection.0.into(), lease.kind.clone().into()],
        ))
        .one(self.db())
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
