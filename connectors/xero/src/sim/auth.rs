//! OAuth2 as Xero's identity service does it: `POST /connect/token`
//! (client_credentials now; the grant dispatch leaves room for
//! authorization_code and refresh_token), bearer token checks with expiry,
//! `GET /connections`, and a stub for `/identity/connect/authorize`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::RngCore as _;
use serde_json::json;
use uuid::Uuid;

use super::dates::{identity_datetime, now_ms, us_datetime};
use super::errors::{json_value, oauth_error, unauthorized};
use super::generate::rng::{SimRng, stream};
use super::server::AppState;

/// Scopes granted when the client asks for none.
const DEFAULT_SCOPE: &str =
    "accounting.transactions accounting.contacts accounting.settings accounting.attachments";

/// One issued access token.
#[derive(Clone, Debug)]
pub(crate) struct TokenInfo {
    pub expires_at_ms: i64,
    pub tenants: Vec<Uuid>,
}

/// One connected organisation.
#[derive(Clone, Debug)]
pub(crate) struct Connection {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub auth_event_id: Uuid,
    pub name: String,
    pub created_ms: i64,
}

/// Credentials, connections and issued tokens.
pub(crate) struct Auth {
    pub client_id: String,
    pub client_secret: String,
    ttl: Duration,
    pub connections: Vec<Connection>,
    tokens: Mutex<HashMap<String, TokenInfo>>,
}

/// The grant types of the token endpoint.
enum Grant {
    ClientCredentials,
    /// Authorization code flow: not simulated yet (answers unsupported_grant_type).
    AuthorizationCode,
    /// Refresh-token rotation: not simulated yet (answers unsupported_grant_type).
    RefreshToken,
    Unknown,
}

impl Auth {
    pub(crate) fn new(
        seed: u64,
        client_id: Option<String>,
        client_secret: Option<String>,
        ttl: Duration,
        connections: Vec<Connection>,
    ) -> Self {
        let mut rng = SimRng::new(seed, stream::AUTH, 0);
        let gen_id = rng.chars(32, b"0123456789ABCDEF");
        let gen_secret = rng.chars(
            48,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        );
        Self {
            client_id: client_id.unwrap_or(gen_id),
            client_secret: client_secret.unwrap_or(gen_secret),
            ttl,
            connections,
            tokens: Mutex::new(HashMap::new()),
        }
    }

    fn issue(&self) -> (String, i64) {
        let mut bytes = [0u8; 48];
        rand::rng().fill_bytes(&mut bytes);
        let token = URL_SAFE_NO_PAD.encode(bytes);
        let now = now_ms();
        let expires_at_ms = now + self.ttl.as_millis() as i64;
        let info = TokenInfo {
            expires_at_ms,
            tenants: self.connections.iter().map(|c| c.tenant_id).collect(),
        };
        if let Ok(mut tokens) = self.tokens.lock() {
            // Forget tokens expired more than an hour ago.
            tokens.retain(|_, t| t.expires_at_ms > now - 3_600_000);
            tokens.insert(token.clone(), info);
        }
        (token, expires_at_ms)
    }

    /// The token of an `Authorization: Bearer` header, or the 401 to send.
    #[allow(clippy::result_large_err)]
    pub(crate) fn check_bearer(&self, headers: &HeaderMap) -> Result<TokenInfo, Response> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(|| unauthorized("AuthenticationUnsuccessful"))?;
        let info = self
            .tokens
            .lock()
            .ok()
            .and_then(|t| t.get(token).cloned())
            .ok_or_else(|| unauthorized("AuthenticationUnsuccessful"))?;
        if info.expires_at_ms <= now_ms() {
            return Err(unauthorized(&format!(
                "TokenExpired: token expired at {}",
                us_datetime(info.expires_at_ms)
            )));
        }
        Ok(info)
    }

    /// The client credentials of a token request: HTTP Basic, else form fields.
    fn client_of(headers: &HeaderMap, form: &HashMap<String, String>) -> Option<(String, String)> {
        let basic = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|b| STANDARD.decode(b.trim()).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| {
                s.split_once(':')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
            });
        basic.or_else(|| {
            Some((
                form.get("client_id")?.clone(),
                form.get("client_secret")?.clone(),
            ))
        })
    }
}

