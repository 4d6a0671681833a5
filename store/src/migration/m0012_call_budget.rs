//! The tenants' call budget, shared by every process: `budget_calls` logs
//! each call of a budget key (in flight until it ends, then counting in the
//! sliding window until the window has passed, then pruned), and
//! `budget_days` keeps what each key spent of each UTC day and the lowest
//! daily budget the provider reported.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates `budget_calls` and `budget_days`.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// `budget_calls`' identifiers.
#[derive(DeriveIden)]
pub enum BudgetCalls {
    Table,
    Id,
    BudgetKey,
    StartedMs,
    EndedMs,
    ExpiresMs,
}

/// `budget_days`' identifiers.
#[derive(DeriveIden)]
pub enum BudgetDays {
    Table,
    BudgetKey,
    Day,
    Spent,
    Cap,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Times are epoch milliseconds of the database's clock, as leases';
        // `day` is the UTC day number (epoch milliseconds / 86,400,000).
        manager
            .create_table(
                Table::create()
                    .table(BudgetCalls::Table)
                    .if_not_exists()
                    .col(big_pk_auto(BudgetCalls::Id))
                    .col(text(BudgetCalls::BudgetKey))
                    .col(big_integer(BudgetCalls::StartedMs))
                    .col(big_integer_null(BudgetCalls::EndedMs))
                    .col(big_integer(BudgetCalls::ExpiresMs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_budget_calls_key_ended")
                    .table(BudgetCalls::Table)
                    .col(BudgetCalls::BudgetKey)
                    .col(BudgetCalls::EndedMs)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BudgetDays::Table)
                    .if_not_exists()
                    .col(text(BudgetDays::BudgetKey))
                    .col(big_integer(BudgetDays::Day))
                    .col(big_integer(BudgetDays::Spent).default(0))
                    .col(big_integer_null(BudgetDays::Cap))
                    .primary_key(
                        Index::create()
                            .col(BudgetDays::BudgetKey)
                            .col(BudgetDays::Day),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BudgetDays::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(BudgetCalls::Table).to_owned())
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
