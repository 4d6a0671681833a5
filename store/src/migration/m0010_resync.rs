//! Resync: `sync_state` gets a checkpoint of its own for a pull of changes,
//! so that it never overwrites the checkpoint of a full pull left unfinished;
//! `records.deletion_held_at` marks a deletion held for a person (a run would
//! have deleted suspiciously many records of a kind).

use sea_orm_migration::{prelude::*, schema::*};

use super::m0002_create_runs::Runs;
use super::m0003_create_records::Records;
use super::m0004_create_sync_state::SyncState;

/// Adds the change pull's checkpoint columns and the held-deletion mark.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The held-deletion mark, the runs' count of held deletions, and how a
/// record's last change reached it (its provenance, beside the run).
#[derive(DeriveIden)]
enum HeldDeletion {
    DeletionHeldAt,
    Held,
    ChangedHow,
}

/// The new columns (named as the table names them).
#[derive(DeriveIden)]
#[allow(clippy::enum_variant_names)]
enum ChangesCheckpoint {
    ChangesSweep,
    ChangesNext,
    ChangesPendingCursor,
    ChangesPages,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            big_integer_null(ChangesCheckpoint::ChangesSweep),
            text_null(ChangesCheckpoint::ChangesNext),
            timestamp_with_time_zone_null(ChangesCheckpoint::ChangesPendingCursor),
            big_integer(ChangesCheckpoint::ChangesPages)
                .default(0)
                .to_owned(),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(SyncState::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Records::Table)
                    .add_column(timestamp_with_time_zone_null(HeldDeletion::DeletionHeldAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Records::Table)
                    .add_column(text_null(HeldDeletion::ChangedHow))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Runs::Table)
                    .add_column(big_integer(HeldDeletion::Held).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Runs::Table)
                    .drop_column(HeldDeletion::Held)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Records::Table)
                    .drop_column(HeldDeletion::DeletionHeldAt)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Records::Table)
                    .drop_column(HeldDeletion::ChangedHow)
                    .to_owned(),
            )
            .await?;
        for column in [
            ChangesCheckpoint::ChangesSweep,
            ChangesCheckpoint::ChangesNext,
            ChangesCheckpoint::ChangesPendingCursor,
            ChangesCheckpoint::ChangesPages,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(SyncState::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
