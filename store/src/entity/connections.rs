//! `connections`: one authorised link to one tenant of a provider.

use sea_orm::entity::prelude::*;

/// A connection row. Credentials are kept only as the vault's ciphertext.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "connections")]
pub struct Model {
    /// Row id, referenced by every other table.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The user's name for it; unique, so saving under a name replaces.
    #[sea_orm(unique, column_type = "Text")]
    pub name: String,
    /// The connector id (`xero`).
    #[sea_orm(column_type = "Text")]
    pub provider: String,
    /// The provider's tenant id.
    #[sea_orm(column_type = "Text")]
    pub tenant_id: String,
    /// The tenant's display name.
    #[sea_orm(column_type = "Text")]
    pub tenant_name: String,
    /// A base-URL override (a simulator).
    #[sea_orm(column_type = "Text", nullable)]
    pub base_url: Option<String>,
    /// Ciphertext from `tether_core::Vault`; never plaintext.
    #[sea_orm(column_type = "Text")]
    pub sealed_credentials: String,
    /// `active`, or `needs_reauth` once a grant is refused.
    #[sea_orm(column_type = "Text")]
    pub status: String,
    /// A `RateLimitPolicy` as JSON, overriding the connector's published limits.
    #[sea_orm(column_type = "Text", nullable)]
    pub rate_limits: Option<String>,
    /// When it was first saved (our clock).
    pub created_at: DateTimeUtc,
    /// When it was last saved (our clock).
    pub updated_at: DateTimeUtc,
}

/// A connection owns the records, runs, sync states and quarantine of its tenant.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Its records.
    #[sea_orm(has_many = "super::records::Entity")]
    Records,
    /// Its runs.
    #[sea_orm(has_many = "super::runs::Entity")]
    Runs,
}

impl Related<super::records::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Records.def()
    }
}

impl Related<super::runs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Runs.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
