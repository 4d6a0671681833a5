//! Intuit's OAuth 2.0 endpoints on the simulator's one host: the discovery
//! document, the authorize page (a sandbox has no person, so it consents at
//! once and redirects with `code`, `state` and `realmId`), the token
//! endpoint (authorization code and refresh token grants, HTTP Basic client
//! authentication), revocation (JSON `{"token"}`) and userinfo.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{ConnectInfo, Json, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use tether_sim_kit::conn::ConnKill;

use super::interim_oauth::{ACCESS_TTL_S, REFRESH_TTL_S, Refusal, Tokens};
use super::server::AppState;

/// The scope of the Accounting API.
pub(crate) const ACCOUNTING_SCOPE: &str = "com.intuit.quickbooks.accounting";

/// `GET /.well-known/openid_configuration/`.
pub(crate) async fn discovery(State(app): State<AppState>) -> Response {
    let base = &app.base_url;
    Json(json!({
        "issuer": format!("{base}/op/v1"),
        "authorization_endpoint": format!("{base}/connect/oauth2"),
        "token_endpoint": format!("{base}/oauth2/v1/tokens/bearer"),
        "userinfo_endpoint": format!("{base}/v1/openid_connect/userinfo"),
        "revocation_endpoint": format!("{base}/v2/oauth2/tokens/revoke"),
        "jwks_uri": format!("{base}/op/v1/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile", "address", "phone", ACCOUNTING_SCOPE, "com.intuit.quickbooks.payment"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
    }))
    .into_response()
}

/// `GET /op/v1/jwks`: no keys (the simulator issues no ID tokens).
pub(crate) async fn jwks() -> Response {
    Json(json!({"keys": []})).into_response()
}

/// A loopback redirect URI (RFC 8252): any port and path on `127.0.0.1`,
/// `localhost` or `[::1]` over http.
fn loopback(uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|u| {
        u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
    })
}

fn page(status: StatusCode, text: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text.to_string()).into_response()
}

fn redirect_to(uri: &str, params: &[(&str, &str)]) -> Response {
    let mut u = match url::Url::parse(uri) {
        Ok(u) => u,
        Err(_) => return page(StatusCode::BAD_REQUEST, "invalid redirect_uri"),
    };
    u.query_pairs_mut().extend_pairs(params.iter().filter(|(_, v)| !v.is_empty()));
    // Intuit redirects with 302 Found.
    (StatusCode::FOUND, [(header::LOCATION, u.as_str().to_string())]).into_response()
}

/// `GET /connect/oauth2`: consents at once and redirects with `code`,
/// `state` and `realmId` (or with `error`).
pub(crate) async fn authorize(State(app): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    if get("client_id") != app.client_id {
        return page(StatusCode::BAD_REQUEST, "invalid_client: unknown client_id");
    }
    let redirect = get("redirect_uri");
    if !loopback(redirect) {
        return page(StatusCode::BAD_REQUEST, "invalid_request: redirect_uri is not registered for this app");
    }
    let state = get("state");
    let refuse = |error: &str| redirect_to(redirect, &[("error", error), ("state", state)]);
    if get("response_type") != "code" {
        return refuse("unsupported_response_type");
    }
    if !get("scope").split(' ').any(|s| s == ACCOUNTING_SCOPE || s == "openid") {
        return refuse("invalid_scope");
    }
    let challenge = q.get("code_challenge").cloned();
    if challenge.is_some() && get("code_challenge_method") != "S256" {
        return refuse("invalid_request");
    }
    let (code, realm) = app.grants.consent(&app.client_id, redirect, challenge);
    app.stats.kit.code_issued();
    redirect_to(redirect, &[("code", &code), ("state", state), ("realmId", &realm)])
}

/// The client a token or revocation request authenticates as with HTTP Basic.
fn basic_client(app: &AppState, headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let raw = STANDARD.decode(v.strip_prefix("Basic ")?.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    (id == app.client_id && secret == app.client_secret).then(|| id.to_string())
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({"error": error}))).into_response()
}

fn tokens_body(t: &Tokens) -> Value {
    json!({
        "token_type": "bearer",
        "access_token": t.access,
        "expires_in": ACCESS_TTL_S,
        "refresh_token": t.refresh,
        "x_refresh_token_expires_in": REFRESH_TTL_S,
    })
}

/// `POST /oauth2/v1/tokens/bearer`.
pub(crate) async fn token(
    State(app): State<AppState>,
    ConnectInfo(kill): ConnectInfo<ConnKill>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let Some(client) = basic_client(&app, &headers) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    };
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let refused = |r: Refusal| match r {
        Refusal::InvalidGrant => oauth_error(StatusCode::BAD_REQUEST, "invalid_grant"),
        Refusal::InvalidRequest => oauth_error(StatusCode::BAD_REQUEST, "invalid_request"),
    };
    match get("grant_type") {
        "authorization_code" => {
            match app.grants.exchange(&client, get("code"), get("redirect_uri"), f.get("code_verifier").map(String::as_str)) {
                Ok(t) => {
                    app.stats.kit.code_exchange();
                    Json(tokens_body(&t)).into_response()
                }
                Err(r) => refused(r),
            }
        }
        "refresh_token" => match app.grants.refresh(&client, get("refresh_token")) {
            Ok(t) => {
                app.stats.kit.refresh_ok();
                if app.faults.take_lost_token_answer() {
                    app.stats.kit.lost_token_answer();
                    {
                        kill.kill();
                    }
                }
                Json(tokens_body(&t)).into_response()
            }
            Err(r) => {
                app.stats.kit.refresh_refused();
                refused(r)
            }
        },
        _ => oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
    }
}

/// `POST /v2/oauth2/tokens/revoke` with `{"token": …}`: revokes the grant
/// the token (access or refresh) belongs to.
pub(crate) async fn revoke(State(app): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let Some(client) = basic_client(&app, &headers) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    };
    let Some(token) = serde_json::from_slice::<Value>(&body).ok().and_then(|v| v["token"].as_str().map(String::from)) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    if app.grants.revoke(&client, &token) {
        app.stats.kit.revocation();
    }
    StatusCode::OK.into_response()
}

/// The bearer token of a request, if any.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// `GET /v1/openid_connect/userinfo`.
pub(crate) async fn userinfo(State(app): State<AppState>, headers: HeaderMap) -> Response {
    match bearer(&headers).map(|t| app.grants.check(t)) {
        Some(Ok(realm)) => Json(json!({
            "sub": uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, realm.as_bytes()),
            "givenName": "Sandbox", "familyName": "Developer",
            "email": "developer@example.com", "emailVerified": true,
        }))
        .into_response(),
        _ => oauth_error(StatusCode::UNAUTHORIZED, "invalid_token"),
    }
}
