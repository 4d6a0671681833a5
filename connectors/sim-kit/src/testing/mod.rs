//! The kit over HTTP without Xero: "Widgets", a provider shaped like
//! QuickBooks (the tenant is the `{realmId}` path segment, reads by
//! `POST …/query`, `?requestid=` replays, one realm per consent announced
//! as `realmId`, JSON revocation), served on a real socket and driven
//! with reqwest.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{Value, json};

use crate::auth::tests::{ONE_REALM, Plain, Words};

mod oauth;
use crate::auth::{Auth, AuthSetup, Org};
use crate::config::{Force429, Limits, SimFaults};
use crate::errors::ErrorBody;
use crate::handle::{SimHandle, serve};
use crate::idempotency::{
    Answer, Idempotency, IdempotencyRule, KeySource, Mismatch, fingerprint, run_keyed,
};
use crate::limits::Throttle;
use crate::provider::Provider;
use crate::respond::{empty, json_value};
use crate::server::{SimState, Tenant};

/// QuickBooks' rule: `?requestid=`, 50 characters, a repeat replays.
const REQUEST_ID: IdempotencyRule = IdempotencyRule {
    source: KeySource::Query("requestid"),
    max_len: 50,
    on_mismatch: Mismatch::Replay,
};

pub(super) struct Widgets;

impl Provider for Widgets {
    type Tenant = String;
    type Data = BTreeMap<String, String>;

    fn errors(&self) -> &dyn ErrorBody {
        &Words
    }

    fn tenant_of(&self, req: &Parts) -> Option<String> {
        let rest = req.uri.path().strip_prefix("/v3/company/")?;
        Some(rest.split('/').next()?.to_string())
    }

    fn is_write(&self, req: &Parts) -> bool {
        req.method == axum::http::Method::POST && !req.uri.path().ends_with("/query")
    }

    fn throttled(&self, t: &Throttle) -> Response {
        let mut r = empty(StatusCode::TOO_MANY_REQUESTS);
        r.headers_mut().insert(
            "Retry-After",
            t.retry_after_secs.to_string().parse().unwrap(),
        );
        r
    }

    fn forbidden(&self) -> Response {
        empty(StatusCode::FORBIDDEN)
    }

    fn corrupt(&self, data: &mut Self::Data, _: &str, id: &str, _: &str, value: &Value) -> bool {
        data.get_mut(id).map(|v| *v = value.to_string()).is_some()
    }

    fn snapshot(&self, data: &Self::Data, _: &str) -> Vec<Value> {
        data.values()
            .map(|v| serde_json::from_str(v).unwrap_or(Value::Null))
            .collect()
    }

    fn id_field(_: &str) -> &'static str {
        "Id"
    }
}

type St = Arc<SimState<Widgets>>;
type TenantExt = Extension<Arc<Tenant<Widgets>>>;

async fn create(
    State(app): State<St>,
    Extension(t): TenantExt,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = match REQUEST_ID.key(&headers, q.as_deref(), app.provider.errors()) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let fp = fingerprint("POST", "widget", q.as_deref().unwrap_or(""), &body);
    let body = String::from_utf8_lossy(&body).into_owned();
    run_keyed(t, key, fp, &Words, move |t| {
        let mut d = t.data.write().unwrap();
        let id = (d.len() + 1).to_string();
        d.insert(id.clone(), body);
        Answer::new(
            StatusCode::OK,
            "application/json",
            json!({ "Widget": { "Id": id } }).to_string(),
        )
    })
    .await
}

async fn query(Extension(t): TenantExt) -> Response {
    let n = t.data.read().unwrap().len();
    json_value(
        StatusCode::OK,
        &json!({ "QueryResponse": { "totalCount": n } }),
    )
}

async fn read(Extension(t): TenantExt, Path((_, id)): Path<(String, String)>) -> Response {
    match t.data.read().unwrap().get(&id) {
        Some(raw) => json_value(StatusCode::OK, &serde_json::from_str(raw).unwrap()),
        None => empty(StatusCode::NOT_FOUND),
    }
}

