//! `runs`: every sync, resync, reconcile and export as history.

use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_create_connections::Connections;

/// Creates `runs`.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The table's identifiers, shared with later migrations' foreign keys.
#[derive(DeriveIden)]
pub enum Runs {
    Table,
    Id,
    ConnectionId,
    Kind,
    RunType,
    Status,
    StartedAt,
    FinishedAt,
    Pages,
    Fetched,
    Stored,
    Quarantined,
    Deleted,
    ApiCalls,
    Error,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Runs::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Runs::Id))
                    .col(big_integer(Runs::ConnectionId))
                    .col(text(Runs::Kind))
                    .col(text(Runs::RunType))
                    .col(text(Runs::Status))
                    .col(timestamp_with_time_zone(Runs::StartedAt))
                    .col(timestamp_with_time_zone_null(Runs::FinishedAt))
                    .col(big_integer(Runs::Pages).default(0))
                    .col(big_integer(Runs::Fetched).default(0))
                    .col(big_integer(Runs::Stored).default(0))
                    .col(big_integer(Runs::Quarantined).default(0))
                    .col(big_integer(Runs::Deleted).default(0))
                    .col(big_integer(Runs::ApiCalls).default(0))
                    .col(text_null(Runs::Error))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_runs_connection")
                            .from(Runs::Table, Runs::ConnectionId)
                            .to(Connections::Table, Connections::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // start_run looks for the running run of a (connection, kind).
        manager
            .create_index(
                Index::create()
                    .name("ix_runs_connection_kind_status")
                    .table(Runs::Table)
                    .col(Runs::ConnectionId)
                    .col(Runs::Kind)
                    .col(Runs::Status)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        // runs() lists a connection's history newest first.
        manager
            .create_index(
                Index::create()
                    .name("ix_runs_connection_id")
                    .table(Runs::Table)
                    .col(Runs::ConnectionId)
                    .col(Runs::Id)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Runs::Table).to_owned())
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
