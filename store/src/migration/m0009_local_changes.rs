//! Local changes and their export (and what each export run did): the provider's version of each record
//! (opaque to core: Xero's `UpdatedDateUTC`, QuickBooks' `SyncToken`), the
//! pending edit (its patch, the version it was based on, where its export
//! stands), the provider's copy kept beside it, a revision that every write
//! to the local side bumps (compare-and-swap between an application's edits
//! and a running export), and `changes`, the durable
//! log of every accepted change and export outcome, in sequence.

use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_create_connections::Connections;
use super::m0002_create_runs::Runs;
use super::m0003_create_records::Records;

/// Adds the export columns to `records` and creates `changes`.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The new `records` columns.
#[derive(DeriveIden)]
enum RecordsExport {
    RemoteVersion,
    BaseVersion,
    PendingPatch,
    PendingState,
    RemoteData,
    ExportAttempt,
    Revision,
}

/// The new `runs` columns: what an export did.
#[derive(DeriveIden)]
enum RunsExport {
    Written,
    Refused,
    Conflicts,
    Uncertain,
}

/// The table's identifiers.
#[derive(DeriveIden)]
pub enum Changes {
    Table,
    Seq,
    ConnectionId,
    Kind,
    RecordId,
    At,
    Source,
    Op,
    RunId,
    Detail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER.
        for column in [
            text_null(RecordsExport::RemoteVersion),
            text_null(RecordsExport::BaseVersion),
            text_null(RecordsExport::PendingPatch),
            text_null(RecordsExport::PendingState),
            text_null(RecordsExport::RemoteData),
            big_integer(RecordsExport::ExportAttempt)
                .default(0)
                .to_owned(),
            big_integer(RecordsExport::Revision).default(0).to_owned(),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Records::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            RunsExport::Written,
            RunsExport::Refused,
            RunsExport::Conflicts,
            RunsExport::Uncertain,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Runs::Table)
                        .add_column(big_integer(column).default(0))
                        .to_owned(),
                )
                .await?;
        }
        // Pending changes of a connection, found without scanning its records.
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
            .create_table(
                Table::create()
                    .table(Changes::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Changes::Seq))
                    .col(big_integer(Changes::ConnectionId))
                    .col(text(Changes::Kind))
                    .col(big_integer(Changes::RecordId))
                    .col(timestamp_with_time_zone(Changes::At))
                    .col(text(Changes::Source))
                    .col(text(Changes::Op))
                    .col(big_integer_null(Changes::RunId))
                    .col(text_null(Changes::Detail))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_changes_connection")
                            .from(Changes::Table, Changes::ConnectionId)
                            .to(Connections::Table, Connections::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_changes_record")
                            .from(Changes::Table, Changes::RecordId)
                            .to(Records::Table, Records::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_changes_record")
                    .table(Changes::Table)
                    .col(Changes::RecordId)
                    .col(Changes::Seq)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Changes::Table).to_owned())
            .await?;
        for column in [
            RunsExport::Written,
            RunsExport::Refused,
            RunsExport::Conflicts,
            RunsExport::Uncertain,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Runs::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("ix_records_pending")
                    .table(Records::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            RecordsExport::RemoteVersion,
            RecordsExport::BaseVersion,
            RecordsExport::PendingPatch,
            RecordsExport::PendingState,
            RecordsExport::RemoteData,
            RecordsExport::ExportAttempt,
            RecordsExport::Revision,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Records::Table)
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
