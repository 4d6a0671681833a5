//! How a connection gets an access token: one seam, [`TokenSource`], under
//! the HTTP stack, so the sync, export and resync paths never see a grant.
//!
//! A grant is the app's credentials plus, for the authorization-code grant,
//! the refresh token a person's consent produced ([`authorize`]). Grants are
//! kept sealed in the store and shared there ([`GrantStore`]): every
//! connection a grant reaches, in every process, uses the same saved access
//! token, and one of them at a time refreshes it ([`StoredTokens`]).

pub mod authorize;
mod exchange;
mod grant_store;
pub mod loopback;
mod oauth_http;
mod stored;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::{Result, Secret};

pub(crate) use exchange::TokenClient;
pub use grant_store::{GrantId, GrantStatus, GrantStore, NewTokens, StoredGrant};
pub(crate) use oauth_http::OAuthHttp;
pub use stored::StoredTokens;

/// Hands out bearer tokens, refreshing them before they expire.
#[async_trait]
pub trait TokenSource: Send + Sync {
    /// A token valid for a while yet.
    async fn token(&self) -> Result<Secret>;

    /// Forgets the current token after the provider refused it.
    async fn invalidate(&self);
}

/// A grant, as sealed in the store. Tagged, so grants added later read next
/// to the ones stored today.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "grant", rename_all = "snake_case")]
pub enum Grant {
    /// OAuth2 client credentials (Xero custom connections).
    ClientCredentials {
        /// The app's client id.
        client_id: String,
        /// The app's client secret.
        client_secret: Secret,
    },
    /// OAuth2 authorization code: a person consented, and the refresh token
    /// keeps the grant alive (rotated on every use by Xero and QuickBooks).
    AuthorizationCode {
        /// The app's client id.
        client_id: String,
        /// The app's client secret; `None` for a public (PKCE-only) app.
        client_secret: Option<Secret>,
        /// The refresh token to spend next.
        refresh_token: Secret,
    },
}

impl Grant {
    /// The grant after a refresh that handed out `refresh` (the rotated
    /// refresh token, when the provider rotates).
    pub fn rotated(&self, refresh: Option<Secret>) -> Grant {
        match (self, refresh) {
            (
                Grant::AuthorizationCode {
                    client_id,
                    client_secret,
                    ..
                },
                Some(refresh_token),
            ) => Grant::AuthorizationCode {
                client_id: client_id.clone(),
                client_secret: client_secret.clone(),
                refresh_token,
            },
            (grant, _) => grant.clone(),
        }
    }

    /// The app's client id.
    pub fn client_id(&self) -> &str {
        match self {
            Grant::ClientCredentials { client_id, .. }
            | Grant::AuthorizationCode { client_id, .. } => client_id,
        }
    }
}
