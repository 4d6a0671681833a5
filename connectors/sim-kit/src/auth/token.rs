//! The token endpoint: the `authorization_code` grant (single-use codes,
//! the authorize request's `redirect_uri`, PKCE S256), the `refresh_token`
//! grant (rotation, grace period, idle expiry) and, where the profile
//! allows it, `client_credentials`. Refusals are RFC 6749 errors in the
//! provider's words ([`ErrorBody::oauth_error`]); an `invalid_grant`
//! carries no description (its reason goes to the log).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::connect_info::ConnectInfo;
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{Auth, ClientKind, Grant, OAuthHost, form};
use crate::conn::ConnKill;
use crate::errors::ErrorBody;
use crate::faults::Faults;
use crate::respond::typed_text;
use crate::stats::Stats;
use crate::tenant::TenantId;

/// Everything one token request works with.
struct Ctx<'a, K> {
    auth: &'a Auth<K>,
    stats: &'a Stats,
    errors: &'a dyn ErrorBody,
}

fn invalid_grant(errors: &dyn ErrorBody, reason: &str) -> Response {
    tracing::debug!(reason, "simulator refused a grant");
    errors.oauth_error("invalid_grant")
}

fn ok<K>(auth: &Auth<K>, body: &Value) -> Response {
    typed_text(StatusCode::OK, auth.profile.json_type, body.to_string())
}

impl<K: TenantId> Auth<K> {
    /// Issues the tokens of one code exchange or refresh of `grant`: an
    /// access token, a refresh token (with the profile's scope, if it
    /// needs one), an ID token with `openid` (if the provider issues one).
    pub fn answer(&self, grant: &Grant<K>, nonce: Option<&str>) -> Value {
        let p = self.profile;
        let now = self.clock.now_ms();
        let ttl_s = self.ttl.as_secs() as i64;
        let access = self
            .minter
            .access_token(grant, now / 1000, now / 1000 + ttl_s);
        let mut body = json!({
            "access_token": access,
            "expires_in": self.ttl.as_secs(),
            "token_type": p.token_type,
        });
        if p.answer_scope {
            body["scope"] = json!(grant.scope);
        }
        let mut g = self.grants();
        g.tidy(now);
        g.add_access(access, grant.id, now + self.ttl.as_millis() as i64);
        if p.refresh_scope.is_none_or(|s| grant.has_scope(s)) {
            let r = self.minter.refresh_token();
            g.add_refresh(r.clone(), grant.id, now);
            body["refresh_token"] = json!(r);
            if let Some(field) = p.refresh_expiry_field {
                body[field] = json!(p.refresh_idle.as_secs());
            }
        }
        drop(g);
        if grant.has_scope("openid")
            && let Some(id) = self.minter.id_token(grant, nonce, now / 1000)
        {
            body["id_token"] = json!(id);
        }
        body
    }
}

/// `POST {token path}`.
pub async fn token<S: OAuthHost>(
    State(s): State<Arc<S>>,
    extensions: Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let kill = extensions
        .get::<ConnectInfo<ConnKill>>()
        .map(|c| c.0.clone());
    let ctx = Ctx {
        auth: s.auth(),
        stats: s.stats(),
        errors: s.errors(),
    };
    respond(&ctx, s.faults(), &headers, &body, kill.as_ref())
}

fn respond<K: TenantId>(
    ctx: &Ctx<'_, K>,
    faults: &Faults,
    headers: &HeaderMap,
    body: &[u8],
    kill: Option<&ConnKill>,
) -> Response {
    let errors = ctx.errors;
    let Some(form) = form::form(headers, body) else {
        return errors.oauth_error("invalid_request");
    };
    let Some(grant_type) = form.get("grant_type").map(String::as_str) else {
        return errors.oauth_error("invalid_request");
    };
    let Some(client) = ctx.auth.client(headers, &form) else {
        return errors.oauth_error("invalid_client");
    };
    match grant_type {
        "client_credentials" if ctx.auth.profile.client_credentials.is_some() => {
            client_credentials(ctx, client, &form)
        }
        "authorization_code" => authorization_code(ctx, client, &form),
        "refresh_token" => refresh(ctx, faults, client, &form, kill),
        _ => errors.oauth_error("unsupported_grant_type"),
    }
}

/// A custom connection's token: its tenants, no refresh token.
fn client_credentials<K: TenantId>(
    ctx: &Ctx<'_, K>,
    client: ClientKind,
    form: &HashMap<String, String>,
) -> Response {
    let auth = ctx.auth;
    let (Some(default_scope), Some(custom)) =
        (auth.profile.client_credentials, auth.custom_grant())
    else {
        return ctx.errors.oauth_error("unsupported_grant_type");
    };
    if client != ClientKind::Web {
        return ctx.errors.oauth_error("unauthorized_client");
    }
    let (token, _) = auth.issue_opaque(custom);
    let scope = form
        .get("scope")
        .filter(|s| !s.trim().is_empty())
        .map_or(default_scope, String::as_str);
    let body = json!({
        "access_token": token,
        "expires_in": auth.ttl.as_secs(),
        "token_type": auth.profile.token_type,
        "scope": scope,
    });
    ok(auth, &body)
}

fn authorization_code<K: TenantId>(
    ctx: &Ctx<'_, K>,
    client: ClientKind,
    form: &HashMap<String, String>,
) -> Response {
    let auth = ctx.auth;
    let Some(code) = form.get("code") else {
        return ctx.errors.oauth_error("invalid_request");
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
            ctx.stats.code_exchange();
            ok(auth, &auth.answer(&r.grant, r.nonce.as_deref()))
        }
        Err(why) => invalid_grant(ctx.errors, why),
    }
}

fn refresh<K: TenantId>(
    ctx: &Ctx<'_, K>,
    faults: &Faults,
    client: ClientKind,
    form: &HashMap<String, String>,
    kill: Option<&ConnKill>,
) -> Response {
    let auth = ctx.auth;
    let Some(token) = form.get("refresh_token") else {
        return ctx.errors.oauth_error("invalid_request");
    };
    let used = auth
        .grants()
        .use_refresh(token, auth.id_of(client), auth.clock.now_ms());
    let grant = match used {
        Ok(g) => g,
        Err(why) => {
            ctx.stats.refresh_refused();
            return invalid_grant(ctx.errors, why);
        }
    };
    ctx.stats.refresh_ok();
    let resp = ok(auth, &auth.answer(&grant, None));
    if faults.take_lost_token_answer() {
        // Rotated, and the answer never arrives (see `lose_token_answers`).
        ctx.stats.lost_token_answer();
        if let Some(k) = kill {
            k.kill();
        }
    }
    resp
}
