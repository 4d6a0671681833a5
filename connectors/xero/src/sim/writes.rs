//! `PUT` (create), `POST` (create or update) and `DELETE`: batch bodies,
//! `summarizeErrors`, `Idempotency-Key` replay, Xero's error bodies.

use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::collections::{Deletion, ErrorFlag, Kind};
use super::dates::now_ms;
use super::error_body::XeroErrors;
use super::errors::{self, json_text, method_not_allowed, not_found};
use super::idempotency::{
    Answer, XERO_KEYS, fingerprint, json_answer, not_found_answer, run_keyed,
};
use super::kinds::{self, Ctx, Failure, Target};
use super::rawjson::with_appended;
use super::reads::{envelope, resolve_id};
use super::server::{AppState, Tenant, TenantExt};

/// The operation of a write request.
#[derive(Clone, Debug)]
enum Op {
    /// `PUT /{Collection}`: create.
    Put,
    /// `POST /{Collection}`: create or update.
    Post,
    /// `POST /{Collection}/{id}`: update that object.
    PostId(String),
}

impl Op {
    fn method(&self) -> &'static str {
        match self {
            Op::Put => "PUT",
            _ => "POST",
        }
    }
}

fn allowed(kind: Kind, op: &Op) -> bool {
    match op {
        Op::Put => true,
        Op::Post => !matches!(kind, Kind::Accounts | Kind::TrackingCategories),
        Op::PostId(_) => kind != Kind::TaxRates,
    }
}

fn summarize(pairs: &[(String, String)]) -> bool {
    !pairs
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("summarizeErrors") && v.eq_ignore_ascii_case("false"))
}

/// The elements of a body: `{"Invoices":[...]}` (`envelope` names the
/// array), `[...]` or one object.
#[allow(clippy::result_large_err)]
pub(crate) fn elements(envelope: &str, body: &[u8]) -> Result<Vec<Map<String, Value>>, Response> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| errors::post_data_invalid(&e.to_string()))?;
    let list = match v {
        Value::Object(mut m) => {
            let key = m.keys().find(|k| k.eq_ignore_ascii_case(envelope)).cloned();
            match key.and_then(|k| m.remove(&k)) {
                Some(Value::Array(a)) => a,
                Some(other) => vec![other],
                None => vec![Value::Object(m)],
            }
        }
        Value::Array(a) => a,
        _ => return Err(errors::post_data_invalid("the body must be a JSON object")),
    };
    list.into_iter()
        .map(|e| match e {
            Value::Object(m) => Ok(m),
            _ => Err(errors::post_data_invalid(
                "every element must be a JSON object",
            )),
        })
        .collect()
}

