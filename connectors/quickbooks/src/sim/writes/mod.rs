//! The write endpoints: `POST /v3/company/{realm}/{entity}` (create,
//! update, `?operation=delete`, `?operation=void`) and `POST …/batch`, both
//! replayed from memory when a `requestid` repeats (the first answer again,
//! nothing applied twice, whatever the repeat sends).

mod balances;
mod links;
mod ops;
mod refs;
mod rules;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tether_sim_kit::idempotency::{
    Answer, IdempotencyRule, KeySource, Mismatch, fingerprint, run_keyed,
};

use super::entity::Entity;
use super::fault::{Fault, QuickBooksErrors};
use super::reads::query_response;
use super::server::{AppState, Company, now_ms};
use super::store::Books;
use super::time;
use ops::Op;

/// Intuit's `requestid`: a query parameter of at most 50 characters.
const REQUEST_ID: IdempotencyRule = IdempotencyRule {
    source: KeySource::Query("requestid"),
    max_len: 50,
    on_mismatch: Mismatch::Replay,
};

/// Intuit's cap on the items of one batch.
const BATCH_MAX_ITEMS: usize = 30;

fn param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// An answer to store for replay: the body with `"time"`, or the Fault.
fn stored(result: Result<Value, Fault>, now_ms: i64) -> Answer {
    let (status, mut body) = match result {
        Ok(body) => (StatusCode::OK, body),
        Err(f) => (f.status, json!({"Fault": f.body()})),
    };
    body["time"] = json!(time::stamp(now_ms));
    Answer::new(status, "application/json;charset=UTF-8", body.to_string())
}

fn body_json(body: &[u8]) -> Result<Value, Fault> {
    serde_json::from_slice(body)
        .map_err(|e| Fault::invalid_property(format!("Request body is not JSON: {e}")))
}

/// What every write request carries, read once for the `requestid` replay.
pub(crate) struct WriteRequest {
    app: AppState,
    company: Arc<Company>,
    path: String,
    query: Option<String>,
    headers: HeaderMap,
    body: Bytes,
}

impl FromRequest<AppState> for WriteRequest {
    type Rejection = Response;

    async fn from_request(req: Request, app: &AppState) -> Result<Self, Response> {
        let (parts, body) = req.into_parts();
        let company = parts.extensions.get::<Arc<Company>>().cloned();
        let company = company.ok_or_else(|| StatusCode::INTERNAL_SERVER_ERROR.into_response())?;
        let body = axum::body::to_bytes(body, usize::MAX).await.map_err(|_| {
            Fault::invalid_property("The request body could not be read".into())
                .response(now_ms(app))
        })?;
        Ok(WriteRequest {
            app: app.clone(),
            company,
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(String::from),
            headers: parts.headers,
            body,
        })
    }
}

impl WriteRequest {
    /// Runs `write` on the company's books with the JSON body, at most once
    /// per `requestid`; its answer (or Fault) is what a repeat gets.
    async fn run(
        self,
        write: impl FnOnce(&mut Books, Value, i64) -> Result<Value, Fault> + Send + 'static,
    ) -> Response {
        let key = match REQUEST_ID.key(&self.headers, self.query.as_deref(), &QuickBooksErrors) {
            Ok(k) => k,
            Err(refusal) => return refusal,
        };
        let fp = fingerprint(
            "POST",
            &self.path,
            self.query.as_deref().unwrap_or(""),
            &self.body,
        );
        let (app, body) = (self.app, self.body);
        run_keyed(self.company, key, fp, &QuickBooksErrors, move |c| {
            let now = now_ms(&app);
            let result = body_json(&body).and_then(|v| {
                let mut books = c.data.write().unwrap_or_else(|p| p.into_inner());
                write(&mut books, v, now)
            });
            stored(result, now)
        })
        .await
    }
}

/// `POST /v3/company/{realm}/{entity}[?operation=delete|void][&requestid=…]`.
pub(crate) async fn post(
    Path((_, entity)): Path<(String, String)>,
    request: WriteRequest,
) -> Response {
    let now = now_ms(&request.app);
    let Some(e) = Entity::from_name(&entity) else {
        return Fault::invalid_property(format!("Unsupported entity {entity}")).response(now);
    };
    let op = match param(request.query.as_deref(), "operation").as_deref() {
        None | Some("create" | "update") => Op::Write,
        Some("delete") => Op::Delete,
        Some("void") => Op::Void,
        Some(other) => {
            return Fault::invalid_property(format!("Unsupported operation {other}")).response(now);
        }
    };
    let write = move |books: &mut Books, v, now| {
        ops::apply(books, e, op, v, now).map(|obj| json!({e.name(): obj}))
    };
    request.run(write).await
}

/// One batch item's answer (its `bId` added by the caller).
fn batch_item(books: &mut Books, item: &Value, now_ms: i64) -> Value {
    if let Some(sql) = item["Query"].as_str() {
        return match query_response(books, sql) {
            Ok(r) => json!({"QueryResponse": r}),
            Err(f) => json!({"Fault": f.body()}),
        };
    }
    let Some(e) = item.as_object().and_then(|m| {
        m.keys()
            .find_map(|k| Entity::from_name(k).filter(|e| e.name() == k))
    }) else {
        return json!({"Fault": Fault::invalid_property("The batch item names no entity".into()).body()});
    };
    let op = match item["operation"].as_str() {
        None | Some("create" | "update") => Op::Write,
        Some("delete") => Op::Delete,
        Some(other) => {
            return json!({"Fault": Fault::invalid_property(format!("Unsupported operation {other}")).body()});
        }
    };
    match ops::apply(books, e, op, item[e.name()].clone(), now_ms) {
        Ok(obj) => json!({e.name(): obj}),
        Err(f) => json!({"Fault": f.body()}),
    }
}

/// The whole batch: at most 30 items, each answered on its own.
fn run_batch(books: &mut Books, request: Value, now_ms: i64) -> Result<Value, Fault> {
    let items = request["BatchItemRequest"]
        .as_array()
        .ok_or_else(|| Fault::required("BatchItemRequest"))?;
    if items.len() > BATCH_MAX_ITEMS {
        return Err(Fault::invalid_property(format!(
            "The batch has {} items; at most {BATCH_MAX_ITEMS} are allowed",
            items.len()
        )));
    }
    let answers: Vec<Value> = items
        .iter()
        .map(|item| {
            let mut a = batch_item(books, item, now_ms);
            a["bId"] = item["bId"].clone();
            a
        })
        .collect();
    Ok(json!({"BatchItemResponse": answers}))
}

/// `POST /v3/company/{realm}/batch`: up to 30 items, each answered on its
/// own (a Fault for a failing one, the others applied).
pub(crate) async fn batch(request: WriteRequest) -> Response {
    request.run(run_batch).await
}