/// `POST /connect/token`.
pub(crate) async fn token(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let Ok(Form(pairs)) = form else {
        return oauth_error("invalid_request");
    };
    let form: HashMap<String, String> = pairs.into_iter().collect();
    let auth = &app.auth;
    let grant = match form.get("grant_type").map(String::as_str) {
        None => return oauth_error("invalid_request"),
        Some("client_credentials") => Grant::ClientCredentials,
        Some("authorization_code") => Grant::AuthorizationCode,
        Some("refresh_token") => Grant::RefreshToken,
        Some(_) => Grant::Unknown,
    };
    match Auth::client_of(&headers, &form) {
        Some((id, secret)) if id == auth.client_id && secret == auth.client_secret => {}
        _ => return oauth_error("invalid_client"),
    }
    match grant {
        Grant::ClientCredentials => {
            let (token, _) = auth.issue();
            let scope = form
                .get("scope")
                .filter(|s| !s.trim().is_empty())
                .cloned()
                .unwrap_or_else(|| DEFAULT_SCOPE.to_string());
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
        Grant::AuthorizationCode | Grant::RefreshToken | Grant::Unknown => {
            oauth_error("unsupported_grant_type")
        }
    }
}

/// `GET /connections`: the organisations the token may use.
pub(crate) async fn connections(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let info = match app.auth.check_bearer(&headers) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let list: Vec<_> = app
        .auth
        .connections
        .iter()
        .filter(|c| info.tenants.contains(&c.tenant_id))
        .map(|c| {
            json!({
                "id": c.id.to_string(),
                "authEventId": c.auth_event_id.to_string(),
                "tenantId": c.tenant_id.to_string(),
                "tenantType": "ORGANISATION",
                "tenantName": c.name,
                "createdDateUtc": identity_datetime(c.created_ms),
                "updatedDateUtc": identity_datetime(c.created_ms),
            })
        })
        .collect();
    json_value(StatusCode::OK, &serde_json::Value::Array(list))
}

/// `GET /identity/connect/authorize`: not simulated yet.
pub(crate) async fn authorize() -> Response {
    json_value(
        StatusCode::NOT_IMPLEMENTED,
        &json!({
            "error": "not_implemented",
            "error_description": "The simulator does not implement the authorization code flow yet; use the client_credentials grant at /connect/token.",
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_credentials_are_deterministic_and_shaped() {
        let a = Auth::new(7, None, None, Duration::from_secs(1), Vec::new());
        let b = Auth::new(7, None, None, Duration::from_secs(1), Vec::new());
        assert_eq!(a.client_id, b.client_id);
        assert_eq!(a.client_secret, b.client_secret);
        assert_eq!(a.client_id.len(), 32);
        assert!(a.client_id.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(a.client_secret.len(), 48);
        let c = Auth::new(8, None, None, Duration::from_secs(1), Vec::new());
        assert_ne!(a.client_id, c.client_id);
    }

    #[test]
    fn bearer_checks() {
        let a = Auth::new(7, None, None, Duration::from_secs(60), Vec::new());
        let (t, _) = a.issue();
        let mut h = HeaderMap::new();
        assert!(a.check_bearer(&h).is_err());
        h.insert(
            header::AUTHORIZATION,
            format!("Bearer {t}").parse().unwrap(),
        );
        assert!(a.check_bearer(&h).is_ok());
        h.insert(header::AUTHORIZATION, "Bearer nope".parse().unwrap());
        assert_eq!(
            a.check_bearer(&h).err().unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }

    #[test]
    fn basic_auth_is_read() {
        let mut h = HeaderMap::new();
        let v = format!("Basic {}", STANDARD.encode("id:sec:ret"));
        h.insert(header::AUTHORIZATION, v.parse().unwrap());
        assert_eq!(
            Auth::client_of(&h, &HashMap::new()),
            Some(("id".into(), "sec:ret".into()))
        );
    }
}