fn not_found() -> Response {
    empty(StatusCode::NOT_FOUND)
}

pub(super) async fn start(limits: Limits) -> SimHandle<Widgets> {
    let realms = ["9130347", "4620816"];
    let auth = Auth::new(AuthSetup {
        seed: 1,
        client_id: None,
        client_secret: None,
        pkce_client_id: None,
        ttl: Duration::from_secs(3600),
        redirect_uris: Vec::new(),
        orgs: realms
            .iter()
            .map(|r| Org {
                tenant_id: r.to_string(),
                name: format!("Company {r}"),
            })
            .collect(),
        custom: None,
        profile: &ONE_REALM,
        minter: Box::new(Plain),
    });
    let tenants = realms
        .iter()
        .map(|r| Tenant {
            id: r.to_string(),
            name: format!("Company {r}"),
            data: RwLock::new(BTreeMap::new()),
            idem: Idempotency::new(Duration::from_secs(600), REQUEST_ID.on_mismatch),
        })
        .collect();
    let state = SimState::new(
        Widgets,
        auth,
        tenants,
        limits,
        SimFaults::default(),
        "application/json",
    );
    let api = Router::new()
        .route("/v3/company/{realm}/widget", post(create))
        .route("/v3/company/{realm}/widget/{id}", get(read))
        .route("/v3/company/{realm}/query", post(query));
    let p = ONE_REALM.paths;
    let open = Router::new()
        .route(
            p.authorize,
            get(crate::auth::authorize::<SimState<Widgets>>),
        )
        .route(p.token, post(crate::auth::token::<SimState<Widgets>>))
        .route(p.revoke, post(crate::auth::revoke::<SimState<Widgets>>))
        .route(
            "/.well-known/openid_configuration/",
            get(crate::auth::discovery::<SimState<Widgets>>),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    serve(state, listener, api, open, not_found).unwrap()
}

pub(super) fn roomy() -> Limits {
    Limits {
        enabled: true,
        concurrent: 10,
        per_window: 500,
        window: Duration::from_secs(60),
        per_day: None,
        app_per_window: None,
    }
}

pub(super) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Consents, exchanges the code; (access token, refresh token, realm id).
pub(super) async fn connect(h: &SimHandle<Widgets>) -> (String, String, String) {
    let c = client();
    let r = c
        .get(format!("{}/authorize", h.base_url()))
        .query(&[
            ("client_id", h.client_id()),
            ("redirect_uri", "http://localhost:1/cb"),
            ("response_type", "code"),
            ("scope", "com.intuit.quickbooks.accounting"),
            ("state", "xyz"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let q: BTreeMap<String, String> = loc.query_pairs().into_owned().collect();
    let r = c
        .post(format!("{}/token", h.base_url()))
        .basic_auth(h.client_id(), Some(h.client_secret()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", q["code"].as_str()),
            ("redirect_uri", "http://localhost:1/cb"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["x_refresh_token_expires_in"], 100 * 86_400);
    (
        v["access_token"].as_str().unwrap().to_string(),
        v["refresh_token"].as_str().unwrap().to_string(),
        q["realmId"].clone(),
    )
}

#[tokio::test]
async fn one_realm_per_consent_tenant_from_the_path_and_json_revocation() {
    let h = start(roomy()).await;
    let (at, _rt, realm) = connect(&h).await;
    assert_eq!(realm, "9130347");
    let c = client();
    let query = |realm: &str| {
        c.post(format!("{}/v3/company/{realm}/query", h.base_url()))
            .bearer_auth(&at)
            .send()
    };
    assert_eq!(query(&realm).await.unwrap().status(), 200);
    assert_eq!(
        query("4620816").await.unwrap().status(),
        403,
        "not consented"
    );
    let unauth = c
        .post(format!("{}/v3/company/{realm}/query", h.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(unauth.status(), 401);

    let form_revoke = c
        .post(format!("{}/revoke", h.base_url()))
        .basic_auth(h.client_id(), Some(h.client_secret()))
        .form(&[("token", at.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(form_revoke.status(), 400, "Intuit's revoke takes JSON");
    let revoke = c
        .post(format!("{}/revoke", h.base_url()))
        .basic_auth(h.client_id(), Some(h.client_secret()))
        .json(&json!({ "token": at }))
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 200);
    assert_eq!(query(&realm).await.unwrap().status(), 401);
    assert_eq!(h.stats().revocations, 1);

    let d: Value = c
        .get(format!(
            "{}/.well-known/openid_configuration/",
            h.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["token_endpoint"], format!("{}/token", h.base_url()));
    h.shutdown().await;
}

#[tokio::test]
async fn request_ids_replay_the_first_answer() {
    let h = start(roomy()).await;
    let (at, _, realm) = connect(&h).await;
    let c = client();
    let post = |rid: &str, body: Value| {
        c.post(format!("{}/v3/company/{realm}/widget", h.base_url()))
            .query(&[("requestid", rid), ("minorversion", "75")])
            .bearer_auth(&at)
            .json(&body)
            .send()
    };
    let a: Value = post("r-1", json!({"Name": "a"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let b: Value = post("r-1", json!({"Name": "b"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(a, b, "a repeat answers the first answer");
    assert_eq!(h.snapshot("widget").len(), 1);
    let long = "x".repeat(51);
    assert_eq!(post(&long, json!({})).await.unwrap().status(), 400);
    let c2: Value = post("r-2", json!({"Name": "c"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(c2["Widget"]["Id"], "2");
    assert!(h.corrupt("widget", "2", "Name", json!(7)));
    assert_eq!(h.snapshot("widget")[1], json!(7));
    assert_eq!(SimHandle::<Widgets>::id_field("widget"), "Id");
    h.shutdown().await;
}

#[tokio::test]
async fn queries_by_post_are_reads_and_limits_apply_per_realm() {
    let h = start(Limits {
        per_window: 3,
        ..roomy()
    })
    .await;
    let (at, _, realm) = connect(&h).await;
    let c = client();
    h.set_faults(SimFaults {
        lose_write_answers: 1,
        ..Default::default()
    });
    let q = c
        .post(format!("{}/v3/company/{realm}/query", h.base_url()))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap();
    assert_eq!(
        q.status(),
        200,
        "a query is not a write: its answer arrives"
    );
    let w = c
        .post(format!("{}/v3/company/{realm}/widget", h.base_url()))
        .bearer_auth(&at)
        .json(&json!({}))
        .send()
        .await;
    assert!(w.is_err(), "the write's answer is lost");
    assert_eq!(h.stats().lost_answers, 1);
    assert_eq!(h.snapshot("widget").len(), 1, "but the write happened");
    let third = c
        .post(format!("{}/v3/company/{realm}/query", h.base_url()))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap();
    assert_eq!(third.status(), 200);
    let over = c
        .post(format!("{}/v3/company/{realm}/query", h.base_url()))
        .bearer_auth(&at)
        .send()
        .await
        .unwrap();
    assert_eq!(over.status(), 429);
    assert!(over.headers().contains_key("retry-after"));
    let stats: Value = c
        .get(format!("{}/_sim/stats", h.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["throttled"], 1);
    assert_eq!(stats["requests"]["POST /v3/company/{id}/query"], 3);
    h.set_faults(SimFaults {
        force_429: Some(Force429 {
            count: 1,
            retry_after_secs: 1,
        }),
        ..Default::default()
    });
    let clock: Value = c
        .post(format!("{}/_sim/clock", h.base_url()))
        .json(&json!({ "advance_secs": 7200 }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(clock["offset_secs"], 7200);
    h.shutdown().await;
}
