//! An OAuth2 server as providers run them: app registrations (a web app
//! with a secret, a PKCE app without), a consent screen that consents at
//! once, a token endpoint (authorization code with PKCE, refresh with
//! rotation, optionally client credentials), revocation, an optional
//! OpenID discovery document, and bearer checks with expiry. What differs
//! between providers is an [`OAuthProfile`] and a [`TokenMinter`]; the
//! words of every refusal are the provider's [`ErrorBody`]. Times are read
//! from a per-simulator [`SimClock`] tests can move forward.

mod authorize;
mod discovery;
mod form;
mod grants;
mod profile;
mod revoke;
mod token;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use axum::http::{HeaderMap, header};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::RngCore as _;
use uuid::Uuid;

use crate::clock::SimClock;
use crate::errors::ErrorBody;
use crate::faults::Faults;
use crate::rng::{SimRng, stream};
use crate::stats::Stats;
use crate::tenant::TenantId;

pub use authorize::{authorize, encode};
pub use discovery::discovery;
pub use grants::{BearerRefusal, Connection, Grant, Grants, Redeemed, Revoked};
pub use profile::{ConsentTenants, OAuthPaths, OAuthProfile, RevokeBody, TokenMinter};
pub use revoke::revoke;
pub use token::token;

/// What the OAuth endpoints need from a simulator's shared state; the
/// handlers ([`authorize`], [`token`], [`revoke`], [`discovery`]) take
/// `State<Arc<S>>` for any `S` implementing it.
pub trait OAuthHost: Send + Sync + 'static {
    /// The provider's tenant id.
    type Tenant: TenantId;
    /// The OAuth state.
    fn auth(&self) -> &Auth<Self::Tenant>;
    /// The counters (codes issued, refreshes, revocations, ...).
    fn stats(&self) -> &Stats;
    /// The faults (`lose_token_answers`).
    fn faults(&self) -> &Faults;
    /// The provider's error bodies.
    fn errors(&self) -> &dyn ErrorBody;
}

/// One tenant the simulator serves, as a consent sees it.
#[derive(Clone, Debug)]
pub struct Org<K> {
    /// Its id.
    pub tenant_id: K,
    /// Its name.
    pub name: String,
}

/// What a valid bearer token may reach.
#[derive(Clone, Debug)]
pub struct TokenInfo<K> {
    /// Its grant.
    pub grant: Uuid,
    /// The tenants its grant connects now.
    pub tenants: Vec<K>,
}

/// The two registered apps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientKind {
    /// The web app: authenticates with its secret (HTTP Basic or form).
    Web,
    /// The PKCE app: has no secret, must use PKCE.
    Pkce,
}

/// The app registrations, the tenants and the provider's facts.
pub struct AuthSetup<K> {
    /// Seed of the generated credentials.
    pub seed: u64,
    /// The web app's client id; generated from the seed when `None`.
    pub client_id: Option<String>,
    /// The web app's secret; generated from the seed when `None`.
    pub client_secret: Option<String>,
    /// The PKCE app's client id; generated from the seed when `None`.
    pub pkce_client_id: Option<String>,
    /// Lifetime of an access token.
    pub ttl: Duration,
    /// Redirect URIs registered for both apps; empty accepts any loopback URI.
    pub redirect_uris: Vec<String>,
    /// The tenants a consent can connect, the first first.
    pub orgs: Vec<Org<K>>,
    /// The client-credentials grant (its client id is set to the web
    /// app's), when the provider has one.
    pub custom: Option<Grant<K>>,
    /// The provider's OAuth facts.
    pub profile: &'static OAuthProfile,
    /// How the provider's tokens look.
    pub minter: Box<dyn TokenMinter<K>>,
}

/// Registrations, the clock and every grant and token of one simulator.
pub struct Auth<K> {
    /// The web app's client id.
    pub client_id: String,
    /// The web app's secret.
    pub client_secret: String,
    /// The PKCE app's client id.
    pub pkce_client_id: String,
    /// Lifetime of an access token.
    pub ttl: Duration,
    /// Registered redirect URIs (empty: any loopback URI).
    pub redirect_uris: Vec<String>,
    /// The tenants a consent can connect.
    pub orgs: Vec<Org<K>>,
    /// The clock every rule reads.
    pub clock: SimClock,
    /// The provider's OAuth facts.
    pub profile: &'static OAuthProfile,
    minter: Box<dyn TokenMinter<K>>,
    custom: Option<Uuid>,
    grants: Mutex<Grants<K>>,
    /// Consents per client since every tenant was granted to it.
    rounds: Mutex<HashMap<String, usize>>,
}

