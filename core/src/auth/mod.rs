//! How a connection gets an access token: one seam, [`TokenSource`], so the
//! sync path does not change when the authorization-code grant arrives next
//! to client credentials.

mod client_credentials;
mod oauth_http;

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::{Endpoints, Result, Secret};

pub use client_credentials::ClientCredentials;

/// Hands out bearer tokens, refreshing them before they expire.
#[async_trait]
pub trait TokenSource: Send + Sync {
    /// A token valid for a while yet.
    async fn token(&self) -> Result<Secret>;

    /// Forgets the current token after the provider refused it.
    async fn invalidate(&self);
}

/// A connection's grant, as sealed in the store. Tagged, so grants added later
/// read next to the ones stored today.
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
}

impl Grant {
    /// The token source for this grant against `endpoints`.
    pub fn token_source(
        &self,
        endpoints: &Endpoints,
        scopes: &[&str],
        http: reqwest::Client,
    ) -> Result<Arc<dyn TokenSource>> {
        match self {
            Grant::ClientCredentials {
                client_id,
                client_secret,
            } => Ok(Arc::new(ClientCredentials::new(
                client_id,
                client_secret,
                &endpoints.token,
                scopes,
                http,
            )?)),
        }
    }
}
