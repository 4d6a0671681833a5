//! Quarantined objects: written with their page, listed for people.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use tether_core::store::{ConnectionId, QuarantineEntry, RunId};

use crate::entity::quarantine::{self, Column};
use crate::error::{Doing, StoreError};
use crate::sea_store::{SeaStore, micros};

impl SeaStore {
    /// A connection's quarantined objects, newest first.
    pub(crate) async fn quarantined_impl(
        &self,
        connection: ConnectionId,
        limit: u64,
    ) -> Result<Vec<QuarantineEntry>, StoreError> {
        let rows = quarantine::Entity::find()
            .filter(Column::ConnectionId.eq(connection.0))
            .order_by_desc(Column::Id)
            .limit(limit)
            .all(self.db())
            .await
            .doing(|| format!("listing quarantined objects of connection {}", connection.0))?;
        Ok(rows
            .into_iter()
            .map(|m| QuarantineEntry {
                kind: m.kind,
                external_id: m.external_id,
                error: m.error,
                payload: m.payload,
                run_id: RunId(m.run_id),
                created_at: m.created_at,
            })
            .collect())
    }
}

/// Inserts a page's quarantined objects in one statement (none: no statement).
/// Runs inside the page's transaction.
pub(crate) async fn insert_quarantine<C: ConnectionTrait>(
    db: &C,
    connection: ConnectionId,
    entries: &[QuarantineEntry],
) -> Result<(), DbErr> {
    // 7 values per row; a page never comes near the bind limit, but chunk anyway.
    for chunk in entries.chunks(4000) {
        quarantine::Entity::insert_many(chunk.iter().map(|q| quarantine::ActiveModel {
            connection_id: Set(connection.0),
            kind: Set(q.kind.clone()),
            external_id: Set(q.external_id.clone()),
            run_id: Set(q.run_id.0),
            error: Set(q.error.clone()),
            payload: Set(q.payload.clone()),
            created_at: Set(micros(q.created_at)),
            ..Default::default()
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}
