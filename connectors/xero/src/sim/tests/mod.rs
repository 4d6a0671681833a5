//! Integration tests: a simulator on a loopback port, driven over HTTP the
//! way a connector drives Xero, checked against the spec's shapes.

mod auth_limits;
mod faults;
mod idempotency;
mod ledger;
mod reads;
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
