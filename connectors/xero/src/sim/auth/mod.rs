//! OAuth2 as Xero's identity service does it, on the kit's OAuth server:
//! the consent screen at `/identity/connect/authorize` (the sandbox
//! consents at once, to every organisation it serves), `POST
//! /connect/token` with the `authorization_code` (PKCE or client secret),
//! `refresh_token` (rotation with a 30-minute grace period, 60-day idle
//! expiry) and `client_credentials` (custom connections) grants, `POST
//! /connect/revocation` (a form), bearer checks with expiry. Xero keeps
//! here what is Xero's: the profile's numbers, its scopes, its JWTs and
//! `GET`/`DELETE /connections`.

mod connections;
mod jwt;
mod scopes;

use std::time::Duration;

use rand::RngCore as _;
use tether_sim_kit::auth::{
    self as kit, ConsentTenants, OAuthPaths, OAuthProfile, RevokeBody, TokenMinter,
};
use uuid::Uuid;

pub(crate) use connections::{connections, delete_connection};
pub(crate) use scopes::DEFAULT_SCOPE;

/// The kit's OAuth state, keyed by organisation id.
pub(crate) type Auth = kit::Auth<Uuid>;
/// What builds an [`Auth`].
pub(crate) type AuthSetup = kit::AuthSetup<Uuid>;
/// One authorization event (`authEventId`).
pub(crate) type Grant = kit::Grant<Uuid>;
/// One organisation connected to a grant.
pub(crate) type Connection = kit::Connection<Uuid>;
/// One organisation the simulator serves.
pub(crate) type Org = kit::Org<Uuid>;

/// Xero's OAuth2 facts (identity service docs, late 2026).
pub(crate) static XERO_OAUTH: OAuthProfile = OAuthProfile {
    paths: OAuthPaths {
        authorize: "/identity/connect/authorize",
        token: "/connect/token",
        revoke: "/connect/revocation",
    },
    discovery_path: None,
    issuer: "https://identity.xero.com",
    // Codes are redeemable 5 minutes.
    code_ttl: Duration::from_secs(5 * 60),
    // A rotated refresh token stays usable 30 minutes after its first use.
    refresh_grace: Duration::from_secs(30 * 60),
    // An unused refresh token expires after 60 days.
    refresh_idle: Duration::from_secs(60 * 86_400),
    refresh_scope: Some("offline_access"),
    refresh_expiry_field: None,
    json_type: super::errors::JSON_TYPE,
    token_type: "Bearer",
    answer_scope: true,
    client_credentials: Some(DEFAULT_SCOPE),
    consent: ConsentTenants::All,
    tenant_param: None,
    redirect_scope: true,
    redirect_session_state: true,
    revoke_body: RevokeBody::Form,
    scope_known: scopes::known_scope,
};

/// Xero's tokens: JWTs with its claims (unsigned), refresh tokens of 64
/// hex digits.
pub(crate) struct XeroMinter;

impl TokenMinter<Uuid> for XeroMinter {
    fn access_token(&self, grant: &Grant, now_s: i64, exp_s: i64) -> String {
        jwt::access_token(grant, &grant.client_id, now_s, exp_s)
    }

    fn id_token(&self, grant: &Grant, nonce: Option<&str>, now_s: i64) -> Option<String> {
        Some(jwt::id_token(grant, &grant.client_id, nonce, now_s))
    }

    fn refresh_token(&self) -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}
