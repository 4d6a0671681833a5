//! `records`: our copy of each object, with the columns export and resync
//! need from the first release.

use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_create_connections::Connections;

/// Creates `records` and its indexes.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The table's identifiers.
#[derive(DeriveIden)]
pub enum Records {
    Table,
    Id,
    ConnectionId,
    Kind,
    ExternalId,
    Data,
    RemoteUpdatedAt,
    SyncedAt,
    LocalUpdatedAt,
    BaseRemoteUpdatedAt,
    ExportedAt,
    PendingChange,
    ExportError,
    IdempotencyKey,
    DeletedAt,
    DeletionSource,
    SeenInSweep,
    ChangedByRun,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Records::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Records::Id))
                    .col(big_integer(Records::ConnectionId))
                    .col(text(Records::Kind))
                    .col(text_null(Records::ExternalId))
                    .col(text(Records::Data))
                    .col(timestamp_with_time_zone_null(Records::RemoteUpdatedAt))
                    .col(timestamp_with_time_zone_null(Records::SyncedAt))
                    .col(timestamp_with_time_zone_null(Records::LocalUpdatedAt))
                    .col(timestamp_with_time_zone_null(Records::BaseRemoteUpdatedAt))
                    .col(timestamp_with_time_zone_null(Records::ExportedAt))
                    .col(text_null(Records::PendingChange))
                    .col(text_null(Records::ExportError))
                    .col(text_null(Records::IdempotencyKey))
                    .col(timestamp_with_time_zone_null(Records::DeletedAt))
                    .col(text_null(Records::DeletionSource))
                    .col(big_integer_null(Records::SeenInSweep))
                    .col(big_integer_null(Records::ChangedByRun))
                    .col(timestamp_with_time_zone(Records::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_records_connection")
                            .from(Records::Table, Records::ConnectionId)
                            .to(Connections::Table, Connections::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The upsert's conflict target. NULL external ids (local records not
        // yet exported) never collide: NULLs are distinct in unique indexes.
        manager
            .create_index(
                Index::create()
                    .name("ux_records_external_id")
                    .table(Records::Table)
                    .col(Records::ConnectionId)
                    .col(Records::Kind)
                    .col(Records::ExternalId)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        // finish_sweep: records of a kind the full pull did not stamp.
        manager
            .create_index(
                Index::create()
                    .name("ix_records_sweep")
                    .table(Records::Table)
                    .col(Records::ConnectionId)
                    .col(Records::Kind)
                    .col(Records::SeenInSweep)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        // Keyset paging of a kind by local id.
        manager
            .create_index(
                Index::create()
                    .name("ix_records_kind_id")
                    .table(Records::Table)
                    .col(Records::ConnectionId)
                    .col(Records::Kind)
                    .col(Records::Id)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Records::Table).to_owned())
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
