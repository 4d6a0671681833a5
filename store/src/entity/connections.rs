//! `connections`: one authorised link to one tenant of a provider.

use sea_orm::entity::prelude::*;

/// A connection row; its credentials are its grant's.
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
    /// `active`, or `disconnected` by a person (a grant's refusal is the
    /// grant's status).
    #[sea_orm(column_type = "Text")]
    pub status: String,
    /// A `RateLimitPolicy` as JSON, overriding the connector's published limits.
    #[sea_orm(column_type = "Text", nullable)]
    pub rate_limits: Option<String>,
    /// When it was first saved (our clock).
    pub created_at: DateTimeUtc,
    /// When it was last saved (our clock).
    pub updated_at: DateTimeUtc,
    /// Its grant (`grants.id`).
    pub grant_id: Option<i64>,
    /// The provider's id for the grant's link to the tenant.
    #[sea_orm(column_type = "Text", nullable)]
    pub tenant_link: Option<String>,
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
