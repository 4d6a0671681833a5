//! Cursor and checkpoint per (connection, kind): read here, written inside
//! the transactions of `commit_page` and `finish_pull`.

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use tether_core::store::{Checkpoint, ConnectionId, Pull, RunId, SyncState};
use tether_core::{PageToken, Timestamp};

use crate::entity::sync_state::{self, Column};
use crate::error::{Doing, StoreError};
use crate::sea_store::{SeaStore, micros, now};

impl SeaStore {
    /// Every cursor there is, of `connection` or of all, in one query.
    pub(crate) async fn cursors_impl(
        &self,
        connection: Option<ConnectionId>,
    ) -> Result<Vec<(ConnectionId, String, Timestamp)>, StoreError> {
        let mut query = sync_state::Entity::find().filter(Column::Cursor.is_not_null());
        if let Some(connection) = connection {
            query = query.filter(Column::ConnectionId.eq(connection.0));
        }
        let rows = query
            .all(self.db())
            .await
            .doing(|| "reading every cursor".to_owned())?;
        Ok(rows
            .into_iter()
            .filter_map(|m| Some((ConnectionId(m.connection_id), m.kind, m.cursor?)))
            .collect())
    }

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
            pull: Pull::Full,
            sweep: RunId(sweep),
            next: m.checkpoint_next.map(PageToken),
            pending_cursor: m.checkpoint_pending_cursor,
            pages: m.checkpoint_pages,
        }),
        changes: m.changes_sweep.map(|sweep| Checkpoint {
            pull: Pull::Changes,
            sweep: RunId(sweep),
            next: m.changes_next.map(PageToken),
            pending_cursor: m.changes_pending_cursor,
            pages: m.changes_pages,
        }),
        last_full_sync_at: m.last_full_sync_at,
    }
}

/// Stores where a pull stands, in its own columns, leaving the cursor and
/// the other pull's checkpoint alone. Runs inside the page's transaction.
pub(crate) async fn save_checkpoint<C: ConnectionTrait>(
    db: &C,
    connection: ConnectionId,
    kind: &str,
    checkpoint: &Checkpoint,
) -> Result<(), DbErr> {
    let mut row = sync_state::ActiveModel {
        connection_id: Set(connection.0),
        kind: Set(kind.to_owned()),
        updated_at: Set(now()),
        ..Default::default()
    };
    let next = checkpoint.next.as_ref().map(|t| t.0.clone());
    let pending_cursor = checkpoint.pending_cursor.map(micros);
    let columns = match checkpoint.pull {
        Pull::Full => {
            row.checkpoint_sweep = Set(Some(checkpoint.sweep.0));
            row.checkpoint_next = Set(next);
            row.checkpoint_pending_cursor = Set(pending_cursor);
            row.checkpoint_pages = Set(checkpoint.pages);
            [
                Column::CheckpointSweep,
                Column::CheckpointNext,
                Column::CheckpointPendingCursor,
                Column::CheckpointPages,
            ]
        }
        Pull::Changes => {
            row.changes_sweep = Set(Some(checkpoint.sweep.0));
            row.changes_next = Set(next);
            row.changes_pending_cursor = Set(pending_cursor);
            row.changes_pages = Set(checkpoint.pages);
            [
                Column::ChangesSweep,
                Column::ChangesNext,
                Column::ChangesPendingCursor,
                Column::ChangesPages,
            ]
        }
    };
    let mut update: Vec<Column> = columns.to_vec();
    update.push(Column::UpdatedAt);
    sync_state::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([Column::ConnectionId, Column::Kind])
                .update_columns(update)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Ends a pull's state: the cursor advances, a full pull is recorded as
/// complete, and the pull's checkpoint is cleared (a full pull's end clears
/// both). Runs inside the end's
/// transaction.
pub(crate) async fn complete_pull<C: ConnectionTrait>(
    db: &C,
    connection: ConnectionId,
    kind: &str,
    pull: Pull,
    cursor: Option<Timestamp>,
    full_pull_at: Option<Timestamp>,
) -> Result<(), DbErr> {
    let mut row = sync_state::ActiveModel {
        connection_id: Set(connection.0),
        kind: Set(kind.to_owned()),
        cursor: Set(cursor.map(micros)),
        last_full_sync_at: Set(full_pull_at),
        updated_at: Set(now()),
        ..Default::default()
    };
    // A full pull also ends a pull of changes left unfinished: it has seen
    // everything that one would have.
    row.changes_sweep = Set(None);
    row.changes_next = Set(None);
    row.changes_pending_cursor = Set(None);
    row.changes_pages = Set(0);
    let changes = [
        Column::ChangesSweep,
        Column::ChangesNext,
        Column::ChangesPendingCursor,
        Column::ChangesPages,
    ];
    let cleared: &[Column] = match pull {
        Pull::Full => {
            row.checkpoint_sweep = Set(None);
            row.checkpoint_next = Set(None);
            row.checkpoint_pending_cursor = Set(None);
            row.checkpoint_pages = Set(0);
            &[
                Column::CheckpointSweep,
                Column::CheckpointNext,
                Column::CheckpointPendingCursor,
                Column::CheckpointPages,
            ]
        }
        Pull::Changes => &[],
    };
    let mut update: Vec<Column> = changes.into_iter().chain(cleared.iter().copied()).collect();
    update.extend([Column::Cursor, Column::UpdatedAt]);
    sync_state::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([Column::ConnectionId, Column::Kind])
                .update_columns(update)
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
