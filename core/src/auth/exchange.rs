//! The provider's token endpoint, through the `oauth2` crate and our HTTP
//! client: tokens for a grant (client credentials, or a refresh token that
//! rotates), the authorization code's exchange, and revocation. The one
//! place a token endpoint's refusal is classified: `invalid_grant` means the
//! grant is dead and a person must connect again.

use std::time::Duration;

use oauth2::basic::{BasicClient, BasicErrorResponse, BasicErrorResponseType};
use oauth2::{
    AuthorizationCode, ClientId, ClientSecret, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, TokenResponse, TokenUrl,
};

use super::Grant;
use super::oauth_http::OAuthHttp;
use crate::{Endpoints, Error, ErrorKind, Result, RevocationBody, Secret};

/// Access tokens that come without a lifetime are taken to last this long.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(1800);

/// What a token endpoint handed out.
pub(crate) struct Fresh {
    /// The access token.
    pub access: Secret,
    /// How long it lasts.
    pub lifetime: Duration,
    /// The refresh token to keep from now on, when one came.
    pub refresh: Option<Secret>,
}

/// The app's side of a token request.
pub(crate) struct TokenClient<'a> {
    pub endpoints: &'a Endpoints,
    pub scopes: &'a [&'a str],
    pub http: &'a OAuthHttp,
}

impl TokenClient<'_> {
    /// New tokens for `grant`: client credentials are exchanged again, a
    /// refresh token is spent (and usually rotated).
    pub async fn tokens(&self, grant: &Grant) -> Result<Fresh> {
        let token_url = token_url(self.endpoints)?;
        match grant {
            Grant::ClientCredentials {
                client_id,
                client_secret,
            } => {
                let client = BasicClient::new(ClientId::new(client_id.clone()))
                    .set_client_secret(ClientSecret::new(client_secret.expose().to_owned()))
                    .set_token_uri(token_url);
                let response = client
                    .exchange_client_credentials()
                    .add_scopes(self.scopes.iter().map(|s| Scope::new((*s).to_owned())))
                    .request_async(self.http)
                    .await
                    .map_err(|e| refused(e, "the client credentials"))?;
                Ok(fresh(&response))
            }
            Grant::AuthorizationCode {
                client_id,
                client_secret,
                refresh_token,
            } => {
                let mut client =
                    BasicClient::new(ClientId::new(client_id.clone())).set_token_uri(token_url);
                if let Some(secret) = client_secret {
                    client =
                        client.set_client_secret(ClientSecret::new(secret.expose().to_owned()));
                }
                let response = client
                    .exchange_refresh_token(&RefreshToken::new(refresh_token.expose().to_owned()))
                    .request_async(self.http)
                    .await
                    .map_err(|e| refused(e, "the refresh token"))?;
                Ok(fresh(&response))
            }
        }
    }

    /// Exchanges an authorization code (with its PKCE verifier) for the
    /// grant's first tokens.
    pub async fn exchange_code(
        &self,
        client_id: &str,
        client_secret: Option<&Secret>,
        redirect_uri: &str,
        code: &str,
        verifier: &str,
    ) -> Result<Fresh> {
        let redirect = RedirectUrl::new(redirect_uri.to_owned())
            .map_err(|e| Error::config(format!("redirect URI `{redirect_uri}`: {e}")))?;
        let mut client = BasicClient::new(ClientId::new(client_id.to_owned()))
            .set_token_uri(token_url(self.endpoints)?)
            .set_redirect_uri(redirect);
        if let Some(secret) = client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.expose().to_owned()));
        }
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
            .request_async(self.http)
            .await
            .map_err(|e| refused(e, "the authorization code"))?;
        Ok(fresh(&response))
    }

    /// Revokes a refresh token (RFC 7009): the provider forgets the grant.
    /// A POST with the app's client authentication, in the body the
    /// provider reads, sent by hand: the `oauth2` crate refuses a revocation
    /// endpoint that is not HTTPS, and a sandbox on loopback is plain HTTP.
    pub async fn revoke(&self, grant: &Grant) -> Result<()> {
        let Grant::AuthorizationCode {
            client_id,
            client_secret,
            refresh_token,
        } = grant
        else {
            return Ok(());
        };
        let Some(revoke) = &self.endpoints.revoke else {
            return Ok(());
        };
        let mut form = vec![
            ("token", refresh_token.expose()),
            ("token_type_hint", "refresh_token"),
        ];
        let mut request = self.http.0.post(&revoke.url);
        match client_secret {
            // RFC 6749 §2.3.1: both form-encoded before Basic encodes them.
            Some(secret) => {
                request = request
                    .basic_auth(form_encoded(client_id), Some(form_encoded(secret.expose())));
            }
            None => form.push(("client_id", client_id)),
        }
        let request = match revoke.body {
            RevocationBody::Form => request.form(&form),
            RevocationBody::Json => request
                .header(reqwest::header::ACCEPT, "application/json")
                .json(&serde_json::json!({ "token": refresh_token.expose() })),
        };
        let response = request.send().await.map_err(Error::from)?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let said = response
            .json::<serde_json::Value>()
            .await
            .ok()
            .and_then(|body| {
                body.get("error")
                    .and_then(|e| e.as_str())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| status.to_string());
        let kind = if status.is_server_error() {
            ErrorKind::Transient
        } else {
            ErrorKind::Permanent
        };
        Err(Error::new(
            kind,
            format!("the provider refused to revoke the grant: {said}"),
        ))
    }
}

fn form_encoded(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn token_url(endpoints: &Endpoints) -> Result<TokenUrl> {
    TokenUrl::new(endpoints.token.clone())
        .map_err(|e| Error::config(format!("token endpoint `{}`: {e}", endpoints.token)))
}

fn fresh(response: &impl TokenResponse) -> Fresh {
    Fresh {
        access: Secret::new(response.access_token().secret().clone()),
        lifetime: response.expires_in().unwrap_or(DEFAULT_LIFETIME),
        refresh: response
            .refresh_token()
            .map(|r| Secret::new(r.secret().clone())),
    }
}

/// Classifies a token endpoint's failure; `what` is what was presented.
fn refused(e: RequestTokenError<reqwest::Error, BasicErrorResponse>, what: &str) -> Error {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let said = match r.error_description() {
                Some(description) => format!("{} ({description})", r.error()),
                None => r.error().to_string(),
            };
            let kind = match r.error() {
                BasicErrorResponseType::InvalidGrant => ErrorKind::NeedsReauth,
                _ => ErrorKind::Unauthorized,
            };
            Error::new(kind, format!("the token endpoint refused {what}: {said}"))
        }
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
