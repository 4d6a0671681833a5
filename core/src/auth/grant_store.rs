//! Where grants live between processes. A grant (the app's credentials and,
//! for the authorization-code grant, the refresh token) is shared by every
//! connection it reaches and by every process working for them; so is its
//! current access token. The store is the one place all of them agree on it:
//! a refresh is claimed before it is made, and its result is saved by
//! compare-and-swap on the grant's version before the new token is used.

use std::time::Duration;

use async_trait::async_trait;

use crate::{Result, Timestamp};

/// A grant's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct GrantId(pub i64);

impl std::fmt::Display for GrantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Whether a grant still gets tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantStatus {
    /// It does.
    Active,
    /// The provider refused it for good (`invalid_grant`: revoked, expired,
    /// rotated past its grace); a person connects again.
    NeedsReauth,
    /// We revoked it ourselves (`tether disconnect`).
    Revoked,
}

impl GrantStatus {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            GrantStatus::Active => "active",
            GrantStatus::NeedsReauth => "needs_reauth",
            GrantStatus::Revoked => "revoked",
        }
    }

    /// Reads a stored name; anything unknown is treated as needing a person.
    pub fn parse(name: &str) -> GrantStatus {
        match name {
            "active" => GrantStatus::Active,
            "revoked" => GrantStatus::Revoked,
            _ => GrantStatus::NeedsReauth,
        }
    }
}

/// A grant as stored: everything secret is the vault's ciphertext.
#[derive(Debug, Clone)]
pub struct StoredGrant {
    /// Row id.
    pub id: GrantId,
    /// The connector id.
    pub provider: String,
    /// The sealed [`super::Grant`].
    pub sealed: String,
    /// The current access token, sealed, and when it expires (our clock).
    pub access: Option<(String, Timestamp)>,
    /// Bumped by every save of new tokens: the compare-and-swap's witness.
    pub version: i64,
    /// Whether it still gets tokens, and why not.
    pub status: GrantStatus,
    /// The provider's words when it refused the grant.
    pub status_reason: Option<String>,
    /// When tokens were last saved.
    pub refreshed_at: Option<Timestamp>,
    /// Who holds the claim to refresh it, if anyone (it may have lapsed).
    pub claimed_by: Option<String>,
}

/// Tokens a refresh brought, sealed, to be saved together.
#[derive(Debug, Clone)]
pub struct NewTokens {
    /// The grant with its rotated refresh token, sealed.
    pub sealed_grant: String,
    /// The new access token, sealed.
    pub sealed_access: String,
    /// When the access token expires (our clock).
    pub expires_at: Timestamp,
}

/// The grants' side of the store.
#[async_trait]
pub trait GrantStore: Send + Sync {
    /// Saves a new grant; returns its id.
    async fn insert_grant(&self, provider: &str, tokens: &NewTokens) -> Result<GrantId>;

    /// Reads a grant.
    async fn grant(&self, id: GrantId) -> Result<StoredGrant>;

    /// Claims the right to refresh the grant at `version` for `ttl`, unless
    /// another holder's claim is still running or the grant moved on.
    /// Returns whether the claim is `holder`'s.
    async fn claim_refresh(
        &self,
        id: GrantId,
        version: i64,
        holder: &str,
        ttl: Duration,
    ) -> Result<bool>;

    /// Saves a refresh's tokens if the grant is still at `version` and
    /// claimed by `holder`, bumping the version and ending the claim.
    /// Returns whether they were saved.
    async fn save_tokens(
        &self,
        id: GrantId,
        version: i64,
        holder: &str,
        tokens: &NewTokens,
    ) -> Result<bool>;

    /// Ends `holder`'s claim without saving (the refresh failed).
    async fn release_refresh(&self, id: GrantId, holder: &str) -> Result<()>;

    /// Records that the grant no longer gets tokens, and why.
    async fn set_grant_status(
        &self,
        id: GrantId,
        status: GrantStatus,
        reason: Option<&str>,
    ) -> Result<()>;

    /// The tenants' call budget kept in this store, when it keeps one:
    /// every session opened over it, in every process, then spends one
    /// shared budget per tenant instead of one each.
    fn call_budget(&self) -> Option<std::sync::Arc<dyn crate::http::CallBudget>> {
        None
    }
}