impl<K: TenantId> Auth<K> {
    /// Registers the apps; generated credentials are drawn from the seed's
    /// auth stream in a fixed order (id, secret, PKCE id).
    pub fn new(setup: AuthSetup<K>) -> Self {
        let mut rng = SimRng::new(setup.seed, stream::AUTH, 0);
        let gen_id = rng.chars(32, b"0123456789ABCDEF");
        let gen_secret = rng.chars(
            48,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        );
        let gen_pkce = rng.chars(32, b"0123456789ABCDEF");
        let client_id = setup.client_id.unwrap_or(gen_id);
        let mut grants = Grants::new(setup.profile);
        let custom = setup.custom.map(|g| {
            let id = g.id;
            grants.insert(Grant {
                client_id: client_id.clone(),
                ..g
            });
            id
        });
        Self {
            client_id,
            client_secret: setup.client_secret.unwrap_or(gen_secret),
            pkce_client_id: setup.pkce_client_id.unwrap_or(gen_pkce),
            ttl: setup.ttl,
            redirect_uris: setup.redirect_uris,
            orgs: setup.orgs,
            clock: SimClock::default(),
            profile: setup.profile,
            minter: setup.minter,
            custom,
            grants: Mutex::new(grants),
            rounds: Mutex::new(HashMap::new()),
        }
    }

    /// The grants, locked (a panicked holder leaves them usable).
    pub fn grants(&self) -> MutexGuard<'_, Grants<K>> {
        self.grants.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The tenant a consent of `client_id` connects under
    /// [`ConsentTenants::NextUngranted`]: the first not yet granted to it,
    /// else the next in a round over all of them.
    pub fn next_ungranted(&self, client_id: &str) -> Option<&Org<K>> {
        let live = self.grants().tenants_of_client(client_id, self.custom);
        if let Some(o) = self.orgs.iter().find(|o| !live.contains(&o.tenant_id)) {
            return Some(o);
        }
        if self.orgs.is_empty() {
            return None;
        }
        let mut rounds = self.rounds.lock().unwrap_or_else(|e| e.into_inner());
        let n = rounds.entry(client_id.to_string()).or_default();
        *n += 1;
        self.orgs.get((*n - 1) % self.orgs.len())
    }

    /// The client-credentials grant's id, if the provider has one.
    pub fn custom_grant(&self) -> Option<Uuid> {
        self.custom
    }

    /// Every access token issued so far is expired from now on.
    pub fn expire_access_tokens(&self) {
        let now = self.clock.now_ms();
        self.grants().expire_access(now);
    }

    /// Records and returns an opaque access token of `grant`, and its expiry.
    pub fn issue_opaque(&self, grant: Uuid) -> (String, i64) {
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

    /// The grant and tenants of an `Authorization: Bearer` header, or why not.
    pub fn check_bearer(&self, headers: &HeaderMap) -> Result<TokenInfo<K>, BearerRefusal> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or(BearerRefusal::Missing)?;
        let (grant, tenants) = self.grants().bearer(token, self.clock.now_ms())?;
        Ok(TokenInfo { grant, tenants })
    }

    /// The client of a token or revocation request: HTTP Basic, else the
    /// `client_id` (and `client_secret`) form fields. The web app must
    /// give its secret; the PKCE app has none to give.
    pub fn client(
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
    pub fn id_of(&self, kind: ClientKind) -> &str {
        match kind {
            ClientKind::Web => &self.client_id,
            ClientKind::Pkce => &self.pkce_client_id,
        }
    }

    /// Whether `uri` is registered: exactly one of the configured URIs, or
    /// with none configured any loopback URI (RFC 8252: `http://127.0.0.1`,
    /// `http://localhost` or `http://[::1]`, any port, any path).
    pub fn redirect_allowed(&self, uri: &str) -> bool {
        if !self.redirect_uris.is_empty() {
            return self.redirect_uris.iter().any(|u| u == uri);
        }
        let Ok(url) = url::Url::parse(uri) else {
            return false;
        };
        matches!(url.scheme(), "http" | "https")
            && url.fragment().is_none()
            && matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
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
pub(crate) mod tests;
