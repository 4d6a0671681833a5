//! The authorization-code grant with PKCE (RFC 7636), as a native app runs
//! it: an authorize URL for a person's browser, a redirect to a loopback
//! address of ours ([`super::loopback`]), its `state` checked, its code
//! exchanged for the grant's first tokens.

use std::collections::BTreeMap;
use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};

use super::{Grant, OAuthHttp, TokenClient};
use crate::{Endpoints, Error, ErrorKind, Result, Secret};

/// The app registered with the provider.
#[derive(Debug, Clone)]
pub struct App {
    /// Its client id.
    pub client_id: String,
    /// Its client secret; `None` for a public app (PKCE alone).
    pub client_secret: Option<Secret>,
}

/// The query of the redirect that ends a consent (`code`, `state`, and what
/// a provider adds, such as QuickBooks' `realmId`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Redirect(pub BTreeMap<String, String>);

/// The code and `state` are credentials until spent: `Debug` names them only.
impl std::fmt::Debug for Redirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in &self.0 {
            match name.as_str() {
                "code" | "state" => map.entry(name, &"***"),
                _ => map.entry(name, value),
            };
        }
        map.finish()
    }
}

impl Redirect {
    /// One parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// An authorization in progress: what to show the person, and what the
/// redirect must carry back.
pub struct Authorization {
    /// The URL to open in a browser.
    pub url: String,
    /// Where the provider sends the browser back to.
    pub redirect_uri: String,
    app: App,
    state: CsrfToken,
    verifier: String,
}

/// A finished consent: the grant, its first access token, and the redirect
/// (from which some providers' tenants are read).
pub struct Authorized {
    /// The grant to keep.
    pub grant: Grant,
    /// Its first access token.
    pub access: Secret,
    /// How long that token lasts.
    pub lifetime: Duration,
    /// The redirect's parameters.
    pub redirect: Redirect,
}

impl std::fmt::Debug for Authorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorization")
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

impl Authorization {
    /// Starts one: a fresh `state` and PKCE verifier, and the authorize URL
    /// asking for `scopes` with the redirect to `redirect_uri`.
    pub fn begin(
        endpoints: &Endpoints,
        scopes: &[&str],
        app: App,
        redirect_uri: &str,
    ) -> Result<Authorization> {
        let auth_url = AuthUrl::new(endpoints.authorize.clone()).map_err(|e| {
            Error::config(format!("authorize endpoint `{}`: {e}", endpoints.authorize))
        })?;
        let redirect = RedirectUrl::new(redirect_uri.to_owned())
            .map_err(|e| Error::config(format!("redirect URI `{redirect_uri}`: {e}")))?;
        let client = BasicClient::new(ClientId::new(app.client_id.clone()))
            .set_auth_uri(auth_url)
            .set_redirect_uri(redirect);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(scopes.iter().map(|s| Scope::new((*s).to_owned())))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Authorization {
            url: url.to_string(),
            redirect_uri: redirect_uri.to_owned(),
            app,
            state,
            verifier: verifier.secret().clone(),
        })
    }

    /// Checks the redirect (the provider's error, then `state`) and
    /// exchanges its code for the grant's first tokens.
    pub async fn finish(self, redirect: Redirect, endpoints: &Endpoints) -> Result<Authorized> {
        if let Some(error) = redirect.get("error") {
            let description = redirect.get("error_description").unwrap_or("");
            return Err(Error::new(
                ErrorKind::Unauthorized,
                format!("the provider did not grant access: {error} {description}")
                    .trim_end()
                    .to_owned(),
            ));
        }
        if redirect.get("state") != Some(self.state.secret().as_str()) {
            return Err(Error::new(
                ErrorKind::Unauthorized,
                "the redirect's `state` is not the one this authorization sent; \
                 it was not started here, so it is refused",
            ));
        }
        let code = redirect.get("code").ok_or_else(|| {
            Error::new(
                ErrorKind::Unauthorized,
                "the redirect carries no authorization code",
            )
        })?;
        let http = OAuthHttp::new()?;
        let client = TokenClient {
            endpoints,
            scopes: &[],
            http: &http,
        };
        let fresh = client
            .exchange_code(
                &self.app.client_id,
                self.app.client_secret.as_ref(),
                &self.redirect_uri,
                code,
                &self.verifier,
            )
            .await?;
        let refresh_token = fresh.refresh.ok_or_else(|| {
            Error::new(
                ErrorKind::Unauthorized,
                "the provider granted no refresh token (was `offline_access` asked for?)",
            )
        })?;
        Ok(Authorized {
            grant: Grant::AuthorizationCode {
                client_id: self.app.client_id,
                client_secret: self.app.client_secret,
                refresh_token,
            },
            access: fresh.access,
            lifetime: fresh.lifetime,
            redirect,
        })
    }
}
