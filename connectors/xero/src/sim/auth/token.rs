//! `POST /connect/token`: the `client_credentials` grant of custom
//! connections, the `authorization_code` grant (single-use 5-minute codes,
//! the authorize request's `redirect_uri`, PKCE S256) and the
//! `refresh_token` grant (rotation, 30-minute grace, 60-day idle expiry).
//! Answers are Xero's: `{id_token?, access_token, expires_in, token_type,
//! refresh_token?, scope}` or `400 {"error": ...}`.

use std::collections::HashMap;

use axum::extract::connect_info::ConnectInfo;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::Response;
use rand::RngCore as _;
use serde_json::{Value, json};

use super::super::conn::ConnKill;
use super::super::errors::{json_value, oauth_error};
use super::super::server::AppState;
use super::{Auth, ClientKind, DEFAULT_SCOPE, Grant, jwt};

/// `400 {"error": "invalid_grant"}`, as Xero answers it (no description;
/// the reason goes to the simulator's log).
fn invalid_grant(reason: &str) -> Response {
    tracing::debug!(reason, "xero simulator refused a grant");
    oauth_error("invalid_grant")
}

/// A refresh token as Xero's look: 64 hex digits.
fn refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Auth {
    /// Issues the tokens of one code exchange or refresh of `grant`: an
    /// access token, a refresh token with `offline_access`, an ID token
    /// with `openid`.
    fn answer(&self, grant: &Grant, nonce: Option<&str>) -> Value {
        let now = self.clock.now_ms();
        let ttl_s = self.ttl.as_secs() as i64;
        let client_id = grant.client_id.as_str();
        let access = jwt::access_token(grant, client_id, now / 1000, now / 1000 + ttl_s);
        let mut body = json!({
            "access_token": access,
            "expires_in": self.ttl.as_secs(),
            "token_type": "Bearer",
            "scope": grant.scope,
        });
        let mut g = self.grants();
        g.tidy(now);
        g.add_access(access, grant.id, now + self.ttl.as_millis() as i64);
        if grant.has_scope("offline_access") {
            let r = refresh_token();
            g.add_refresh(r.clone(), grant.id, now);
            body["refresh_token"] = json!(r);
        }
        if grant.has_scope("openid") {
            body["id_token"] = json!(jwt::id_token(grant, client_id, nonce, now / 1000));
        }
        body
    }
}

/// `POST /connect/token`.
pub(crate) async fn token(
    State(app): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let Ok(Form(pairs)) = form else {
        return oauth_error("invalid_request");
    };
    let form: HashMap<String, String> = pairs.into_iter().collect();
    let auth = &app.auth;
    let Some(grant_type) = form.get("grant_type").map(String::as_str) else {
        return oauth_error("invalid_request");
    };
    let Some(client) = auth.client(&headers, &form) else {
        return oauth_error("invalid_client");
    };
    match grant_type {
        "client_credentials" => client_credentials(&app, client, &form),
        "authorization_code" => authorization_code(&app, client, &form),
        "refresh_token" => {
            let kill = extensions
                .get::<ConnectInfo<ConnKill>>()
                .map(|c| c.0.clone());
            refresh(&app, client, &form, kill.as_ref())
        }
        _ => oauth_error("unsupported_grant_type"),
    }
}

/// A custom connection's token: the one organisation, no refresh token.
fn client_credentials(
    app: &AppState,
    client: ClientKind,
    form: &HashMap<String, String>,
) -> Response {
    if client != ClientKind::Web {
        return oauth_error("unauthorized_client");
    }
    let auth = &app.auth;
    let (token, _) = auth.issue_opaque(auth.custom_grant());
    let scope = form
        .get("scope")
        .filter(|s| !s.trim().is_empty())
        .map_or(DEFAULT_SCOPE, String::as_str);
    json_value(
        StatusCode::OK,
        &json!({
            "access_token": token,
            "expires_in": auth.ttl.as_secs(),
            "token_type": "Bearer",
            "scope": scope,
        }),
    )
}

fn authorization_code(
    app: &AppState,
    client: ClientKind,
    form: &HashMap<String, String>,
) -> Response {
    let auth = &app.auth;
    let Some(code) = form.get("code") else {
        return oauth_error("invalid_request");
    };
    let redeemed = auth.grants().redeem(
        code,
        auth.id_of(client),
        form.get("redirect_uri").map(String::as_str),
        form.get("code_verifier").map(String::as_str),
        auth.clock.now_ms(),
    );
    match redeemed {
        Ok(r) => {
            app.stats.code_exchange();
            json_value(StatusCode::OK, &auth.answer(&r.grant, r.nonce.as_deref()))
        }
        Err(why) => invalid_grant(why),
    }
}

fn refresh(
    app: &AppState,
    client: ClientKind,
    form: &HashMap<String, String>,
    kill: Option<&ConnKill>,
) -> Response {
    let auth = &app.auth;
    let Some(token) = form.get("refresh_token") else {
        return oauth_error("invalid_request");
    };
    let used = auth
        .grants()
        .use_refresh(token, auth.id_of(client), auth.clock.now_ms());
    let grant = match used {
        Ok(g) => g,
        Err(why) => {
            app.stats.refresh_refused();
            return invalid_grant(why);
        }
    };
    app.stats.refresh_ok();
    let resp = json_value(StatusCode::OK, &auth.answer(&grant, None));
    if app.faults.take_lost_token_answer() {
        // Rotated, and the answer never arrives (see `lose_token_answers`).
        app.stats.lost_token_answer();
        if let Some(k) = kill {
            k.kill();
        }
    }
    resp
}
