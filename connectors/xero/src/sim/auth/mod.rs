//! OAuth2 as Xero's identity service does it: the consent screen at
//! `/identity/connect/authorize` (the sandbox consents at once, to every
//! organisation it serves), `POST /connect/token` with the
//! `authorization_code` (PKCE or client secret), `refresh_token` (rotation
//! with a 30-minute grace period, 60-day idle expiry) and
//! `client_credentials` (custom connections) grants, `POST
//! /connect/revocation`, bearer checks with expiry, and `GET`/`DELETE
//! /connections`. Times are read from a per-simulator [`SimClock`] tests
//! can move forward.

mod authorize;
mod connections;
mod grants;
mod jwt;
use tether_sim_kit::pkce;
mod revocation;
mod token;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use axum::http::{HeaderMap, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::RngCore as _;
use uuid::Uuid;

use super::dates::us_datetime;
use super::errors::unauthorized;
use super::generate::rng::{SimRng, stream};

pub(crate) use authorize::authorize;
pub(crate) use connections::{connections, delete_connection};
pub(crate) use grants::{Connection, Grant};
pub(crate) use revocation::revocation;
pub(crate) use tether_sim_kit::clock::SimClock;
pub(crate) use token::token;

use grants::{BearerError, Grants};

/// Scopes granted to a client-credentials token that asks for none.
const DEFAULT_SCOPE: &str =
    "accounting.transactions accounting.contacts accounting.settings accounting.attachments";

/// One organisation the simulator serves.
#[derive(Clone, Debug)]
pub(crate) struct Org {
    pub tenant_id: Uuid,
    pub name: String,
}

/// What a valid bearer token may reach.
#[derive(Clone, Debug)]
pub(crate) struct TokenInfo {
    /// Its grant (`authEventId`).
    pub grant: Uuid,
    /// The tenants its grant connects now.
    pub tenants: Vec<Uuid>,
}

/// The two registered apps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClientKind {
    /// The web app: authenticates with its secret (HTTP Basic or form).
    Web,
    /// The PKCE app: has no secret, must use PKCE.
    Pkce,
}

/// The app registrations and the fixed custom connection, from the config.
pub(crate) struct AuthSetup {
    pub seed: u64,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub pkce_client_id: Option<String>,
    pub ttl: Duration,
    pub redirect_uris: Vec<String>,
    pub orgs: Vec<Org>,
    /// The client-credentials grant: its `authEventId` and connection.
    pub custom: Grant,
}

/// Registrations, the clock and every grant and token.
pub(crate) struct Auth {
    pub client_id: String,
    pub client_secret: String,
    pub pkce_client_id: String,
    pub ttl: Duration,
    pub redirect_uris: Vec<String>,
    pub orgs: Vec<Org>,
    pub clock: SimClock,
    custom: Uuid,
    grants: Mutex<Grants>,
}

impl Auth {
    pub(crate) fn new(setup: AuthSetup) -> Self {
        let mut rng = SimRng::new(setup.seed, stream::AUTH, 0);
        let gen_id = rng.chars(32, b"0123456789ABCDEF");
        let gen_secret = rng.chars(
            48,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        );
        let gen_pkce = rng.chars(32, b"0123456789ABCDEF");
        let client_id = setup.client_id.unwrap_or(gen_id);
        let custom = Grant {
            client_id: client_id.clone(),
            ..setup.custom
        };
        let mut grants = Grants::default();
        let custom_id = custom.id;
        grants.insert(custom);
        Self {
            client_id,
            client_secret: setup.client_secret.unwrap_or(gen_secret),
            pkce_client_id: setup.pkce_client_id.unwrap_or(gen_pkce),
            ttl: setup.ttl,
            redirect_uris: setup.redirect_uris,
            orgs: setup.orgs,
            clock: SimClock::default(),
            custom: custom_id,
            grants: Mutex::new(grants),
        }
    }

    /// The grants, locked (a panicked holder leaves them usable).
    pub(crate) fn grants(&self) -> MutexGuard<'_, Grants> {
        self.grants.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The client-credentials grant's id.
    pub(crate) fn custom_grant(&self) -> Uuid {
        self.custom
    }

    /// Every access token issued so far is expired from now on.
    pub(crate) fn expire_access_tokens(&self) {
        let now = self.clock.now_ms();
        self.grants().expire_access(now);
    }

    /// Records and returns an opaque access token of `grant`, and its expiry.
    pub(crate) fn issue_opaque(&self, grant: Uuid) -> (String, i64) {
        let mut bytes = [0u8; 48];
        rand::rng().fill_bytes(&mut bytes);
        let token = URL_SAFE_NO_PAD.encode(bytes);
        let now = self.clock.now_ms();
        let expires_at_ms = now + self.ttl.as_millis() as i64;
        let mut g = self.grants();
        g.tidy(now);
        g.add_access(token.clone(), grant, expires_at_ms);
        (token, expires_at_ms)
    }

