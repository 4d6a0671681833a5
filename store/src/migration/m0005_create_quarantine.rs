//! `quarantine`: unreadable provider objects, kept whole with the reason.

use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_create_connections::Connections;
use super::m0002_create_runs::Runs;

/// Creates `quarantine`.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The table's identifiers.
#[derive(DeriveIden)]
pub enum Quarantine {
    Table,
    Id,
    ConnectionId,
    Kind,
    ExternalId,
    RunId,
    Error,
    Payload,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Quarantine::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Quarantine::Id))
                    .col(big_integer(Quarantine::ConnectionId))
                    .col(text(Quarantine::Kind))
                    .col(text_null(Quarantine::ExternalId))
                    .col(big_integer(Quarantine::RunId))
                    .col(text(Quarantine::Error))
                    .col(text(Quarantine::Payload))
                    .col(timestamp_with_time_zone(Quarantine::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_quarantine_connection")
                            .from(Quarantine::Table, Quarantine::ConnectionId)
                            .to(Connections::Table, Connections::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_quarantine_run")
                            .from(Quarantine::Table, Quarantine::RunId)
                            .to(Runs::Table, Runs::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_quarantine_connection_kind")
                    .table(Quarantine::Table)
                    .col(Quarantine::ConnectionId)
                    .col(Quarantine::Kind)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Quarantine::Table).to_owned())
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
