//! The page upsert on SQLite: one multi-row `INSERT … ON CONFLICT DO
//! UPDATE` per chunk, its text written once per chunk size and its values
//! bound straight from the records. Built through sea-query's `insert_many`
//! instead, a page of 1,000 made 13,000 expression values and rendered the
//! statement's text again for every page: a fifth of a page commit's time.
//! The columns and the conflict rules are the parent module's, shared with
//! the PostgreSQL path.

use std::sync::LazyLock;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};
use tether_core::store::PageCommit;
use tether_core::{ParsedObject, Timestamp};

use super::{BINDS_PER_RECORD, ON_CONFLICT, UPSERT_INTO};
use crate::sea_store::micros;

/// Records per statement: as many as SQLite's bind limit allows.
pub(super) const CHUNK: usize = 32_766 / BINDS_PER_RECORD;

/// The statement for `rows` records.
fn sql(rows: usize) -> String {
    let row = format!("({})", vec!["?"; BINDS_PER_RECORD].join(", "));
    format!(
        "{UPSERT_INTO} VALUES {}\n{}",
        vec![row; rows].join(", "),
        *ON_CONFLICT
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
