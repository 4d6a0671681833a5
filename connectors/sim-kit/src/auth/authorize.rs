//! The consent screen. A sandbox has no user to ask: a valid request is
//! consented at once (every tenant, or the first, as the profile says) and
//! answered `302` to `{redirect_uri}?code=…[&scope=…][&state=…]` plus the
//! profile's extras (Intuit: `realmId`; Xero: `session_state`). A problem
//! with any parameter leaves the user on the provider's pages: every
//! refused request is the provider's page ([`ErrorBody::authorize_refused`]),
//! never a redirect.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use uuid::Uuid;

use super::profile::ConsentTenants;
use super::{Auth, ClientKind, Connection, Grant, OAuthHost, Org, form};
use crate::errors::ErrorBody;
use crate::pkce;
use crate::respond::typed_text;
use crate::stats::Stats;
use crate::tenant::TenantId;

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The tenants of a new consent of `client_id`, each a new connection.
fn connections<K: TenantId>(auth: &Auth<K>, client_id: &str, now: i64) -> Vec<Connection<K>> {
    let orgs: Vec<&Org<K>> = match auth.profile.consent {
        ConsentTenants::All => auth.orgs.iter().collect(),
        ConsentTenants::One => auth.orgs.iter().take(1).collect(),
        ConsentTenants::NextUngranted => auth.next_ungranted(client_id).into_iter().collect(),
    };
    orgs.into_iter()
        .map(|o| Connection {
            id: Uuid::new_v4(),
            tenant_id: o.tenant_id.clone(),
            name: o.name.clone(),
            created_ms: now,
            updated_ms: now,
        })
        .collect()
}

/// `GET {authorize path}`.
pub async fn authorize<S: OAuthHost>(State(s): State<Arc<S>>, RawQuery(q): RawQuery) -> Response {
    let q = form::pairs(q.unwrap_or_default().as_bytes());
    consent(s.auth(), s.stats(), s.errors(), &q)
}

pub(super) fn consent<K: TenantId>(
    auth: &Auth<K>,
    stats: &Stats,
    errors: &dyn ErrorBody,
    q: &HashMap<String, String>,
) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let profile = auth.profile;
    let client = match get("client_id") {
        Some(id) if id == auth.client_id => ClientKind::Web,
        Some(id) if id == auth.pkce_client_id => ClientKind::Pkce,
        _ => {
            return errors.authorize_refused(
                "unauthorized_client",
                "Unknown client or client not enabled.",
            );
        }
    };
    let Some(redirect_uri) = get("redirect_uri").filter(|u| auth.redirect_allowed(u)) else {
        return errors.authorize_refused("invalid_request", "Invalid redirect_uri.");
    };
    if get("response_type") != Some("code") {
        return errors
            .authorize_refused("unsupported_response_type", "response_type must be code.");
    }
    let scopes: Vec<&str> = get("scope")
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect();
    if scopes.is_empty() || !scopes.iter().all(|s| (profile.scope_known)(s)) {
        return errors.authorize_refused("invalid_scope", "Invalid scope.");
    }
    let mut scope: Vec<&str> = Vec::new();
    for s in scopes {
        if !scope.contains(&s) {
            scope.push(s);
        }
    }
    let challenge = match (get("code_challenge"), get("code_challenge_method")) {
        (Some(c), Some("S256")) if pkce::well_formed(c) => Some(c.to_string()),
        (Some(_), _) => {
            return errors.authorize_refused(
                "invalid_request",
                "code_challenge must be S256 of a valid verifier.",
            );
        }
        (None, _) if client == ClientKind::Pkce => {
            return errors.authorize_refused("invalid_request", "code_challenge is required.");
        }
        (None, _) => None,
    };

    let now = auth.clock.now_ms();
    let grant = Grant {
        id: Uuid::new_v4(),
        client_id: auth.id_of(client).to_string(),
        scope: scope.join(" "),
        user_id: Uuid::new_v4(),
        session_id: Uuid::new_v4(),
        auth_ms: now,
        connections: connections(auth, auth.id_of(client), now),
    };
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let code = URL_SAFE_NO_PAD.encode(bytes);
    let (grant_id, session, scope) = (grant.id, grant.session_id, grant.scope.clone());
    let tenant = grant.connections.first().map(|c| c.tenant_id.clone());
    {
        let mut g = auth.grants();
        g.insert(grant);
        let nonce = get("nonce").map(str::to_string);
        g.add_code(
            code.clone(),
            grant_id,
            redirect_uri.to_string(),
            challenge,
            nonce,
            now,
        );
    }
    stats.code_issued();

    let mut location = String::from(redirect_uri);
    location.push(if redirect_uri.contains('?') { '&' } else { '?' });
    location.push_str(&format!("code={}", encode(&code)));
    if profile.redirect_scope {
        location.push_str(&format!("&scope={}", encode(&scope)));
    }
    if let Some(state) = q.get("state") {
        location.push_str(&format!("&state={}", encode(state)));
    }
    if let (Some(param), Some(t)) = (profile.tenant_param, tenant) {
        location.push_str(&format!("&{param}={}", encode(&t.to_string())));
    }
    if profile.redirect_session_state {
        location.push_str(&format!("&session_state={}", session.simple()));
    }
    let mut r = typed_text(StatusCode::FOUND, "text/html; charset=utf-8", String::new());
    if let Ok(v) = HeaderValue::from_str(&location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_keeps_only_unreserved() {
        assert_eq!(encode("a b&c=d~"), "a%20b%26c%3Dd~");
    }
}
