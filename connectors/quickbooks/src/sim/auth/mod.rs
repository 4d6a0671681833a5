//! Intuit's OAuth 2.0 on the simulator's host, through the kit's OAuth2
//! server with Intuit's profile: the discovery document at
//! `/.well-known/openid_configuration/`, the token endpoint (authorization
//! code and refresh token grants only, HTTP Basic client authentication,
//! `x_refresh_token_expires_in`, rotation with no grace), revocation with a
//! JSON `{"token"}` body, userinfo, and opaque tokens. The consent screen
//! is QuickBooks' own (`consent.rs`): one company per consent.

mod consent;

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use serde_json::{Value, json};
use tether_sim_kit::SimState;
use tether_sim_kit::auth::{
    ConsentTenants, Grant, OAuthPaths, OAuthProfile, RevokeBody, TokenMinter,
};

pub(crate) use consent::{Consents, authorize};

use super::provider::QuickBooks;
use super::server::AppState;

/// The scope of the Accounting API.
pub(crate) const ACCOUNTING_SCOPE: &str = "com.intuit.quickbooks.accounting";

/// Intuit's access tokens last an hour.
pub(crate) const ACCESS_TTL: Duration = Duration::from_secs(3600);

fn intuit_scope(s: &str) -> bool {
    matches!(
        s,
        ACCOUNTING_SCOPE
            | "com.intuit.quickbooks.payment"
            | "openid"
            | "profile"
            | "email"
            | "phone"
            | "address"
    )
}

/// What Intuit's OAuth 2.0 server does, as the kit's profile.
pub(crate) static INTUIT_OAUTH: OAuthProfile = OAuthProfile {
    issuer: "https://oauth.platform.intuit.com/op/v1",
    discovery_path: Some("/.well-known/openid_configuration/"),
    paths: OAuthPaths {
        authorize: "/connect/oauth2",
        token: "/oauth2/v1/tokens/bearer",
        revoke: "/v2/oauth2/tokens/revoke",
    },
    consent: ConsentTenants::One,
    tenant_param: Some("realmId"),
    client_credentials: None,
    revoke_body: RevokeBody::Json,
    // Intuit answers a refresh token's life as 8,726,400 seconds (about
    // 100 days); a used one is spent at once (no grace).
    refresh_idle: Duration::from_secs(8_726_400),
    refresh_grace: Duration::ZERO,
    refresh_scope: None,
    refresh_expiry_field: Some("x_refresh_token_expires_in"),
    code_ttl: Duration::from_secs(5 * 60),
    token_type: "bearer",
    answer_scope: false,
    redirect_scope: false,
    redirect_session_state: false,
    json_type: "application/json;charset=UTF-8",
    scope_known: intuit_scope,
};

fn opaque(prefix: &str, bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut b);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(b))
}

/// Intuit's tokens are opaque to clients; so are these.
pub(crate) struct IntuitTokens;

impl TokenMinter<String> for IntuitTokens {
    fn access_token(&self, _grant: &Grant<String>, _now_s: i64, _exp_s: i64) -> String {
        opaque("eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..", 96)
    }

    fn id_token(
        &self,
        _grant: &Grant<String>,
        _nonce: Option<&str>,
        _now_s: i64,
    ) -> Option<String> {
        None
    }

    fn refresh_token(&self) -> String {
        opaque("RT1-", 36)
    }
}

/// `GET /.well-known/openid_configuration/`: the kit's document plus the
/// endpoints Intuit also lists (userinfo, JWKS).
pub(crate) async fn discovery(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let kit = tether_sim_kit::auth::discovery(State(app.clone()), headers).await;
    let bytes = axum::body::to_bytes(kit.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    let mut doc: Value = serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({}));
    let base = app.provider.base_url.as_str();
    doc["userinfo_endpoint"] = json!(format!("{base}/v1/openid_connect/userinfo"));
    doc["jwks_uri"] = json!(format!("{base}/op/v1/jwks"));
    doc["scopes_supported"] = json!([
        ACCOUNTING_SCOPE,
        "com.intuit.quickbooks.payment",
        "openid",
        "profile",
        "email",
        "phone",
        "address"
    ]);
    Json(doc).into_response()
}

/// `GET /op/v1/jwks`: no keys (the simulator issues no ID tokens).
pub(crate) async fn jwks() -> Response {
    Json(json!({"keys": []})).into_response()
}

/// `GET /v1/openid_connect/userinfo`: the developer behind the token.
pub(crate) async fn userinfo(State(app): State<AppState>, headers: HeaderMap) -> Response {
    match app.auth.check_bearer(&headers) {
        Ok(info) => Json(json!({
            "sub": info.grant,
            "givenName": "Sandbox", "familyName": "Developer",
            "email": "developer@example.com", "emailVerified": true,
        }))
        .into_response(),
        Err(_) => (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_token"})),
        )
            .into_response(),
    }
}

/// Tokens of the registered app for `realm` without a consent, as Intuit's
/// OAuth Playground hands a developer: the token answer, or `None` for an
/// unknown realm.
pub(crate) fn playground(app: &SimState<QuickBooks>, realm: &str) -> Option<Value> {
    app.tenants.get(realm)?;
    let grant = consent::grant_for(&app.auth, &app.auth.client_id, ACCOUNTING_SCOPE, realm);
    app.auth.grants().insert(grant.clone());
    app.provider
        .consents
        .record(&app.auth.client_id, realm, grant.id);
    let mut answer = app.auth.answer(&grant, None);
    answer["realmId"] = json!(realm);
    Some(answer)
}
