//! Cursor and checkpoint per (connection, kind): read here, written inside
//! the transactions of `commit_page` and `finish_pull`.

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use tether_core::store::{Checkpoint, ConnectionId, RunId, SyncState};
use tether_core::{PageToken, Timestamp};

use crate::entity::sync_state::{self, Column};
use crate::error::{Doing, StoreError};
use crate::sea_store::{SeaStore, micros, now};

impl SeaStore {
    /// The (connection, kind)'s state; the default when it never synced.
    pub(crate) async fn sync_state_impl(
        &self,
        connection: ConnectionId,
        kind: &str,
    ) -> Result<SyncState, StoreError> {
        let row = sync_state::Entity::find_by_id((connection.0, kind.to_owned()))
            .one(self.db())
            .await
            .doing(|| {
                format!(
                    "reading the sync state of {kind} for connection {}",
                    connection.0
                )
            })?;
        Ok(row.map(to_sync_state).unwrap_or_default())
    }
}

/// A row as core's type: a checkpoint exists exactly when its sweep is set.
fn to_sync_state(m: sync_state::Model) -> SyncState {
    SyncState {
        cursor: m.cursor,
        checkpoint: m.checkpoint_sweep.map(|sweep| Checkpoint {
            sweep: RunId(sweep),
            next: m.checkpoint_next.map(PageToken),
            pending_cursor: m.checkpoint_pending_cursor,
            pages: m.checkpoint_pages,
        }),
        last_full_sync_at: m.last_full_sync_at,
    }
}

/// Stores where a full pull stands, leaving the cursor alone. Runs inside
/// the page's transaction.
pub(crate) async fn save_checkpoint<C: ConnectionTrait>(
    db: &C,
    connection: ConnectionId,
    kind: &str,
    checkpoint: &Checkpoint,
) -> Result<(), DbErr> {
    let row = sync_state::ActiveModel {
        connection_id: Set(connection.0),
        kind: Set(kind.to_owned()),
        checkpoint_sweep: Set(Some(checkpoint.sweep.0)),
        checkpoint_next: Set(checkpoint.next.as_ref().map(|t| t.0.clone())),
        checkpoint_pending_cursor: Set(checkpoint.pending_cursor.map(micros)),
        checkpoint_pages: Set(checkpoint.pages),
        updated_at: Set(now()),
        ..Default::default()
    };
    sync_state::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([Column::ConnectionId, Column::Kind])
                .update_columns([
                    Column::CheckpointSweep,
                    Column::CheckpointNext,
                    Column::CheckpointPendingCursor,
                    Column::CheckpointPages,
                    Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Ends a full pull's state: the cursor advances, the pull is recorded as
/// complete, and the checkpoint is cleared. Runs inside the sweep's transaction.
pub(crate) async fn complete_pull<C: ConnectionTrait>(
    db: &C,
    connection: ConnectionId,
    kind: &str,
    cursor: Option<Timestamp>,
    full_pull_at: Option<Timestamp>,
) -> Result<(), DbErr> {
    let row = sync_state::ActiveModel {
        connection_id: Set(connection.0),
        kind: Set(kind.to_owned()),
        cursor: Set(cursor.map(micros)),
        checkpoint_sweep: Set(None),
        checkpoint_next: Set(None),
        checkpoint_pending_cursor: Set(None),
        checkpoint_pages: Set(0),
        last_full_sync_at: Set(full_pull_at),
        updated_at: Set(now()),
    };
    sync_state::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([Column::ConnectionId, Column::Kind])
                .update_columns([
                    Column::Cursor,
                    Column::CheckpointSweep,
                    Column::CheckpointNext,
                    Column::CheckpointPendingCursor,
                    Column::CheckpointPages,
                    Column::UpdatedAt,
                ])
                // A pull that did not list everything leaves the last full one's time.
                .value(
                    Column::LastFullSyncAt,
                    Expr::cust(
                        "COALESCE(excluded.last_full_sync_at, sync_state.last_full_sync_at)",
                    ),
                )
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}
