//! HTTP tests: a simulator on a loopback port, driven the way a connector
//! drives QuickBooks Online, checked against what Intuit documents.

mod cdc;
mod company;
mod limits;
mod oauth;
mod reads;
mod writes;

use reqwest::{Client, Response};
use serde_json::Value;

use super::{QuickBooksSim, SimConfig, SimHandle, SimLimits, SimSizes};

/// The minor version every call of a well-behaved client carries.
pub(super) const MINOR: &str = "minorversion=75";

/// A started simulator, a client and a token for its first company.
pub(super) struct Sim {
    pub h: SimHandle,
    pub c: Client,
    pub token: String,
    pub realm: String,
}

/// A company of `invoices` invoices (and the rest in proportion), no limits.
pub(super) fn config(invoices: usize) -> SimConfig {
    SimConfig {
        seed: 11,
        sizes: SimSizes::scaled(invoices),
        limits: SimLimits::off(),
        ..SimConfig::default()
    }
}

impl Sim {
    pub(super) async fn start(cfg: SimConfig) -> Sim {
        let h = QuickBooksSim::start(cfg, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let realm = h.tenant_id();
        let token = h.playground_token(&realm);
        Sim {
            c: Client::new(),
            token,
            realm,
            h,
        }
    }

    /// `{base}/v3/company/{realm}/{path}`.
    pub(super) fn api(&self, path: &str) -> String {
        format!("{}/v3/company/{}/{path}", self.h.base_url(), self.realm)
    }

    /// Runs a query (GET, with the minor version); answers status and body.
    pub(super) async fn query(&self, sql: &str) -> (u16, Value) {
        let r = self
            .c
            .get(self.api("query"))
            .query(&[("query", sql), ("minorversion", "75")])
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        status_json(r).await
    }

    /// A GET of an API path (the minor version added).
    pub(super) async fn get(&self, path: &str) -> (u16, Value) {
        let sep = if path.contains('?') { '&' } else { '?' };
        let r = self
            .c
            .get(self.api(&format!("{path}{sep}{MINOR}")))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        status_json(r).await
    }

    /// A POST of JSON to an API path (the minor version added).
    pub(super) async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let sep = if path.contains('?') { '&' } else { '?' };
        let r = self
            .c
            .post(self.api(&format!("{path}{sep}{MINOR}")))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap();
        status_json(r).await
    }
}

pub(super) async fn status_json(r: Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The first error code of a Fault body.
pub(super) fn fault_code(body: &Value) -> &str {
    body["Fault"]["Error"][0]["code"].as_str().unwrap_or("")
}
