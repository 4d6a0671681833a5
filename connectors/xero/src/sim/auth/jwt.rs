//! Xero's access and ID tokens are JWTs whose claims clients read (the
//! `authentication_event_id` of an access token names the consent that
//! created it; the ID token names the user). The simulator issues the same
//! claims. Xero signs with RS256 keys published at its JWKS endpoint; the
//! simulator publishes no keys, so its signature part is random bytes:
//! the tokens decode like Xero's but cannot be verified.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use serde_json::{Value, json};

use super::Grant;

/// The `iss` of Xero's tokens.
const ISSUER: &str = "https://identity.xero.com";
/// The `aud` of Xero's access tokens.
const RESOURCES: &str = "https://identity.xero.com/resources";
/// An ID token's lifetime (Xero: 5 minutes).
const ID_TOKEN_TTL_S: i64 = 300;

/// `header.claims.signature`, each part base64url without padding.
fn encode(claims: &Value) -> String {
    let header = json!({ "alg": "RS256", "kid": "xero-sim", "typ": "JWT" });
    let mut sig = [0u8; 256];
    rand::rng().fill_bytes(&mut sig);
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(sig)
    )
}

fn hex(id: &uuid::Uuid) -> String {
    id.simple().to_string().to_uppercase()
}

/// An access token of `grant`, valid from `now_s` until `exp_s`.
pub(crate) fn access_token(grant: &Grant, client_id: &str, now_s: i64, exp_s: i64) -> String {
    let scopes: Vec<&str> = grant.scope.split(' ').collect();
    encode(&json!({
        "nbf": now_s,
        "exp": exp_s,
        "iss": ISSUER,
        "aud": RESOURCES,
        "client_id": client_id,
        "sub": hex(&grant.user_id),
        "auth_time": grant.auth_ms / 1000,
        "xero_userid": grant.user_id.to_string(),
        "global_session_id": grant.session_id.simple().to_string(),
        "sid": grant.session_id.simple().to_string(),
        "jti": uuid::Uuid::new_v4().simple().to_string(),
        "authentication_event_id": grant.id.to_string(),
        "scope": scopes,
        "amr": ["pwd"],
    }))
}

/// The ID token of `grant` (issued when its scope has `openid`); profile
/// and email claims only with those scopes.
pub(crate) fn id_token(grant: &Grant, client_id: &str, nonce: Option<&str>, now_s: i64) -> String {
    let mut claims = json!({
        "nbf": now_s,
        "exp": now_s + ID_TOKEN_TTL_S,
        "iss": ISSUER,
        "aud": client_id,
        "iat": now_s,
        "sub": hex(&grant.user_id),
        "auth_time": grant.auth_ms / 1000,
        "xero_userid": grant.user_id.to_string(),
        "global_session_id": grant.session_id.simple().to_string(),
        "sid": grant.session_id.simple().to_string(),
        "amr": ["pwd"],
    });
    if let Some(n) = nonce {
        claims["nonce"] = json!(n);
    }
    if grant.has_scope("profile") {
        claims["preferred_username"] = json!("demo@example.com");
        claims["given_name"] = json!("Demo");
        claims["family_name"] = json!("User");
    }
    if grant.has_scope("email") {
        claims["email"] = json!("demo@example.com");
    }
    encode(&claims)
}
