//! `records` indexes for ingest: every index is written by every page
//! commit, so `records` keeps only those a query needs.
//!
//! - `ix_records_sweep` (connection, kind, `seen_in_sweep`) goes: its one
//!   reader asks for `seen_in_sweep IS NULL OR seen_in_sweep <> ?`, which
//!   neither engine can search a B-tree for, so it only ever served the
//!   (connection, kind) prefix that `ux_records_external_id` and
//!   `ix_records_kind_id` serve too.
//! - `ix_records_pending` (connection, `pending_change`) becomes a partial
//!   index on (connection, kind, id) of the records with a pending edit: the
//!   export's keyset read of a kind's pending records walks it in order, and
//!   a sync, whose records have no pending edit, no longer writes it.

use sea_orm_migration::prelude::*;

use super::m0003_create_records::Records;

/// Drops `ix_records_sweep`; makes `ix_records_pending` partial.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_index(manager, "ix_records_sweep").await?;
        drop_index(manager, "ix_records_pending").await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_records_pending")
                    .table(Records::Table)
                    .col(Records::ConnectionId)
                    .col(Records::Kind)
                    .col(Records::Id)
                    .cond_where(Expr::col(Records::PendingChange).is_not_null())
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_index(manager, "ix_records_pending").await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_records_pending")
                    .table(Records::Table)
                    .col(Records::ConnectionId)
                    .col(Records::PendingChange)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
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
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

/// Drops one of `records`' indexes.
async fn drop_index(manager: &SchemaManager<'_>, name: &str) -> Result<(), DbErr> {
    manager
        .drop_index(
            Index::drop()
                .name(name)
                .table(Records::Table)
                .if_exists()
                .to_owned(),
        )
        .await
}
