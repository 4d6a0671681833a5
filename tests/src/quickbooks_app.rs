//! Another QuickBooks user's app, as tests use it to change the provider's
//! data: plain HTTP against the simulator's documented API with a token from
//! its OAuth Playground, none of Tether's code.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tether_quickbooks::sim::SimHandle;

/// Raw access to one company of the simulator.
pub struct QuickBooksApp {
    http: reqwest::Client,
    company: String,
    token: String,
}

impl QuickBooksApp {
    /// An app holding a Playground token for the simulator's first company.
    pub async fn connect(sim: &SimHandle) -> QuickBooksApp {
        let realm = sim.tenant_id();
        QuickBooksApp {
            http: reqwest::Client::new(),
            company: format!("{}/v3/company/{realm}", sim.base_url()),
            token: sim.playground_token(&realm),
        }
    }

    /// `POST /{entity}` with `query` and `body`; the status and the JSON answer.
    pub async fn post(
        &self,
        entity: &str,
        query: &[(&str, &str)],
        body: &Value,
    ) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}/{}", self.company, entity.to_lowercase()))
            .query(&[("minorversion", "75")])
            .query(query)
            .bearer_auth(&self.token)
            .header("Accept", "application/json")
            .json(body)
            .send()
            .await
            .expect("API request");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Every object a query selects (one page of at most 1,000).
    pub async fn query(&self, entity: &str, sql: &str) -> Vec<Value> {
        let response = self
            .http
            .get(format!("{}/query", self.company))
            .query(&[("query", sql), ("minorversion", "75")])
            .bearer_auth(&self.token)
            .header("Accept", "application/json")
            .send()
            .await
            .expect("query");
        assert_eq!(response.status(), StatusCode::OK, "{sql}");
        let body: Value = response.json().await.expect("query answer");
        body["QueryResponse"][entity]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// A sparse update of `object` (as read) setting `fields`; the new object.
    pub async fn update(&self, entity: &str, object: &Value, fields: Value) -> Value {
        let mut body = json!({
            "Id": object["Id"],
            "SyncToken": object["SyncToken"],
            "sparse": true,
        });
        for (k, v) in fields.as_object().expect("fields are an object") {
            body[k] = v.clone();
        }
        let (status, answer) = self.post(entity, &[], &body).await;
        assert_eq!(status, StatusCode::OK, "update {entity}: {answer}");
        answer[entity].clone()
    }

    /// Deletes a transaction outright (`operation=delete`).
    pub async fn delete(&self, entity: &str, object: &Value) {
        let body = json!({"Id": object["Id"], "SyncToken": object["SyncToken"]});
        let (status, answer) = self.post(entity, &[("operation", "delete")], &body).await;
        assert_eq!(status, StatusCode::OK, "delete {entity}: {answer}");
    }
}
