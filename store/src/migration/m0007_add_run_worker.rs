//! `runs.worker`: the process that ran each run, for history and for the
//! worker pool that comes later.

use sea_orm_migration::{prelude::*, schema::*};

use super::m0002_create_runs::Runs;

/// Adds `runs.worker`.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The new column.
#[derive(DeriveIden)]
enum RunsWorker {
    Worker,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Runs::Table)
                    .add_column(text_null(RunsWorker::Worker))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Runs::Table)
                    .drop_column(RunsWorker::Worker)
                    .to_owned(),
            )
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
