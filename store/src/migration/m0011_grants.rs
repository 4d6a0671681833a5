//! Grants get a table of their own, shared by the connections they reach:
//! one consent can cover several tenants, and its rotating refresh token and
//! current access token must be one value for all of them, in every process.
//! Each connection's sealed credentials move into a grant row of its own;
//! `connections` keeps a reference, and the provider's id for its link to
//! the tenant.

use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::{prelude::*, schema::*};

use super::m0001_create_connections::Connections;

/// Creates `grants`, moves the credentials, drops `sealed_credentials`.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// The table's identifiers.
#[derive(DeriveIden)]
pub enum Grants {
    Table,
    Id,
    Provider,
    Sealed,
    SealedAccess,
    AccessExpiresAt,
    Version,
    RefreshHolder,
    RefreshUntilMs,
    Status,
    StatusReason,
    RefreshedAt,
    CreatedAt,
    UpdatedAt,
}

/// The connections' new columns.
#[derive(DeriveIden)]
enum Linked {
    GrantId,
    TenantLink,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Grants::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Grants::Id))
                    .col(text(Grants::Provider))
                    .col(text(Grants::Sealed))
                    .col(text_null(Grants::SealedAccess))
                    .col(timestamp_with_time_zone_null(Grants::AccessExpiresAt))
                    .col(big_integer(Grants::Version).default(0))
                    .col(text_null(Grants::RefreshHolder))
                    // Epoch milliseconds of the database's clock, as leases.
                    .col(big_integer_null(Grants::RefreshUntilMs))
                    .col(text(Grants::Status).default("active"))
                    .col(text_null(Grants::StatusReason))
                    .col(timestamp_with_time_zone_null(Grants::RefreshedAt))
                    .col(timestamp_with_time_zone(Grants::CreatedAt))
                    .col(timestamp_with_time_zone(Grants::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        for column in [
            big_integer_null(Linked::GrantId),
            text_null(Linked::TenantLink),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Connections::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        // One grant per existing connection, matched back by a temporary
        // provider tag carrying the connection's id.
        db.execute_raw(Statement::from_string(
            backend,
            "INSERT INTO grants (provider, sealed, status, version, created_at, updated_at) \
             SELECT 'migrating:' || CAST(id AS TEXT), sealed_credentials, \
                    CASE WHEN status = 'active' THEN 'active' ELSE 'needs_reauth' END, \
                    0, created_at, updated_at \
             FROM connections",
        ))
        .await?;
        db.execute_raw(Statement::from_string(
            backend,
            "UPDATE connections SET grant_id = \
               (SELECT g.id FROM grants g WHERE g.provider = 'migrating:' || CAST(connections.id AS TEXT)), \
             status = CASE WHEN status = 'disconnected' THEN 'disconnected' ELSE 'active' END",
        ))
        .await?;
        db.execute_raw(Statement::from_string(
            backend,
            "UPDATE grants SET provider = \
               (SELECT c.provider FROM connections c WHERE c.grant_id = grants.id) \
             WHERE provider LIKE 'migrating:%'",
        ))
        .await?;
        db.execute_raw(Statement::from_string(
            backend,
            "ALTER TABLE connections DROP COLUMN sealed_credentials",
        ))
        .await?;
        Ok(())
    }

    /// Folds each connection's grant back into it (grants shared by
    /// several connections are copied to each).
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        for sql in [
            "ALTER TABLE connections ADD COLUMN sealed_credentials TEXT NOT NULL DEFAULT ''",
            "UPDATE connections SET sealed_credentials = \
               COALESCE((SELECT g.sealed FROM grants g WHERE g.id = connections.grant_id), '')",
            "ALTER TABLE connections DROP COLUMN grant_id",
            "ALTER TABLE connections DROP COLUMN tenant_link",
        ] {
            db.execute_raw(Statement::from_string(backend, sql)).await?;
        }
        manager
            .drop_table(Table::drop().table(Grants::Table).to_owned())
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
