//! The page upsert on SQLite: one multi-row `INSERT … ON CONFLICT DO
//! UPDATE` per chunk, its text written once per chunk size and its values
//! bound straight from the records. Built through sea-query's `insert_many`
//! instead, a page of 1,000 made 13,000 expression values and rendered the
//! statement's text again for every page: a fifth of a page commit's time.
//! The conflict rules are the PostgreSQL path's (see [`super::postgres`]),
//! on the same columns.

use std::sync::LazyLock;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};
use tether_core::store::PageCommit;
use tether_core::{ParsedObject, Timestamp};

use super::{
    BINDS_PER_RECORD, CHANGED_BY_RUN_ON_CONFLICT, CHANGED_HOW_ON_CONFLICT, DATA_ON_CONFLICT,
    DELETED_AT_ON_CONFLICT, DELETION_SOURCE_ON_CONFLICT, PENDING_STATE_ON_CONFLICT,
    REMOTE_DATA_ON_CONFLICT, REVISION_ON_CONFLICT,
};
use crate::sea_store::micros;

/// Records per statement: as many as SQLite's bind limit allows.
pub(super) const CHUNK: usize = 32_766 / BINDS_PER_RECORD;

/// The statement for `rows` records.
fn sql(rows: usize) -> String {
    let row = format!("({})", vec!["?"; BINDS_PER_RECORD].join(", "));
    format!(
        r#"INSERT INTO "records" ("connection_id", "kind", "external_id", "data", "remote_updated_at", "remote_version", "synced_at", "deleted_at", "deletion_source", "seen_in_sweep", "changed_by_run", "changed_how", "created_at") VALUES {}
ON CONFLICT ("connection_id", "kind", "external_id") DO UPDATE SET
    "remote_updated_at" = "excluded"."remote_updated_at",
    "remote_version" = "excluded"."remote_version",
    "synced_at" = "excluded"."synced_at",
    "seen_in_sweep" = "excluded"."seen_in_sweep",
    "deletion_held_at" = NULL,
    "data" = {DATA_ON_CONFLICT},
    "remote_data" = {REMOTE_DATA_ON_CONFLICT},
    "pending_state" = {PENDING_STATE_ON_CONFLICT},
    "revision" = {REVISION_ON_CONFLICT},
    "deleted_at" = {DELETED_AT_ON_CONFLICT},
    "deletion_source" = {DELETION_SOURCE_ON_CONFLICT},
    "changed_by_run" = {CHANGED_BY_RUN_ON_CONFLICT},
    "changed_how" = {CHANGED_HOW_ON_CONFLICT}"#,
        vec![row; rows].join(", ")
    )
}

/// Upserts `records` (external ids unique, in the order to insert), a
/// chunk per statement.
pub(super) async fn upsert<C: ConnectionTrait>(
    db: &C,
    page: &PageCommit<'_>,
    records: &[&ParsedObject],
    created_at: Timestamp,
) -> Result<(), DbErr> {
    // A full page's statement, the one nearly every commit runs.
    static PAGE_SQL: LazyLock<(usize, String)> = LazyLock::new(|| (1000, sql(1000)));
    let synced_at = micros(page.synced_at);
    for rows in records.chunks(CHUNK) {
        let mut values: Vec<Value> = Vec::with_capacity(rows.len() * BINDS_PER_RECORD);
        for r in rows {
            values.extend([
                page.lease.connection.0.into(),
                page.lease.kind.clone().into(),
                Some(r.external_id.clone()).into(),
                r.data.clone().into(),
                r.remote_updated_at.map(micros).into(),
                r.version.clone().into(),
                Some(synced_at).into(),
                r.deleted.then_some(synced_at).into(),
                r.deleted.then(|| "status".to_owned()).into(),
                Some(page.checkpoint.sweep.0).into(),
                Some(page.run.0).into(),
                Some(page.how.as_str().to_owned()).into(),
                created_at.into(),
            ]);
        }
        let sql = if rows.len() == PAGE_SQL.0 {
            PAGE_SQL.1.clone()
        } else {
            sql(rows.len())
        };
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            sql,
            values,
        ))
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_of_a_thousand_is_one_statement() {
        const { assert!(CHUNK >= 1000) };
        assert_eq!(sql(2).matches('?').count(), 2 * BINDS_PER_RECORD);
    }
}
