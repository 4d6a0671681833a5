//! A Xero user's app, as tests use it to change the provider's data: plain
//! HTTP against the simulator's public API, none of Tether's code.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use tether_xero::sim::SimHandle;

/// Raw access to the simulator's Xero API.
pub struct XeroApp {
    http: reqwest::Client,
    base: String,
    tenant: String,
    token: String,
}

impl XeroApp {
    /// Gets a client-credentials token from the simulator.
    pub async fn connect(sim: &SimHandle) -> XeroApp {
        let http = reqwest::Client::new();
        let response = http
            .post(format!("{}/connect/token", sim.base_url()))
            .basic_auth(sim.client_id(), Some(sim.client_secret()))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("token request");
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("token body");
        XeroApp {
            http,
            base: sim.base_url(),
            tenant: sim.tenant_id().to_string(),
            token: body["access_token"]
                .as_str()
                .expect("access_token")
                .to_owned(),
        }
    }

    /// Sends one Accounting API request; returns the status and JSON body (Null when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}/api.xro/2.0/{path}", self.base))
            .bearer_auth(&self.token)
            .header("xero-tenant-id", &self.tenant)
            .header("Accept", "application/json");
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("API request");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}
