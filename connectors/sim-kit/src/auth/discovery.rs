//! The OpenID discovery document (Intuit publishes one at
//! `/.well-known/openid_configuration/`), so a client can find the
//! simulator's endpoints the way it finds the provider's. URLs are built
//! from the request's `Host`, so they name the simulator's own address.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::json;

use super::OAuthHost;
use super::profile::OAuthProfile;
use crate::respond::typed_text;

/// The document for a simulator reached at `host`.
pub(crate) fn document(profile: &OAuthProfile, host: &str) -> serde_json::Value {
    let url = |path: &str| format!("http://{host}{path}");
    json!({
        "issuer": profile.issuer,
        "authorization_endpoint": url(profile.paths.authorize),
        "token_endpoint": url(profile.paths.token),
        "revocation_endpoint": url(profile.paths.revoke),
        "response_types_supported": ["code"],
        "grant_types_supported": if profile.client_credentials.is_some() {
            json!(["authorization_code", "refresh_token", "client_credentials"])
        } else {
            json!(["authorization_code", "refresh_token"])
        },
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    })
}

/// `GET {discovery_path}`.
pub async fn discovery<S: OAuthHost>(State(s): State<Arc<S>>, headers: HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let profile = s.auth().profile;
    let body = document(profile, host).to_string();
    typed_text(StatusCode::OK, profile.json_type, body)
}