/// The element's echo with Xero's error markers.
fn failure_json(kind: Kind, f: Failure) -> String {
    let mut echo = match f.echo {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let d = kind.desc();
    if !echo.contains_key("ValidationErrors") {
        let list: Vec<Value> = f
            .messages
            .iter()
            .map(|m| serde_json::json!({ "Message": m }))
            .collect();
        echo.insert("ValidationErrors".into(), Value::Array(list));
    }
    match d.error_flag {
        ErrorFlag::HasErrors => {
            echo.insert("HasErrors".into(), Value::Bool(true));
        }
        ErrorFlag::HasValidationErrors => {
            echo.insert("HasValidationErrors".into(), Value::Bool(true));
        }
        ErrorFlag::None => {}
    }
    if d.status_attribute {
        echo.insert("StatusAttributeString".into(), Value::from("ERROR"));
    }
    Value::Object(echo).to_string()
}

/// Which object an element creates or updates.
fn target(ctx: &Ctx, kind: Kind, op: &Op, el: &Map<String, Value>) -> Result<Target, Failure> {
    let d = kind.desc();
    let given = el
        .get(d.id_field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let not_found = |id: &str| {
        Failure::new(
            el,
            vec![format!(
                "The {} with {} '{id}' could not be found.",
                d.singular, d.id_field
            )],
        )
    };
    match (op, given) {
        (Op::PostId(_), _) => Ok(Target::New),
        (_, Some(_)) if kind == Kind::TaxRates => {
            Ok(kinds::natural_match(ctx, kind, el).map_or(Target::New, Target::Existing))
        }
        (Op::Put, Some(id)) => match Uuid::parse_str(id) {
            Ok(u) if ctx.data.col(kind).get(&u).is_some() => Err(Failure::new(
                el,
                vec![format!(
                    "This {} already exists; use POST to update it.",
                    d.singular
                )],
            )),
            _ => Ok(Target::New),
        },
        (Op::Put, None) => Ok(Target::New),
        (Op::Post, Some(id)) => match Uuid::parse_str(id) {
            Ok(u) if ctx.data.col(kind).get(&u).is_some() => Ok(Target::Existing(u)),
            _ => Err(not_found(id)),
        },
        (Op::Post, None) => {
            Ok(kinds::natural_match(ctx, kind, el).map_or(Target::New, Target::Existing))
        }
    }
}

/// Runs the elements against the dataset; Xero's 404 when the path's
/// object does not exist.
fn apply(
    app: &AppState,
    tenant: &Tenant,
    kind: Kind,
    op: &Op,
    els: Vec<Map<String, Value>>,
    summarize: bool,
) -> Answer {
    let mut data = match tenant.data.write() {
        Ok(d) => d,
        Err(poisoned) => poisoned.into_inner(),
    };
    let path_id = match op {
        Op::PostId(key) => match resolve_id(&data, kind, key) {
            Some(id) => Some(id),
            None => return not_found_answer(),
        },
        _ => None,
    };
    let mut ctx = Ctx::new(&mut data, now_ms());
    let mut results: Vec<Result<String, Failure>> = Vec::with_capacity(els.len());
    for mut el in els {
        let sp = ctx.savepoint();
        let res = match path_id {
            Some(id) => {
                if kind != Kind::TaxRates {
                    el.insert(kind.desc().id_field.into(), Value::from(id.to_string()));
                }
                kinds::write(&mut ctx, kind, Target::Existing(id), &el)
            }
            None => target(&ctx, kind, op, &el).and_then(|t| {
                if t == Target::New && matches!(op, Op::Put) && kind != Kind::TaxRates {
                    el.remove(kind.desc().id_field);
                }
                kinds::write(&mut ctx, kind, t, &el)
            }),
        };
        if res.is_err() {
            ctx.rollback_to(sp);
        }
        results.push(res.map(|(_, raw)| raw));
    }
    if summarize && results.iter().any(Result::is_err) {
        ctx.rollback_to(0);
        let failed: Vec<String> = results
            .into_iter()
            .filter_map(Result::err)
            .map(|f| failure_json(kind, f))
            .collect();
        return json_answer(StatusCode::BAD_REQUEST, errors::validation_body(&failed));
    }
    let objects: Vec<String> = results
        .into_iter()
        .map(|r| match r {
            Ok(raw) if kind.desc().status_attribute => {
                with_appended(&raw, &[("StatusAttributeString", "\"OK\"")])
            }
            Ok(raw) => raw,
            Err(f) => failure_json(kind, f),
        })
        .collect();
    json_answer(StatusCode::OK, envelope(app, kind, &objects))
}

#[allow(clippy::too_many_arguments)]
async fn write(
    app: AppState,
    tenant: TenantExt,
    collection: String,
    op: Op,
    pairs: Vec<(String, String)>,
    raw_query: Option<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(kind) = Kind::from_path(&collection) else {
        return not_found();
    };
    if !allowed(kind, &op) {
        return method_not_allowed();
    }
    let key = match idempotency_key(&headers) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let path = match &op {
        Op::PostId(id) => format!("{}/{id}", kind.desc().name),
        _ => kind.desc().name.to_string(),
    };
    let fp = fingerprint(
        op.method(),
        &path,
        raw_query.as_deref().unwrap_or(""),
        &body,
    );
    // A body Xero cannot use is an answer like any other: stored under the
    // key, so the same key with a fixed body is refused, not run.
    let els = match elements(kind.desc().name, &body) {
        Ok(e) if e.is_empty() => Err(Answer::of(errors::no_data(kind.desc().name)).await),
        Ok(e) => Ok(e),
        Err(r) => Err(Answer::of(r).await),
    };
    let summarize = summarize(&pairs);
    run_keyed(
        tenant.0.clone(),
        key,
        fp,
        &XeroErrors,
        move |tenant| match els {
            Ok(els) => apply(&app, tenant, kind, &op, els, summarize),
            Err(answer) => answer,
        },
    )
    .await
}

/// The request's `Idempotency-Key` (none when absent), or Xero's refusal of
/// an empty or too long one.
#[allow(clippy::result_large_err)]
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Response> {
    XERO_KEYS.key(headers, None, &XeroErrors)
}

/// `PUT /api.xro/2.0/{Collection}`.
pub(crate) async fn put_collection(
    State(app): State<AppState>,
    tenant: TenantExt,
    Path(collection): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    write(app, tenant, collection, Op::Put, pairs, raw, headers, body).await
}

/// `POST /api.xro/2.0/{Collection}`.
pub(crate) async fn post_collection(
    State(app): State<AppState>,
    tenant: TenantExt,
    Path(collection): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    write(app, tenant, collection, Op::Post, pairs, raw, headers, body).await
}

/// `POST /api.xro/2.0/{Collection}/{id}`.
pub(crate) async fn post_one(
    State(app): State<AppState>,
    tenant: TenantExt,
    Path((collection, id)): Path<(String, String)>,
    Query(pairs): Query<Vec<(String, String)>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    write(
        app,
        tenant,
        collection,
        Op::PostId(id),
        pairs,
        raw,
        headers,
        body,
    )
    .await
}

/// `DELETE /api.xro/2.0/{Collection}/{id}` (items, accounts, tracking categories).
pub(crate) async fn delete_one(
    State(app): State<AppState>,
    tenant: TenantExt,
    Path((collection, key)): Path<(String, String)>,
) -> Response {
    let Some(kind) = Kind::from_path(&collection) else {
        return not_found();
    };
    if kind.desc().deletion != Deletion::Hard {
        return method_not_allowed();
    }
    let tenant = tenant.0.clone();
    let out = tokio::task::spawn_blocking(move || {
        let mut data = tenant.data.write().ok()?;
        let id = resolve_id(&data, kind, &key)?;
        let mut ctx = Ctx::new(&mut data, now_ms());
        Some(kinds::delete_setting(&mut ctx, kind, id))
    })
    .await;
    match out {
        Ok(Some(Ok(None))) => {
            let mut r = Response::new(axum::body::Body::empty());
            *r.status_mut() = StatusCode::NO_CONTENT;
            r
        }
        Ok(Some(Ok(Some(raw)))) => json_text(StatusCode::OK, envelope(&app, kind, &[raw])),
        Ok(Some(Err(f))) => errors::validation(&[failure_json(kind, f)]),
        Ok(None) => not_found(),
        Err(_) => errors::injected(StatusCode::INTERNAL_SERVER_ERROR),
    }
}
