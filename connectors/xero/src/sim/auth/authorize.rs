//! `GET /identity/connect/authorize`, Xero's consent screen. The sandbox
//! has no user to ask: a valid request is consented at once, granting
//! every organisation the simulator serves, and answered `302` to
//! `{redirect_uri}?code=&scope=&state=&session_state=`. Xero documents that
//! a problem with any parameter (client id, redirect URI, scopes) leaves
//! the user on Xero's own pages instead of redirecting back, so every
//! refused request here is a `400` HTML page and never a redirect.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use uuid::Uuid;

use super::super::errors::typed_text;
use super::super::server::AppState;
use super::{Auth, ClientKind, Connection, Grant, pkce};

/// Scopes Xero's identity service knows by name.
const KNOWN: &[&str] = &["openid", "profile", "email", "offline_access"];
/// Prefixes of Xero's API scopes (`accounting.transactions`,
/// `accounting.reports.read`, `payroll.employees`, ...).
const API_PREFIXES: &[&str] = &[
    "accounting.",
    "payroll.",
    "files",
    "assets",
    "projects",
    "bankfeeds",
    "finance.",
    "paymentservices",
    "app.connections",
    "marketplace.billing",
    "practicemanager",
    "workflowmax",
    "einvoicing",
];

/// Whether Xero would know `scope`.
fn known_scope(scope: &str) -> bool {
    KNOWN.contains(&scope)
        || API_PREFIXES.iter().any(|p| {
            scope.strip_prefix(p).is_some_and(|rest| {
                rest.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.')
            })
        })
}

/// The `400` page of a refused authorization request (no redirect).
fn refused(error: &str, description: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html><head><title>Xero | Error</title></head><body>\
         <h1>Sorry, something went wrong</h1><p id=\"error\">{error}</p>\
         <p id=\"error_description\">{description}</p></body></html>"
    );
    typed_text(StatusCode::BAD_REQUEST, "text/html; charset=utf-8", body)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
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

impl Auth {
    /// Whether `uri` is registered: exactly one of the configured URIs, or
    /// with none configured any loopback URI (RFC 8252: `http://127.0.0.1`,
    /// `http://localhost` or `http://[::1]`, any port, any path).
    pub(crate) fn redirect_allowed(&self, uri: &str) -> bool {
        if !self.redirect_uris.is_empty() {
            return self.redirect_uris.iter().any(|u| u == uri);
        }
        let Ok(url) = reqwest::Url::parse(uri) else {
            return false;
        };
        matches!(url.scheme(), "http" | "https")
            && url.fragment().is_none()
            && matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
    }
}

/// The organisations of a new consent, each a new connection.
fn connections(auth: &Auth, now: i64) -> Vec<Connection> {
    auth.orgs
        .iter()
        .map(|o| Connection {
            id: Uuid::new_v4(),
            tenant_id: o.tenant_id,
            name: o.name.clone(),
            created_ms: now,
            updated_ms: now,
        })
        .collect()
}

/// `GET /identity/connect/authorize`.
pub(crate) async fn authorize(
    State(app): State<AppState>,
    query: Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(pairs)) = query else {
        return refused("invalid_request", "The request could not be read.");
    };
    let q: HashMap<String, String> = pairs.into_iter().collect();
    let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let auth = &app.auth;
    let client = match get("client_id") {
        Some(id) if id == auth.client_id => ClientKind::Web,
        Some(id) if id == auth.pkce_client_id => ClientKind::Pkce,
        _ => {
            return refused(
                "unauthorized_client",
                "Unknown client or client not enabled.",
            );
        }
    };
    let Some(redirect_uri) = get("redirect_uri").filter(|u| auth.redirect_allowed(u)) else {
        return refused("invalid_request", "Invalid redirect_uri.");
    };
    if get("response_type") != Some("code") {
        return refused("unsupported_response_type", "response_type must be code.");
    }
    let scopes: Vec<&str> = get("scope")
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect();
    if scopes.is_empty() || !scopes.iter().all(|s| known_scope(s)) {
        return refused("invalid_scope", "Invalid scope.");
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
            return refused(
                "invalid_request",
                "code_challenge must be S256 of a valid verifier.",
            );
        }
        (None, _) if client == ClientKind::Pkce => {
            return refused("invalid_request", "code_challenge is required.");
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
        connections: connections(auth, now),
    };
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let code = URL_SAFE_NO_PAD.encode(bytes);
    let (grant_id, session, scope) = (grant.id, grant.session_id, grant.scope.clone());
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
    app.stats.code_issued();

    let mut location = String::from(redirect_uri);
    location.push(if redirect_uri.contains('?') { '&' } else { '?' });
    location.push_str(&format!("code={}&scope={}", encode(&code), encode(&scope)));
    if let Some(state) = q.get("state") {
        location.push_str(&format!("&state={}", encode(state)));
    }
    location.push_str(&format!("&session_state={}", session.simple()));
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
    fn scopes_and_encoding() {
        for s in [
            "openid",
            "offline_access",
            "accounting.transactions",
            "accounting.reports.read",
        ] {
            assert!(known_scope(s), "{s}");
        }
        for s in [
            "bogus",
            "accounting.Transactions",
            "accounting.x y",
            "admin",
        ] {
            assert!(!known_scope(s), "{s}");
        }
        assert_eq!(encode("a b&c=d~"), "a%20b%26c%3Dd~");
    }
}
