//! Connections: one tenant reached through one saved grant.

use crate::auth::GrantId;
use crate::{RateLimitPolicy, Timestamp};

/// A connection's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ConnectionId(pub i64);

/// A connection to save: one tenant reached through one saved grant.
#[derive(Debug, Clone)]
pub struct NewConnection {
    /// The user's name for it, unique.
    pub name: String,
    /// The connector id.
    pub provider: String,
    /// The provider's tenant id.
    pub tenant_id: String,
    /// The tenant's display name.
    pub tenant_name: String,
    /// The provider's id for the grant's link to the tenant, if it has one.
    pub tenant_link: Option<String>,
    /// A base-URL override (a simulator), if any.
    pub base_url: Option<String>,
    /// The grant it authenticates with (shared by every tenant it reaches).
    pub grant: GrantId,
    /// Limits to keep instead of the connector's published ones.
    pub rate_limits: Option<RateLimitPolicy>,
}

/// Whether a connection can work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// It can.
    Active,
    /// Its grant was refused for good; `tether connect` again repairs it.
    NeedsReauth,
    /// A person disconnected it; its data is kept.
    Disconnected,
}

impl ConnectionStatus {
    /// The name shown.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Active => "active",
            ConnectionStatus::NeedsReauth => "needs_reauth",
            ConnectionStatus::Disconnected => "disconnected",
        }
    }
}

/// A saved connection.
#[derive(Debug, Clone)]
pub struct Connection {
    /// Row id.
    pub id: ConnectionId,
    /// The user's name for it.
    pub name: String,
    /// The connector id.
    pub provider: String,
    /// The provider's tenant id.
    pub tenant_id: String,
    /// The tenant's display name.
    pub tenant_name: String,
    /// The provider's id for the grant's link to the tenant, if it has one.
    pub tenant_link: Option<String>,
    /// A base-URL override, if any.
    pub base_url: Option<String>,
    /// Its grant.
    pub grant: GrantId,
    /// Whether it can work (its own state, or its grant's).
    pub status: ConnectionStatus,
    /// Why not, in the provider's words.
    pub status_reason: Option<String>,
    /// When its grant's access token expires.
    pub token_expires_at: Option<Timestamp>,
    /// Limits to keep instead of the connector's published ones.
    pub rate_limits: Option<RateLimitPolicy>,
    /// When it was first saved.
    pub created_at: Timestamp,
}
