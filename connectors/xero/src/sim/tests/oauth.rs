//! Helpers of the OAuth tests: a consent, a code exchange and a refresh
//! spoken in plain HTTP, as any OAuth client would.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Client, Response, StatusCode, Url};
use serde_json::Value;

use super::{Sim, config};
use crate::sim::SimConfig;

/// Where the tests' app is called back (any loopback URI is registered).
pub(super) const REDIRECT: &str = "http://127.0.0.1:53682/callback";
/// A scope with a refresh token and an ID token.
pub(super) const SCOPE: &str = "openid profile email offline_access accounting.transactions accounting.contacts accounting.settings";
/// An RFC 7636 verifier and its S256 challenge (Appendix B).
pub(super) const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub(super) const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// A client that does not follow redirects, so the consent's 302 is seen.
pub(super) fn browser() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A simulator of `tenants` organisations without rate limits.
pub(super) async fn start(tenants: usize) -> Sim {
    Sim::start(SimConfig {
        tenants,
        ..config(10)
    })
    .await
}

/// `GET /identity/connect/authorize` with the given parameters.
pub(super) async fn authorize(sim: &Sim, params: &[(&str, &str)]) -> Response {
    let mut url = Url::parse(&format!("{}/identity/connect/authorize", sim.h.base_url())).unwrap();
    url.query_pairs_mut().extend_pairs(params);
    browser().get(url).send().await.unwrap()
}

/// The query of a redirect's `Location`, decoded.
pub(super) fn callback(r: &Response) -> Vec<(String, String)> {
    assert_eq!(r.status(), StatusCode::FOUND, "a redirect");
    let loc = r.headers()["location"].to_str().unwrap();
    Url::parse(loc)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// One parameter of a callback.
pub(super) fn param(q: &[(String, String)], name: &str) -> Option<String> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// A consent of the web app (PKCE challenge given): the code.
pub(super) async fn code(sim: &Sim, scope: &str) -> String {
    let r = authorize(
        sim,
        &[
            ("response_type", "code"),
            ("client_id", sim.h.client_id()),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("state", "s"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    param(&callback(&r), "code").unwrap()
}

/// `POST /connect/token` with the web app's secret in the form.
pub(super) async fn token_request(sim: &Sim, form: &[(&str, &str)]) -> Response {
    let mut all = vec![
        ("client_id", sim.h.client_id()),
        ("client_secret", sim.h.client_secret()),
    ];
    all.extend_from_slice(form);
    sim.c
        .post(format!("{}/connect/token", sim.h.base_url()))
        .form(&all)
        .send()
        .await
        .unwrap()
}

/// Exchanges a code of [`code`]; the answer's status and JSON.
pub(super) async fn exchange(sim: &Sim, code: &str) -> (StatusCode, Value) {
    let r = token_request(
        sim,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    (r.status(), r.json().await.unwrap())
}

/// A consent and its exchange: the token answer.
pub(super) async fn tokens(sim: &Sim) -> Value {
    let c = code(sim, SCOPE).await;
    let (status, v) = exchange(sim, &c).await;
    assert_eq!(status, 200, "{v}");
    v
}

/// A `refresh_token` grant; the answer's status and JSON.
pub(super) async fn refresh(sim: &Sim, refresh_token: &str) -> (StatusCode, Value) {
    let r = token_request(
        sim,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .await;
    (r.status(), r.json().await.unwrap())
}

/// A string field of a token answer.
pub(super) fn s(v: &Value, field: &str) -> String {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {v}"))
        .to_string()
}

/// The claims of a JWT, decoded without verification as clients read them.
pub(super) fn claims(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// `GET /api.xro/2.0/{path}` with a token, for a tenant: the status.
pub(super) async fn api_status(sim: &Sim, token: &str, tenant: uuid::Uuid, path: &str) -> u16 {
    sim.c
        .get(sim.api(path))
        .bearer_auth(token)
        .header("xero-tenant-id", tenant.to_string())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// `GET /connections` with a token: the list.
pub(super) async fn connections(sim: &Sim, token: &str, query: &str) -> Vec<Value> {
    let r = sim
        .c
        .get(format!("{}/connections{query}", sim.h.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap().as_array().unwrap().clone()
}
