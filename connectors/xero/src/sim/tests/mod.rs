//! Integration tests: a simulator on a loopback port, driven over HTTP the
//! way a connector drives Xero, checked against the spec's shapes.

mod auth_limits;
mod deletes;
mod faults;
mod idempotency;
mod ledger;
mod modified_since;
mod mutations;
mod oauth;
mod oauth_connections;
mod oauth_flow;
mod oauth_refresh;
mod reads;
mod silent;
mod tenants;
mod tracking;
mod uniqueness;
mod updates;
mod write_faults;
mod writes;

use reqwest::{Client, Method, Response};
use serde_json::Value;

use super::{SimConfig, SimHandle, SimLimits, SimSizes, XeroSim};

/// A started simulator, a client and a token.
pub(super) struct Sim {
    pub h: SimHandle,
    pub c: Client,
    pub token: String,
}

/// A small organisation without rate limits.
pub(super) fn config(invoices: usize) -> SimConfig {
    SimConfig {
        seed: 7,
        sizes: SimSizes::scaled(invoices),
        limits: SimLimits::off(),
        ..SimConfig::default()
    }
}

impl Sim {
    pub(super) async fn start(cfg: SimConfig) -> Sim {
        let h = XeroSim::start(cfg, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let c = Client::new();
        let token = token(&c, &h).await;
        Sim { h, c, token }
    }

    pub(super) fn api(&self, path: &str) -> String {
        format!("{}/api.xro/2.0/{path}", self.h.base_url())
    }

    /// An authenticated API request for the simulator's tenant.
    pub(super) fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.c
            .request(method, self.api(path))
            .bearer_auth(&self.token)
            .header("xero-tenant-id", self.h.tenant_id().to_string())
    }

    pub(super) async fn get(&self, path: &str) -> Response {
        self.req(Method::GET, path).send().await.unwrap()
    }

    pub(super) async fn get_json(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status(), 200, "GET {path}");
        r.json().await.unwrap()
    }

    pub(super) async fn send(&self, method: Method, path: &str, body: &Value) -> Response {
        self.req(method, path).json(body).send().await.unwrap()
    }
}

/// A client-credentials token.
pub(super) async fn token(c: &Client, h: &SimHandle) -> String {
    let r = c
        .post(format!("{}/connect/token", h.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", h.client_id()),
            ("client_secret", h.client_secret()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

/// Milliseconds of a `/Date(ms+0000)/` value.
pub(super) fn ms(v: &Value) -> i64 {
    crate::sim::dates::parse_xero_date(v.as_str().unwrap()).unwrap()
}

/// `If-Modified-Since` for the whole second `ms` falls in, in the
/// `yyyy-mm-ddThh:mm:ss` form Xero documents.
pub(super) fn since_header(ms: i64) -> String {
    use chrono::TimeZone;
    chrono::Utc
        .timestamp_millis_opt(ms)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// The current second as `If-Modified-Since`: whatever is written from now
/// on is modified at or after it.
pub(super) fn since_now() -> String {
    since_header(chrono::Utc::now().timestamp_millis())
}

/// Waits for the next whole second and answers it as `If-Modified-Since`:
/// whatever was written before is older than it.
pub(super) async fn next_second() -> String {
    let now = chrono::Utc::now().timestamp_millis();
    let next = (now / 1000 + 1) * 1000;
    tokio::time::sleep(std::time::Duration::from_millis((next - now + 5) as u64)).await;
    since_header(next)
}

impl Sim {
    /// Every object of `collection` a modified-since pull returns: all
    /// pages, archived ones included where the endpoint can include them.
    pub(super) async fn pull(&self, collection: &str, since: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for page in 1.. {
            let path = format!("{collection}?page={page}&pageSize=1000&includeArchived=true");
            let r = self
                .req(Method::GET, &path)
                .header("If-Modified-Since", since)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "GET {path}");
            let v: Value = r.json().await.unwrap();
            let list = v[collection].as_array().cloned().unwrap_or_default();
            let last = v["pagination"].is_null() || list.len() < 1000;
            out.extend(list);
            if last {
                break;
            }
        }
        out
    }

    /// The ids (`field`) of what a modified-since pull returns.
    pub(super) async fn pulled_ids(
        &self,
        collection: &str,
        field: &str,
        since: &str,
    ) -> Vec<String> {
        self.pull(collection, since)
            .await
            .iter()
            .filter_map(|o| o[field].as_str().map(str::to_string))
            .collect()
    }

    /// The one object of `GET {collection}/{id}`.
    pub(super) async fn one(&self, collection: &str, id: &str) -> Value {
        self.get_json(&format!("{collection}/{id}")).await[collection][0].clone()
    }
}
