//! Local edits: reading a record as an application names it, staging an
//! edit (the record and its change-log row in one transaction, swapped on
//! the record's revision), the pending records of a kind, and the change log.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::Value;
use tether_core::pending::{PendingState, RecordKey, StagedChange};
use tether_core::store::{ChangeEntry, ConnectionId, StoredRecord};

use crate::entity::changes;
use crate::entity::records::{self, Column};
use crate::error::{Doing, StoreError};
use crate::records::{ID_CHUNK, to_stored};
use crate::sea_store::{SeaStore, now};

impl SeaStore {
    pub(crate) async fn record_impl(
        &self,
        connection: ConnectionId,
        kind: &str,
        key: &RecordKey,
    ) -> Result<Option<StoredRecord>, StoreError> {
        let select = records::Entity::find()
            .filter(Column::ConnectionId.eq(connection.0))
            .filter(Column::Kind.eq(kind));
        let select = match key {
            RecordKey::Local(id) => select.filter(Column::Id.eq(*id)),
            RecordKey::External(id) => select.filter(Column::ExternalId.eq(id.as_str())),
        };
        select
            .one(self.db())
            .await
            .doing(|| format!("reading {kind} {key} of connection {}", connection.0))?
            .map(to_stored)
            .transpose()
    }

    pub(crate) async fn records_by_id_impl(
        &self,
        connection: ConnectionId,
        ids: &[i64],
    ) -> Result<Vec<StoredRecord>, StoreError> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(ID_CHUNK) {
            let rows = records::Entity::find()
                .filter(Column::ConnectionId.eq(connection.0))
                .filter(Column::Id.is_in(chunk.iter().copied()))
                .all(self.db())
                .await
                .doing(|| format!("reading records by local id of connection {}", connection.0))?;
            for row in rows {
                found.push(to_stored(row)?);
            }
        }
        Ok(found)
    }

    pub(crate) async fn stage_impl(&self, change: &StagedChange<'_>) -> Result<i64, StoreError> {
        let doing = || {
            format!(
                "saving a local {} of {} for connection {}",
                change.op, change.kind, change.connection.0
            )
        };
        let at = now();
        let pending = change.pending;
        let text = |v: &Value| v.to_string();
        let txn = self.begin_write().await.doing(doing)?;
        let id = match change.record {
            None => {
                let row = records::ActiveModel {
                    connection_id: Set(change.connection.0),
                    kind: Set(change.kind.to_owned()),
                    external_id: Set(None),
                    data: Set(text(change.data)),
                    local_updated_at: Set(Some(at)),
                    pending_change: Set(pending.map(|p| p.op.as_str().to_owned())),
                    pending_patch: Set(pending.map(|p| text(&p.patch))),
                    pending_state: Set(pending.map(|p| p.state.as_str().to_owned())),
                    base_version: Set(pending.and_then(|p| p.base_version.clone())),
                    changed_how: Set(Some(change.source.as_str().to_owned())),
                    created_at: Set(at),
                    ..Default::default()
                };
                records::Entity::insert(row)
                    .exec(&txn)
                    .await
                    .doing(doing)?
                    .last_insert_id
            }
            Some((id, revision)) => {
                let remote_data = match pending {
                    Some(_) => Expr::col(Column::RemoteData),
                    None => Expr::value(Option::<String>::None),
                };
                let updated = records::Entity::update_many()
                    .col_expr(Column::Data, Expr::value(text(change.data)))
                    .col_expr(Column::LocalUpdatedAt, Expr::value(at))
                    .col_expr(
                        Column::PendingChange,
                        Expr::value(pending.map(|p| p.op.as_str().to_owned())),
                    )
                    .col_expr(
                        Column::PendingPatch,
                        Expr::value(pending.map(|p| text(&p.patch))),
                    )
                    .col_expr(
                        Column::PendingState,
                        Expr::value(pending.map(|p| p.state.as_str().to_owned())),
                    )
                    .col_expr(
                        Column::BaseVersion,
                        Expr::value(pending.and_then(|p| p.base_version.clone())),
                    )
                    .col_expr(
                        Column::ExportError,
                        Expr::value(pending.and_then(|p| p.error.clone())),
                    )
                    .col_expr(Column::RemoteData, remote_data)
                    .col_expr(Column::ChangedHow, Expr::value(change.source.as_str()))
                    .col_expr(Column::Revision, Expr::col(Column::Revision).add(1))
                    .filter(Column::Id.eq(id))
                    .filter(Column::Revision.eq(revision))
                    .exec(&txn)
                    .await
                    .doing(doing)?
                    .rows_affected;
                if updated == 0 {
                    return Err(StoreError::Moved {
                        kind: change.kind.to_owned(),
                        record: id,
                    });
                }
                id
            }
        };
        log(
            &txn,
            Log {
                connection: change.connection.0,
                kind: change.kind,
                record: id,
                source: change.source.as_str(),
                op: change.op,
                run: None,
                detail: Some(change.input),
            },
        )
        .await
        .doing(doing)?;
        txn.commit().await.doing(doing)?;
        Ok(id)
    }

    pub(crate) async fn pending_impl(
        &self,
        connection: ConnectionId,
        kind: &str,
        after_id: i64,
        limit: u64,
    ) -> Result<Vec<StoredRecord>, StoreError> {
        records::Entity::find()
            .filter(Column::ConnectionId.eq(connection.0))
            .filter(Column::PendingChange.is_not_null())
            .filter(Column::Kind.eq(kind))
            .filter(Column::Id.gt(after_id))
            .order_by_asc(Column::Id)
            .limit(limit)
            .all(self.db())
            .await
            .doing(|| format!("listing pending {kind} of connection {}", connection.0))?
            .into_iter()
            .map(to_stored)
            .collect()
    }

    pub(crate) async fn exportable_impl(&self) -> Result<Vec<(ConnectionId, String)>, StoreError> {
        let rows: Vec<(i64, String)> = records::Entity::find()
            .select_only()
            .column(Column::ConnectionId)
            .column(Column::Kind)
            .distinct()
            .filter(Column::PendingChange.is_not_null())
            .filter(Column::PendingState.is_in([
                PendingState::Ready.as_str(),
                PendingState::Uncertain.as_str(),
            ]))
            .into_tuple()
            .all(self.db())
            .await
            .doing(|| "listing the kinds with edits to export".to_owned())?;
        Ok(rows
            .into_iter()
            .map(|(connection, kind)| (ConnectionId(connection), kind))
            .collect())
    }

    pub(crate) async fn history_impl(&self, record: i64) -> Result<Vec<ChangeEntry>, StoreError> {
        let rows = changes::Entity::find()
            .filter(changes::Column::RecordId.eq(record))
            .order_by_asc(changes::Column::Seq)
            .all(self.db())
            .await
            .doing(|| format!("reading the change log of record {record}"))?;
        Ok(rows
            .into_iter()
            .map(|m| ChangeEntry {
                seq: m.seq,
                at: m.at,
                source: m.source,
                op: m.op,
                run: m.run_id,
                detail: m.detail.and_then(|d| serde_json::from_str(&d).ok()),
            })
            .collect())
    }
}

/// One row of the change log.
pub(crate) struct Log<'a> {
    pub connection: i64,
    pub kind: &'a str,
    pub record: i64,
    pub source: &'a str,
    pub op: &'a str,
    pub run: Option<i64>,
    pub detail: Option<&'a Value>,
}

/// Appends to the change log; runs inside the caller's transaction.
pub(crate) async fn log<C: ConnectionTrait>(db: &C, entry: Log<'_>) -> Result<(), DbErr> {
    changes::Entity::insert(changes::ActiveModel {
        connection_id: Set(entry.connection),
        kind: Set(entry.kind.to_owned()),
        record_id: Set(entry.record),
        at: Set(now()),
        source: Set(entry.source.to_owned()),
        op: Set(entry.op.to_owned()),
        run_id: Set(entry.run),
        detail: Set(entry.detail.map(Value::to_string)),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}