    /// The token of an `Authorization: Bearer` header, or the 401 to send.
    #[allow(clippy::result_large_err)]
    pub(crate) fn check_bearer(&self, headers: &HeaderMap) -> Result<TokenInfo, Response> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(|| unauthorized("AuthenticationUnsuccessful"))?;
        match self.grants().bearer(token, self.clock.now_ms()) {
            Ok((grant, tenants)) => Ok(TokenInfo { grant, tenants }),
            Err(BearerError::Unknown) => Err(unauthorized("AuthenticationUnsuccessful")),
            Err(BearerError::Expired(at)) => Err(unauthorized(&format!(
                "TokenExpired: token expired at {}",
                us_datetime(at)
            ))),
        }
    }

    /// The client of a token or revocation request: HTTP Basic, else the
    /// `client_id` (and `client_secret`) form fields. The web app must
    /// give its secret; the PKCE app has none to give.
    pub(crate) fn client(
        &self,
        headers: &HeaderMap,
        form: &HashMap<String, String>,
    ) -> Option<ClientKind> {
        let (id, secret) = client_of(headers, form)?;
        let secret = secret.filter(|s| !s.is_empty());
        if id == self.client_id && secret.as_deref() == Some(self.client_secret.as_str()) {
            Some(ClientKind::Web)
        } else if id == self.pkce_client_id && secret.is_none() {
            Some(ClientKind::Pkce)
        } else {
            None
        }
    }

    /// The registered client id of a kind.
    pub(crate) fn id_of(&self, kind: ClientKind) -> &str {
        match kind {
            ClientKind::Web => &self.client_id,
            ClientKind::Pkce => &self.pkce_client_id,
        }
    }
}

/// The credentials of a request: HTTP Basic, else form fields.
fn client_of(
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Option<(String, Option<String>)> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            s.split_once(':')
                .map(|(a, b)| (a.to_string(), Some(b.to_string())))
        });
    basic.or_else(|| {
        Some((
            form.get("client_id")?.clone(),
            form.get("client_secret").cloned(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn auth(seed: u64) -> Auth {
        let custom = Grant {
            id: Uuid::nil(),
            client_id: String::new(),
            scope: DEFAULT_SCOPE.into(),
            user_id: Uuid::nil(),
            session_id: Uuid::nil(),
            auth_ms: 0,
            connections: Vec::new(),
        };
        Auth::new(AuthSetup {
            seed,
            client_id: None,
            client_secret: None,
            pkce_client_id: None,
            ttl: Duration::from_secs(60),
            redirect_uris: Vec::new(),
            orgs: Vec::new(),
            custom,
        })
    }

    #[test]
    fn generated_credentials_are_deterministic_and_shaped() {
        let (a, b) = (auth(7), auth(7));
        assert_eq!(a.client_id, b.client_id);
        assert_eq!(a.client_secret, b.client_secret);
        assert_eq!(a.pkce_client_id, b.pkce_client_id);
        assert_eq!(a.client_id.len(), 32);
        assert!(a.client_id.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(a.client_secret.len(), 48);
        assert_ne!(a.client_id, a.pkce_client_id);
        assert_ne!(a.client_id, auth(8).client_id);
    }

    #[test]
    fn bearer_checks() {
        let a = auth(7);
        let (t, _) = a.issue_opaque(a.custom_grant());
        let mut h = HeaderMap::new();
        assert!(a.check_bearer(&h).is_err());
        h.insert(
            header::AUTHORIZATION,
            format!("Bearer {t}").parse().unwrap(),
        );
        assert!(a.check_bearer(&h).is_ok());
        a.expire_access_tokens();
        assert!(a.check_bearer(&h).is_err());
        h.insert(header::AUTHORIZATION, "Bearer nope".parse().unwrap());
        let r = a.check_bearer(&h).err().unwrap();
        assert_eq!(r.status(), axum::http::StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn clients_authenticate_by_basic_or_form() {
        let a = auth(7);
        let mut h = HeaderMap::new();
        let v = format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", a.client_id, a.client_secret))
        );
        h.insert(header::AUTHORIZATION, v.parse().unwrap());
        assert_eq!(a.client(&h, &HashMap::new()), Some(ClientKind::Web));
        let form = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let none = HeaderMap::new();
        let web_only_id = form(&[("client_id", &a.client_id)]);
        assert_eq!(
            a.client(&none, &web_only_id),
            None,
            "the web app needs its secret"
        );
        let pkce = form(&[("client_id", &a.pkce_client_id)]);
        assert_eq!(a.client(&none, &pkce), Some(ClientKind::Pkce));
        let pkce_secret = form(&[("client_id", &a.pkce_client_id), ("client_secret", "x")]);
        assert_eq!(a.client(&none, &pkce_secret), None);
    }
}
