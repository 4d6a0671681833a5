//! The page upsert on PostgreSQL: one `INSERT … SELECT … FROM UNNEST(…)`
//! per page. Each per-record column is bound as one array and the page's own
//! values once, so a page of 1,000 binds 14 values instead of 13,000, and the
//! statement's text (hence its prepared plan) is the same for every page.
//! The columns and the conflict rules are the parent module's, shared with
//! the SQLite path.
//!
//! sea-query binds arrays without NULL elements, so each nullable column
//! comes with a `bool[]` saying which elements are present.

use std::sync::LazyLock;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};
use tether_core::store::PageCommit;
use tether_core::{ParsedObject, Timestamp};

use super::{ON_CONFLICT, UPSERT_INTO};
use crate::sea_store::micros;

/// The statement: the page's values are `$1`–`$7`, the records' arrays
/// `$8`–`$14`; a record's `deleted_at` is the page's time when its status
/// says deleted, as on SQLite.
fn sql() -> &'static str {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            r#"{UPSERT_INTO}
SELECT $1::bigint, $2::text, u.external_id, u.data,
       CASE WHEN u.has_updated_at THEN u.remote_updated_at END,
       CASE WHEN u.has_version THEN u.remote_version END,
       $3::timestamptz,
       CASE WHEN u.deleted THEN $3::timestamptz END,
       CASE WHEN u.deleted THEN 'status' END,
       $4::bigint, $5::bigint, $6::text, $7::timestamptz
FROM UNNEST($8::text[], $9::text[], $10::timestamptz[], $11::bool[], $12::text[], $13::bool[], $14::bool[])
    AS u(external_id, data, remote_updated_at, has_updated_at, remote_version, has_version, deleted)
{on_conflict}"#,
            on_conflict = *ON_CONFLICT
        )
    });
    &SQL
}

/// Upserts `records` (external ids unique, in the order to insert) in one
/// statement.
pub(super) async fn upsert<C: ConnectionTrait>(
    db: &C,
    page: &PageCommit<'_>,
    records: &[&ParsedObject],
    created_at: Timestamp,
) -> Result<(), DbErr> {
    if records.is_empty() {
        return Ok(());
    }
    let n = records.len();
    let mut external_ids = Vec::with_capacity(n);
    let mut data = Vec::with_capacity(n);
    let mut updated_at = Vec::with_capacity(n);
    let mut has_updated_at = Vec::with_capacity(n);
    let mut versions = Vec::with_capacity(n);
    let mut has_version = Vec::with_capacity(n);
    let mut deleted = Vec::with_capacity(n);
    for r in records {
        external_ids.push(r.external_id.clone());
        data.push(r.data.clone());
        updated_at.push(r.remote_updated_at.map_or(Timestamp::UNIX_EPOCH, micros));
        has_updated_at.push(r.remote_updated_at.is_some());
        versions.push(r.version.clone().unwrap_or_default());
        has_version.push(r.version.is_some());
        deleted.push(r.deleted);
    }
    let values: Vec<Value> = vec![
        page.lease.connection.0.into(),
        page.lease.kind.clone().into(),
        micros(page.synced_at).into(),
        page.checkpoint.sweep.0.into(),
        page.run.0.into(),
        page.how.as_str().into(),
        created_at.into(),
        external_ids.into(),
        data.into(),
        updated_at.into(),
        has_updated_at.into(),
        versions.into(),
        has_version.into(),
        deleted.into(),
    ];
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql(),
        values,
    ))
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statement_binds_fourteen_values_whatever_the_page() {
        let sql = sql();
        assert!(sql.contains("$14::bool[]"));
        assert!(!sql.contains("$15"));
    }
}
