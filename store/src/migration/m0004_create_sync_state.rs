//! `sync_state`: the cursor and the checkpoint per (connection, kind).

use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_create_connections::Connections;

/// Creates `sync_state`.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The table's identifiers.
#[derive(DeriveIden)]
pub enum SyncState {
    Table,
    ConnectionId,
    Kind,
    Cursor,
    CheckpointSweep,
    CheckpointNext,
    CheckpointPendingCursor,
    CheckpointPages,
    LastFullSyncAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SyncState::Table)
                    .if_not_exists()
                    .col(big_integer(SyncState::ConnectionId))
                    .col(text(SyncState::Kind))
                    .col(timestamp_with_time_zone_null(SyncState::Cursor))
                    .col(big_integer_null(SyncState::CheckpointSweep))
                    .col(text_null(SyncState::CheckpointNext))
                    .col(timestamp_with_time_zone_null(
                        SyncState::CheckpointPendingCursor,
                    ))
                    .col(big_integer(SyncState::CheckpointPages).default(0))
                    .col(timestamp_with_time_zone_null(SyncState::LastFullSyncAt))
                    .col(timestamp_with_time_zone(SyncState::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(SyncState::ConnectionId)
                            .col(SyncState::Kind),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sync_state_connection")
                            .from(SyncState::Table, SyncState::ConnectionId)
                            .to(Connections::Table, Connections::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SyncState::Table).to_owned())
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
