//! `connections`: one per authorised tenant, credentials sealed.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates `connections`.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The table's identifiers, shared with later migrations' foreign keys.
#[derive(DeriveIden)]
pub enum Connections {
    Table,
    Id,
    Name,
    Provider,
    TenantId,
    TenantName,
    BaseUrl,
    SealedCredentials,
    Status,
    RateLimits,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Connections::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Connections::Id))
                    .col(text_uniq(Connections::Name))
                    .col(text(Connections::Provider))
                    .col(text(Connections::TenantId))
                    .col(text(Connections::TenantName))
                    .col(text_null(Connections::BaseUrl))
                    .col(text(Connections::SealedCredentials))
                    .col(text(Connections::Status).default("active"))
                    .col(text_null(Connections::RateLimits))
                    .col(timestamp_with_time_zone(Connections::CreatedAt))
                    .col(timestamp_with_time_zone(Connections::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Connections::Table).to_owned())
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
