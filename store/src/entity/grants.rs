//! `grants`: an app's credentials and a consent's tokens, shared by every
//! connection they reach.

use sea_orm::entity::prelude::*;

/// A grant row. Secrets are kept only as the vault's ciphertext.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "grants")]
pub struct Model {
    /// Row id, referenced by `connections.grant_id`.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The connector id.
    #[sea_orm(column_type = "Text")]
    pub provider: String,
    /// The sealed grant (client id and secret, refresh token).
    #[sea_orm(column_type = "Text")]
    pub sealed: String,
    /// The sealed current access token.
    #[sea_orm(column_type = "Text", nullable)]
    pub sealed_access: Option<String>,
    /// When the access token expires (our clock).
    pub access_expires_at: Option<DateTimeUtc>,
    /// Bumped by every save of new tokens.
    pub version: i64,
    /// Who claimed the running refresh.
    #[sea_orm(column_type = "Text", nullable)]
    pub refresh_holder: Option<String>,
    /// Until when that claim holds (database clock, epoch ms).
    pub refresh_until_ms: Option<i64>,
    /// `active`, `needs_reauth` or `revoked`.
    #[sea_orm(column_type = "Text")]
    pub status: String,
    /// The provider's words when it refused the grant.
    #[sea_orm(column_type = "Text", nullable)]
    pub status_reason: Option<String>,
    /// When tokens were last saved.
    pub refreshed_at: Option<DateTimeUtc>,
    /// When it was saved (our clock).
    pub created_at: DateTimeUtc,
    /// When it last changed (our clock).
    pub updated_at: DateTimeUtc,
}

/// Grants are referenced by connections, not the other way round.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
