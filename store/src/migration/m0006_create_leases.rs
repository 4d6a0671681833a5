//! `leases`: which process holds each (connection, kind) right now.

use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_create_connections::Connections;

/// Creates `leases`.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The table's identifiers.
#[derive(DeriveIden)]
pub enum Leases {
    Table,
    ConnectionId,
    Kind,
    HolderToken,
    Host,
    Pid,
    AcquiredAtMs,
    HeartbeatAtMs,
    ExpiresAtMs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Times are epoch milliseconds from the database's own clock, so the
        // expiry comparison is one integer comparison on both engines and
        // every process, on every machine, reads the same clock.
        manager
            .create_table(
                Table::create()
                    .table(Leases::Table)
                    .if_not_exists()
                    .col(big_integer(Leases::ConnectionId))
                    .col(text(Leases::Kind))
                    .col(text(Leases::HolderToken))
                    .col(text(Leases::Host))
                    .col(big_integer(Leases::Pid))
                    .col(big_integer(Leases::AcquiredAtMs))
                    .col(big_integer(Leases::HeartbeatAtMs))
                    .col(big_integer(Leases::ExpiresAtMs))
                    .primary_key(Index::create().col(Leases::ConnectionId).col(Leases::Kind))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_leases_connection")
                            .from(Leases::Table, Leases::ConnectionId)
                            .to(Connections::Table, Connections::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Leases::Table).to_owned())
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
