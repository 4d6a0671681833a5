//! Quarantined objects: written with their page, listed for people.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use tether_core::ParsedObject;
use tether_core::lease::Lease;
use tether_core::store::{ConnectionId, QuarantineEntry, RunId};

use crate::entity::quarantine::{self, Column};
use crate::error::{Doing, StoreError};
use crate::records::ID_CHUNK;
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

/// Makes the quarantine match what the page saw: objects that read again
/// leave it, and each object that did not read has one entry, the latest.
/// Entries without an id (nothing to match them by) are only added. Runs
/// inside the page's transaction; a kind with nothing quarantined costs one
/// index probe.
pub(crate) async fn replace_quarantine<C: ConnectionTrait>(
    db: &C,
    lease: &Lease,
    records: &[ParsedObject],
    entries: &[QuarantineEntry],
) -> Result<(), DbErr> {
    if entries.is_empty() {
        let any: Option<i64> = quarantine::Entity::find()
            .select_only()
            .column(Column::Id)
            .filter(Column::ConnectionId.eq(lease.connection.0))
            .filter(Column::Kind.eq(lease.kind.as_str()))
            .into_tuple()
            .one(db)
            .await?;
        if any.is_none() {
            return Ok(());
        }
    }
    let ids: Vec<&str> = records
        .iter()
        .map(|r| r.external_id.as_str())
        .chain(entries.iter().filter_map(|q| q.external_id.as_deref()))
        .collect();
    for chunk in ids.chunks(ID_CHUNK) {
        quarantine::Entity::delete_many()
            .filter(Column::ConnectionId.eq(lease.connection.0))
            .filter(Column::Kind.eq(lease.kind.as_str()))
            .filter(Column::ExternalId.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    // 7 values per row; a page never comes near the bind limit, but chunk anyway.
    for chunk in entries.chunks(4000) {
        quarantine::Entity::insert_many(chunk.iter().map(|q| quarantine::ActiveModel {
            connection_id: Set(lease.connection.0),
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
