//! QuickBooks' consent screen. A sandbox has no person to ask, so a valid
//! request is consented at once and answered `302` to
//! `{redirect_uri}?code=…&state=…&realmId=…`. A person picks one company
//! per consent; here each consent of a client picks the next company not
//! yet granted to it (in order), and once all are, goes round again. A bad
//! request stays on Intuit's page (never a redirect).

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use tether_sim_kit::ErrorBody;
use tether_sim_kit::auth::{Auth, Connection, Grant};
use tether_sim_kit::pkce;
use uuid::Uuid;

use crate::sim::fault::QuickBooksErrors;
use crate::sim::server::AppState;

/// Which company each grant of each client connects.
#[derive(Default)]
pub(crate) struct Consents {
    given: Mutex<Vec<(String, String, Uuid)>>,
    /// Consents per client once every company was granted.
    rounds: Mutex<HashMap<String, usize>>,
}

impl Consents {
    /// Notes that `grant` connects `client` to `realm`.
    pub(crate) fn record(&self, client: &str, realm: &str, grant: Uuid) {
        let mut g = self.given.lock().unwrap_or_else(|p| p.into_inner());
        g.push((client.to_string(), realm.to_string(), grant));
    }

    /// The company the next consent of `client` connects.
    fn next(&self, auth: &Auth<String>, client: &str, realms: &[String]) -> String {
        let given = self.given.lock().unwrap_or_else(|p| p.into_inner());
        let grants = auth.grants();
        let live = |realm: &str| {
            given
                .iter()
                .any(|(c, r, id)| c == client && r == realm && grants.grant(id).is_some())
        };
        if let Some(r) = realms.iter().find(|r| !live(r)) {
            return r.clone();
        }
        let mut rounds = self.rounds.lock().unwrap_or_else(|p| p.into_inner());
        let n = rounds.entry(client.to_string()).or_default();
        *n += 1;
        realms[(*n - 1) % realms.len()].clone()
    }
}

/// A new grant of `client` connecting `realm`.
pub(crate) fn grant_for(
    auth: &Auth<String>,
    client: &str,
    scope: &str,
    realm: &str,
) -> Grant<String> {
    let now = auth.clock.now_ms();
    let name = auth
        .orgs
        .iter()
        .find(|o| o.tenant_id == realm)
        .map_or_else(String::new, |o| o.name.clone());
    Grant {
        id: Uuid::new_v4(),
        client_id: client.to_string(),
        scope: scope.to_string(),
        user_id: Uuid::new_v4(),
        session_id: Uuid::new_v4(),
        auth_ms: now,
        connections: vec![Connection {
            id: Uuid::new_v4(),
            tenant_id: realm.to_string(),
            name,
            created_ms: now,
            updated_ms: now,
        }],
    }
}

/// `GET /connect/oauth2`.
pub(crate) async fn authorize(State(app): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let q: HashMap<String, String> = url::form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let auth = &app.auth;
    let refuse = |error: &str, why: &str| QuickBooksErrors.authorize_refused(error, why);
    let client = match get("client_id") {
        Some(id) if id == auth.client_id || id == auth.pkce_client_id => id.to_string(),
        _ => return refuse("invalid_client", "Unknown client_id."),
    };
    let Some(redirect_uri) = get("redirect_uri").filter(|u| auth.redirect_allowed(u)) else {
        return refuse(
            "invalid_request",
            "redirect_uri is not registered for this app.",
        );
    };
    if get("response_type") != Some("code") {
        return refuse("unsupported_response_type", "response_type must be code.");
    }
    let scope = get("scope").unwrap_or("");
    if scope.is_empty()
        || !scope
            .split(' ')
            .all(|s| s.is_empty() || (auth.profile.scope_known)(s))
    {
        return refuse("invalid_scope", "Unknown scope.");
    }
    let challenge = match (get("code_challenge"), get("code_challenge_method")) {
        (None, _) if client == auth.pkce_client_id => {
            return refuse("invalid_request", "code_challenge is required.");
        }
        (None, _) => None,
        (Some(c), Some("S256")) if pkce::well_formed(c) => Some(c.to_string()),
        (Some(_), _) => {
            return refuse(
                "invalid_request",
                "code_challenge must be the S256 of a verifier.",
            );
        }
    };
    let realm = app.provider.consents.next(auth, &client, &app.order);
    let grant = grant_for(auth, &client, scope, &realm);
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let code = format!("AB11{}", URL_SAFE_NO_PAD.encode(bytes));
    let now = auth.clock.now_ms();
    app.provider.consents.record(&client, &realm, grant.id);
    {
        let mut grants = auth.grants();
        let id = grant.id;
        grants.insert(grant);
        grants.add_code(
            code.clone(),
            id,
            redirect_uri.to_string(),
            challenge,
            get("nonce").map(String::from),
            now,
        );
    }
    app.stats.code_issued();
    let Ok(mut location) = url::Url::parse(redirect_uri) else {
        return refuse("invalid_request", "redirect_uri is not a URL.");
    };
    location.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = get("state") {
        location.query_pairs_mut().append_pair("state", state);
    }
    location.query_pairs_mut().append_pair("realmId", &realm);
    (
        StatusCode::FOUND,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}
