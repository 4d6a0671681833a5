//! Records: the page upsert, reading, and totals.

use std::collections::HashMap;
use std::sync::LazyLock;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use tether_core::pending::{ChangeOp, Pending, PendingState};
use tether_core::store::{
    ConnectionId, KindTotals, PageCommit, Provenance, RecordQuery, StoredRecord,
};
use tether_core::{DeletionStrategy, ParsedObject};

use crate::deletions::{Deletion, mark_deleted};
use crate::entity::records::{self, Column};
use crate::error::{Doing, StoreError};
use crate::leases::fence;
use crate::quarantine::replace_quarantine;
use crate::runs::save_counts;
use crate::sea_store::{SeaStore, now};
use crate::sync_state::save_checkpoint;

mod postgres;
mod sqlite;

/// External ids bound by one `IN (...)` list: far below both engines' limits.
pub(crate) const ID_CHUNK: usize = 1000;

/// Values bound per record by SQLite's page upsert (see [`sqlite`]).
const BINDS_PER_RECORD: usize = 13;

/// `deleted_at` on conflict: cleared when the object is live again, kept when
/// it was already deleted (the first sighting is the deletion time), else the
/// page's time. A record with a pending local edit keeps its own (a provider
/// deletion of it is a conflict, see [`PENDING_STATE_ON_CONFLICT`]).
const DELETED_AT_ON_CONFLICT: &str = r#"CASE WHEN "records"."pending_change" IS NOT NULL THEN "records"."deleted_at" WHEN "excluded"."deleted_at" IS NULL THEN NULL ELSE COALESCE("records"."deleted_at", "excluded"."deleted_at") END"#;

/// `deletion_source` on conflict, kept together with `deleted_at`.
const DELETION_SOURCE_ON_CONFLICT: &str = r#"CASE WHEN "records"."pending_change" IS NOT NULL THEN "records"."deletion_source" WHEN "excluded"."deleted_at" IS NULL THEN NULL WHEN "records"."deleted_at" IS NULL THEN "excluded"."deletion_source" ELSE "records"."deletion_source" END"#;

/// `data` on conflict: the provider's copy, unless a local edit is pending:
/// the local view is never overwritten by a sync.
const DATA_ON_CONFLICT: &str = r#"CASE WHEN "records"."pending_change" IS NULL THEN "excluded"."data" ELSE "records"."data" END"#;

/// `remote_data` on conflict: the provider's copy kept beside a pending edit.
const REMOTE_DATA_ON_CONFLICT: &str =
    r#"CASE WHEN "records"."pending_change" IS NULL THEN NULL ELSE "excluded"."data" END"#;

/// `pending_state` on conflict: a provider copy whose version is not the one
/// the pending edit was based on makes it a conflict. An edit whose send is
/// uncertain is left to export, which tells its own write from another's.
const PENDING_STATE_ON_CONFLICT: &str = r#"CASE WHEN "records"."pending_change" IS NULL THEN NULL WHEN "records"."pending_state" IN ('conflict', 'uncertain') THEN "records"."pending_state" WHEN COALESCE("records"."base_version", '') <> COALESCE("excluded"."remote_version", '') THEN 'conflict' ELSE "records"."pending_state" END"#;

/// `revision` on conflict: bumped when the local side changes (a pending
/// record's provider copy or state), so an edit computed meanwhile is retried.
const REVISION_ON_CONFLICT: &str = r#"CASE WHEN "records"."pending_change" IS NULL THEN "records"."revision" ELSE "records"."revision" + 1 END"#;

/// `changed_by_run` on conflict: moves only when the content or the deleted
/// state changed, so a record can be traced to the run that last changed it.
const CHANGED_BY_RUN_ON_CONFLICT: &str = r#"CASE WHEN "records"."data" = "excluded"."data" AND ("records"."deleted_at" IS NULL) = ("excluded"."deleted_at" IS NULL) THEN "records"."changed_by_run" ELSE "excluded"."changed_by_run" END"#;

