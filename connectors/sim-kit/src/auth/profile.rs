//! What differs between providers' OAuth2 servers, as data: lifetimes,
//! whether client credentials are allowed, what a consent grants and how
//! the redirect announces it, how revocation is sent, the extras of a
//! token answer. The endpoints read this instead of provider constants.

use std::time::Duration;

use super::grants::Grant;

/// The paths of a provider's OAuth2 endpoints (used by the discovery
/// document; the provider mounts the handlers at the same paths).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OAuthPaths {
    /// The consent screen (`GET`).
    pub authorize: &'static str,
    /// The token endpoint (`POST`).
    pub token: &'static str,
    /// The revocation endpoint (`POST`).
    pub revoke: &'static str,
}

/// Which tenants a consent connects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsentTenants {
    /// Every tenant the simulator serves (Xero: every organisation).
    All,
    /// The first tenant only.
    One,
    /// One tenant per consent, as a person picking a company would: the
    /// first not yet granted to this client (in order), and once all are,
    /// round again (QuickBooks: one company per consent).
    NextUngranted,
}

/// How a revocation request carries its token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevokeBody {
    /// `application/x-www-form-urlencoded` `token=` (RFC 7009; Xero).
    Form,
    /// `application/json` `{"token": …}` with HTTP Basic client auth (Intuit).
    Json,
}

/// A provider's OAuth2 facts.
#[derive(Clone, Copy, Debug)]
pub struct OAuthProfile {
    /// Where the endpoints are.
    pub paths: OAuthPaths,
    /// The OpenID discovery document's path, if the provider publishes one
    /// (Intuit: `/.well-known/openid_configuration/`).
    pub discovery_path: Option<&'static str>,
    /// The `issuer` of the discovery document.
    pub issuer: &'static str,
    /// How long an authorization code is redeemable (Xero: 5 minutes).
    pub code_ttl: Duration,
    /// How long a used refresh token stays usable after its first use, in
    /// case that answer was lost (Xero: 30 minutes).
    pub refresh_grace: Duration,
    /// How long an unused refresh token lives (Xero: 60 days; Intuit: 100 days).
    pub refresh_idle: Duration,
    /// The scope a grant needs for a refresh token (Xero: `offline_access`);
    /// `None` issues one with every code exchange (Intuit).
    pub refresh_scope: Option<&'static str>,
    /// The answer's field giving the refresh token's lifetime in seconds
    /// (Intuit: `x_refresh_token_expires_in`), if any.
    pub refresh_expiry_field: Option<&'static str>,
    /// The content type of token answers and the discovery document.
    pub json_type: &'static str,
    /// The answer's `token_type` (`Bearer`; Intuit writes `bearer`).
    pub token_type: &'static str,
    /// Whether the answer repeats the granted `scope` (Xero does).
    pub answer_scope: bool,
    /// `Some(default scope)` when the `client_credentials` grant is allowed
    /// (Xero's custom connections); `None` refuses it (`unsupported_grant_type`).
    pub client_credentials: Option<&'static str>,
    /// Which tenants a consent connects.
    pub consent: ConsentTenants,
    /// The redirect parameter naming the consented tenant (Intuit: `realmId`).
    pub tenant_param: Option<&'static str>,
    /// Whether the redirect repeats the granted `scope` (Xero does).
    pub redirect_scope: bool,
    /// Whether the redirect ends with `session_state` (Xero does).
    pub redirect_session_state: bool,
    /// How revocation requests carry their token.
    pub revoke_body: RevokeBody,
    /// Whether the provider knows a scope by that name.
    pub scope_known: fn(&str) -> bool,
}

/// How a provider's tokens look (Xero: unsigned JWTs with its claims;
/// QuickBooks: opaque strings). The kit records whatever it returns.
pub trait TokenMinter<K>: Send + Sync {
    /// An access token of `grant`, valid from `now_s` until `exp_s`.
    fn access_token(&self, grant: &Grant<K>, now_s: i64, exp_s: i64) -> String;
    /// The ID token of a grant whose scope has `openid`, if the provider issues one.
    fn id_token(&self, grant: &Grant<K>, nonce: Option<&str>, now_s: i64) -> Option<String>;
    /// A new refresh token.
    fn refresh_token(&self) -> String;
}
