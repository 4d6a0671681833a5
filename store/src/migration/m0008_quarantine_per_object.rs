//! The quarantine becomes the current list of unreadable objects rather
//! than a log: one row per object (the latest reason), cleared when the
//! object reads again. Older duplicate rows are removed and the lookup the
//! page commit makes by external id gets its index.

use sea_orm_migration::prelude::*;

use super::m0005_create_quarantine::Quarantine;

/// Keeps the newest row per quarantined object and indexes external ids.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "DELETE FROM quarantine WHERE external_id IS NOT NULL AND id NOT IN ( \
                     SELECT MAX(id) FROM quarantine WHERE external_id IS NOT NULL \
                     GROUP BY connection_id, kind, external_id)",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_quarantine_external_id")
                    .table(Quarantine::Table)
                    .col(Quarantine::ConnectionId)
                    .col(Quarantine::Kind)
                    .col(Quarantine::ExternalId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_quarantine_external_id")
                    .table(Quarantine::Table)
                    .to_owned(),
            )
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
