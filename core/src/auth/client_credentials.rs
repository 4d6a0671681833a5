//! The OAuth2 client-credentials grant, with a cached token refreshed a
//! minute before it expires; one refresh at a time.

use std::time::Duration;

use async_trait::async_trait;
use oauth2::basic::BasicClient;
use oauth2::{
    ClientId, ClientSecret, EndpointNotSet, EndpointSet, RequestTokenError, Scope, TokenResponse,
    TokenUrl,
};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::TokenSource;
use super::oauth_http::OAuthHttp;
use crate::{Error, ErrorKind, Result, Secret};

const REFRESH_MARGIN: Duration = Duration::from_secs(60);

type Client =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// See the module docs.
pub struct ClientCredentials {
    client: Client,
    scopes: Vec<Scope>,
    http: OAuthHttp,
    cached: Mutex<Option<(Secret, Instant)>>,
}

impl ClientCredentials {
    /// A source for this app's credentials at `token_url`.
    pub fn new(
        client_id: &str,
        client_secret: &Secret,
        token_url: &str,
        scopes: &[&str],
        http: reqwest::Client,
    ) -> Result<Self> {
        let token_url = TokenUrl::new(token_url.to_owned())
            .map_err(|e| Error::config(format!("token endpoint `{token_url}`: {e}")))?;
        let client = BasicClient::new(ClientId::new(client_id.to_owned()))
            .set_client_secret(ClientSecret::new(client_secret.expose().to_owned()))
            .set_token_uri(token_url);
        Ok(ClientCredentials {
            client,
            scopes: scopes.iter().map(|s| Scope::new((*s).to_owned())).collect(),
            http: OAuthHttp(http),
            cached: Mutex::new(None),
        })
    }

    async fn fetch(&self) -> Result<(Secret, Instant)> {
        let response = self
            .client
            .exchange_client_credentials()
            .add_scopes(self.scopes.iter().cloned())
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        let lifetime = response.expires_in().unwrap_or(Duration::from_secs(1800));
        let token = Secret::new(response.access_token().secret().clone());
        Ok((token, Instant::now() + lifetime))
    }
}

fn token_error(e: RequestTokenError<reqwest::Error, oauth2::basic::BasicErrorResponse>) -> Error {
    match e {
        RequestTokenError::ServerResponse(r) => Error::new(
            ErrorKind::Unauthorized,
            format!(
                "token endpoint refused the client credentials: {}",
                r.error()
            ),
        ),
        RequestTokenError::Request(e) => {
            let e = Error::from(e);
            Error::new(
                e.kind(),
                format!("getting an access token from {}", e.message()),
            )
        }
        RequestTokenError::Parse(e, _) => {
            Error::transient(format!("the token endpoint answered garbage: {e}"))
        }
        RequestTokenError::Other(e) => Error::new(ErrorKind::Unauthorized, e),
    }
}

#[async_trait]
impl TokenSource for ClientCredentials {
    async fn token(&self) -> Result<Secret> {
        let mut cached = self.cached.lock().await;
        if let Some((token, expires)) = cached.as_ref()
            && Instant::now() + REFRESH_MARGIN < *expires
        {
            return Ok(token.clone());
        }
        let mut delays = crate::http::RetryPolicy::default().backoff();
        let fresh = loop {
            match self.fetch().await {
                Ok(fresh) => break fresh,
                Err(e) if e.kind().is_temporary() => match delays.next() {
                    Some(delay) => tokio::time::sleep(delay).await,
                    None => return Err(e),
                },
                Err(e) => return Err(e),
            }
        };
        let token = fresh.0.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }
}