/// `changed_how` on conflict: moves with `changed_by_run`.
const CHANGED_HOW_ON_CONFLICT: &str = r#"CASE WHEN "records"."data" = "excluded"."data" AND ("records"."deleted_at" IS NULL) = ("excluded"."deleted_at" IS NULL) THEN "records"."changed_how" ELSE "excluded"."changed_how" END"#;

/// The columns a page upsert inserts, in the order of its values.
const UPSERT_INTO: &str = r#"INSERT INTO "records" ("connection_id", "kind", "external_id", "data", "remote_updated_at", "remote_version", "synced_at", "deleted_at", "deletion_source", "seen_in_sweep", "changed_by_run", "changed_how", "created_at")"#;

/// What a page upsert does to a record already stored: one text for both
/// engines' statements, so their conflict rules cannot drift apart.
static ON_CONFLICT: LazyLock<String> = LazyLock::new(|| {
    format!(
        r#"ON CONFLICT ("connection_id", "kind", "external_id") DO UPDATE SET
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
    "changed_how" = {CHANGED_HOW_ON_CONFLICT}"#
    )
});

impl SeaStore {
    /// Under the run's lease, in one transaction, for each page in turn:
    /// upserts its records (batched by external id), stamps the records of
    /// its quarantined objects as seen, replaces their quarantine entries
    /// (and clears those of objects that read again), marks its tombstones
    /// deleted; then saves the last page's checkpoint and the run's counts.
    /// Returns how many records the tombstones marked deleted.
    pub(crate) async fn commit_pages_impl(
        &self,
        pages: &[PageCommit<'_>],
    ) -> Result<u64, StoreError> {
        let Some(last) = pages.last() else {
            return Ok(0);
        };
        let lease = last.lease;
        let doing = || {
            let first = pages[0].checkpoint.pages;
            let records: usize = pages.iter().map(|p| p.records.len()).sum();
            let quarantined: usize = pages.iter().map(|p| p.quarantined.len()).sum();
            format!(
                "committing page{} {} of {} for connection {} (run {}, {} records, {} quarantined)",
                if pages.len() > 1 { "s" } else { "" },
                if pages.len() > 1 {
                    format!("{first} to {}", last.checkpoint.pages)
                } else {
                    first.to_string()
                },
                lease.kind,
                lease.connection.0,
                last.run,
                records,
                quarantined
            )
        };
        let backend = self.backend();
        let txn = self.begin_write().await.doing(doing)?;
        fence(&txn, backend, lease).await?;
        let mut tombstoned = 0;
        for page in pages {
            tombstoned += commit_one(&txn, backend, page).await.doing(doing)?;
        }
        save_checkpoint(&txn, lease.connection, &lease.kind, last.checkpoint)
            .await
            .doing(doing)?;
        save_counts(&txn, last.run, last.counts)
            .await
            .doing(doing)?;
        txn.commit().await.doing(doing)?;
        Ok(tombstoned)
    }

    /// A keyset page of a kind's records, by local id.
    pub(crate) async fn records_impl(
        &self,
        query: &RecordQuery,
    ) -> Result<Vec<StoredRecord>, StoreError> {
        let doing = || {
            format!(
                "reading records of {} for connection {} after id {}",
                query.kind, query.connection.0, query.after_id
            )
        };
        let mut select = records::Entity::find()
            .filter(Column::ConnectionId.eq(query.connection.0))
            .filter(Column::Kind.eq(query.kind.as_str()))
            .filter(Column::Id.gt(query.after_id));
        if !query.include_deleted {
            select = select.filter(Column::DeletedAt.is_null());
        }
        select
            .order_by_asc(Column::Id)
            .limit(query.limit)
            .all(self.db())
            .await
            .doing(doing)?
            .into_iter()
            .map(to_stored)
            .collect()
    }

    /// Live, deleted and quarantined counts per kind, in one grouped query;
    /// kinds with only quarantined objects are included.
    pub(crate) async fn totals_impl(
        &self,
        connection: ConnectionId,
    ) -> Result<Vec<KindTotals>, StoreError> {
        #[derive(FromQueryResult)]
        struct Row {
            kind: String,
            live: i64,
            deleted: i64,
            quarantined: i64,
            held: i64,
            pending: i64,
            conflicts: i64,
        }
        let backend = self.backend();
        let sql = placeholders(
            backend,
            "SELECT kind, CAST(SUM(live) AS BIGINT) AS live, \
                    CAST(SUM(deleted) AS BIGINT) AS deleted, \
                    CAST(SUM(quarantined) AS BIGINT) AS quarantined, \
                    CAST(SUM(held) AS BIGINT) AS held, \
                    CAST(SUM(pending) AS BIGINT) AS pending, \
                    CAST(SUM(conflicts) AS BIGINT) AS conflicts \
             FROM ( \
                 SELECT kind, \
                        SUM(CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END) AS live, \
                        SUM(CASE WHEN deleted_at IS NULL THEN 0 ELSE 1 END) AS deleted, \
                        0 AS quarantined, \
                        SUM(CASE WHEN deleted_at IS NULL AND deletion_held_at IS NOT NULL \
                            THEN 1 ELSE 0 END) AS held, \
                        SUM(CASE WHEN pending_change IS NULL THEN 0 ELSE 1 END) AS pending, \
                        SUM(CASE WHEN pending_state = 'conflict' THEN 1 ELSE 0 END) AS conflicts \
                 FROM records WHERE connection_id = ? GROUP BY kind \
                 UNION ALL \
                 SELECT kind, 0, 0, COUNT(*), 0, 0, 0 FROM quarantine WHERE connection_id = ? GROUP BY kind \
             ) AS per_table \
             GROUP BY kind ORDER BY kind",
        );
        let rows = Row::find_by_statement(Statement::from_sql_and_values(
            backend,
            sql,
            [connection.0.into(), connection.0.into()],
        ))
        .all(self.db())
        .await
        .doing(|| format!("counting records of connection {}", connection.0))?;
        Ok(rows
            .into_iter()
            .map(|r| KindTotals {
                kind: r.kind,
                live: r.live,
                deleted: r.deleted,
                quarantined: r.quarantined,
                held: r.held,
                pending: r.pending,
                conflicts: r.conflicts,
            })
            .collect())
    }
}

/// One page's writes but its checkpoint and counts; returns how many
/// records its tombstones marked deleted.
async fn commit_one<C: ConnectionTrait>(
    txn: &C,
    backend: DbBackend,
    page: &PageCommit<'_>,
) -> Result<u64, DbErr> {
    upsert_records(txn, backend, page).await?;
    let tombstoned = mark_deleted(
        txn,
        page.lease,
        &Deletion {
            run: page.run,
            at: page.synced_at,
            ids: page.tombstones,
            source: DeletionStrategy::Tombstone.as_str(),
            how: Provenance::Tombstone,
            unseen_by: None,
        },
    )
    .await?;
    stamp_quarantined_seen(txn, page).await?;
    replace_quarantine(txn, page.lease, page.records, page.quarantined).await?;
    Ok(tombstoned)
}

/// The batched upsert: on PostgreSQL one `INSERT ... SELECT ... FROM
/// UNNEST(...)` per page (see [`postgres`]); on SQLite one multi-row
/// `INSERT ... ON CONFLICT DO UPDATE` per chunk, a chunk being as many
/// records as the bind-parameter limit allows (a page of 1000 is one, see
/// [`sqlite`]).
async fn upsert_records<C: ConnectionTrait>(
    db: &C,
    backend: DbBackend,
    page: &PageCommit<'_>,
) -> Result<(), DbErr> {
    let mut records = last_of_each(page.records);
    // In key order, one statement walks the external-id index forward
    // instead of jumping around it.
    records.sort_unstable_by(|a, b| a.external_id.cmp(&b.external_id));
    let created_at = now();
    if backend == DbBackend::Postgres {
        return postgres::upsert(db, page, &records, created_at).await;
    }
    sqlite::upsert(db, page, &records, created_at).await
}

/// Stamps the records of the page's quarantined objects as seen: the object
/// is still at the provider, so its record keeps its last good copy and is
/// not a candidate for deletion.
async fn stamp_quarantined_seen<C: ConnectionTrait>(
    db: &C,
    page: &PageCommit<'_>,
) -> Result<(), DbErr> {
    let ids: Vec<&str> = page
        .quarantined
        .iter()
        .filter_map(|q| q.external_id.as_deref())
        .collect();
    for chunk in ids.chunks(ID_CHUNK) {
        records::Entity::update_many()
            .col_expr(Column::SeenInSweep, Expr::value(page.checkpoint.sweep.0))
            .filter(Column::ConnectionId.eq(page.lease.connection.0))
            .filter(Column::Kind.eq(page.lease.kind.as_str()))
            .filter(Column::ExternalId.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The page without earlier duplicates of an external id (a listing that
/// shifted under us can repeat one): PostgreSQL refuses an upsert that
/// touches a row twice, and the last copy is the newest.
fn last_of_each(records: &[ParsedObject]) -> Vec<&ParsedObject> {
    let mut last: HashMap<&str, usize> = HashMap::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        last.insert(r.external_id.as_str(), i);
    }
    if last.len() == records.len() {
        return records.iter().collect();
    }
    records
        .iter()
        .enumerate()
        .filter(|(i, r)| last[r.external_id.as_str()] == *i)
        .map(|(_, r)| r)
        .collect()
}

/// Turns `?` placeholders into PostgreSQL's `$1, $2, ...`.
pub(crate) fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// A row as core's type; the JSON columns are parsed.
pub(crate) fn to_stored(m: records::Model) -> Result<StoredRecord, StoreError> {
    let corrupt = |problem: String| StoreError::Corrupt {
        doing: format!("reading record {} ({})", m.id, m.kind),
        problem,
    };
    let json = |column: &str, text: &str| {
        serde_json::from_str::<serde_json::Value>(text)
            .map_err(|e| corrupt(format!("column {column} is not JSON: {e}")))
    };
    let data = json("data", &m.data)?;
    let remote_data = m
        .remote_data
        .as_deref()
        .map(|t| json("remote_data", t))
        .transpose()?;
    let pending = match (&m.pending_change, &m.pending_state) {
        (Some(op), state) => Some(Pending {
            op: ChangeOp::parse(op).ok_or_else(|| corrupt(format!("unknown change `{op}`")))?,
            patch: m
                .pending_patch
                .as_deref()
                .map(|t| json("pending_patch", t))
                .transpose()?
                .unwrap_or(serde_json::Value::Null),
            state: state
                .as_deref()
                .and_then(PendingState::parse)
                .unwrap_or(PendingState::Ready),
            base_version: m.base_version.clone(),
            error: m.export_error.clone(),
            attempt: m.export_attempt,
            idempotency_key: m.idempotency_key.clone(),
        }),
        (None, _) => None,
    };
    Ok(StoredRecord {
        id: m.id,
        kind: m.kind,
        external_id: m.external_id,
        remote_updated_at: m.remote_updated_at,
        synced_at: m.synced_at,
        local_updated_at: m.local_updated_at,
        exported_at: m.exported_at,
        deleted_at: m.deleted_at,
        deletion_source: m.deletion_source,
        changed_by_run: m.changed_by_run,
        changed_how: m.changed_how,
        remote_version: m.remote_version,
        pending,
        remote_data,
        revision: m.revision,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: &str, data: &str) -> ParsedObject {
        ParsedObject {
            external_id: id.to_owned(),
            remote_updated_at: None,
            version: None,
            deleted: false,
            data: data.to_owned(),
        }
    }

    #[test]
    fn duplicates_in_a_page_keep_the_last_copy() {
        let page = [rec("a", "1"), rec("b", "2"), rec("a", "3")];
        let kept: Vec<_> = last_of_each(&page)
            .into_iter()
            .map(|r| (r.external_id.as_str(), r.data.as_str()))
            .collect();
        assert_eq!(kept, [("b", "2"), ("a", "3")]);
    }

    #[test]
    fn postgres_placeholders_are_numbered() {
        assert_eq!(
            placeholders(DbBackend::Postgres, "a = ? AND b = ?"),
            "a = $1 AND b = $2"
        );
        assert_eq!(placeholders(DbBackend::Sqlite, "a = ?"), "a = ?");
    }
}
