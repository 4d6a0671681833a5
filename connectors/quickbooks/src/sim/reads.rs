//! The read endpoints: the query language (`GET …/query?query=` or `POST
//! …/query` with an `application/text` body), reading one object by `Id`
//! (`CompanyInfo` by the realm's id), and CDC (the ten entities only).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::answer;
use super::cdc::{self, CDC_MAX_OBJECTS, CDC_WINDOW_MS};
use super::entity::{Entity, Readable};
use super::fault::Fault;
use super::query::{self, Answer};
use super::server::{AppState, CompanyExt, now_ms};
use super::store::Books;
use super::time;

/// The `QueryResponse` of a query over `books`, or its Fault 4000.
pub(crate) fn query_response(books: &Books, sql: &str) -> Result<Value, Fault> {
    let q = query::parse(sql).map_err(Fault::query)?;
    Ok(match query::run(&q, books.readable(q.from)) {
        Answer::Count(n) => json!({"totalCount": n}),
        Answer::Page(objs) if objs.is_empty() => json!({}),
        Answer::Page(objs) => {
            let n = objs.len();
            json!({q.from.name(): objs, "startPosition": q.start, "maxResults": n})
        }
    })
}

fn run_query(app: &AppState, company: &CompanyExt, sql: &str) -> Response {
    let now = now_ms(app);
    let books = company.data.read().unwrap_or_else(|p| p.into_inner());
    match query_response(&books, sql) {
        Ok(body) => answer::ok(json!({"QueryResponse": body}), now),
        Err(f) => f.response(now),
    }
}

/// `GET /v3/company/{realm}/query?query=…`.
pub(crate) async fn query_get(
    State(app): State<AppState>,
    company: CompanyExt,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let sql = params.get("query").map(String::as_str).unwrap_or("");
    run_query(&app, &company, sql)
}

/// `POST /v3/company/{realm}/query` with the query as the body.
pub(crate) async fn query_post(
    State(app): State<AppState>,
    company: CompanyExt,
    body: String,
) -> Response {
    run_query(&app, &company, &body)
}

/// `GET /v3/company/{realm}/{entity}/{id}`: one object, or 610.
pub(crate) async fn one(
    State(app): State<AppState>,
    company: CompanyExt,
    Path((_, entity, id)): Path<(String, String, String)>,
) -> Response {
    let now = now_ms(&app);
    let Some(r) = Readable::from_name(&entity) else {
        return Fault::invalid_property(format!("Unsupported entity {entity}")).response(now);
    };
    let books = company.data.read().unwrap_or_else(|p| p.into_inner());
    let found = match r {
        // Intuit reads CompanyInfo at `companyinfo/{realmId}`, not by its own `Id`.
        Readable::CompanyInfo => {
            Some(books.company_info()).filter(|i| id == company.id && !i.is_null())
        }
        Readable::Entity(e) => id.parse().ok().and_then(|n| books.get(e, n)),
    };
    match found {
        Some(obj) => answer::ok(json!({r.name(): obj}), now),
        None => Fault::not_found(r.name(), &id).response(now),
    }
}

/// `GET /v3/company/{realm}/cdc?entities=…&changedSince=…`.
pub(crate) async fn cdc(
    State(app): State<AppState>,
    company: CompanyExt,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let now = now_ms(&app);
    let Some(since) = params.get("changedSince") else {
        return Fault::required("changedSince").response(now);
    };
    let Some(since_ms) = time::parse_instant(since) else {
        return Fault::query(format!("changedSince {since} is not a date-time")).response(now);
    };
    if now - since_ms > CDC_WINDOW_MS {
        return Fault::query(format!("changedSince {since} must be within 30 days"))
            .at("changedSince")
            .response(now);
    }
    let names = params.get("entities").map(String::as_str).unwrap_or("");
    let mut entities = Vec::new();
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match Entity::from_name(name) {
            Some(e) => entities.push(e),
            None => return Fault::query(format!("Unsupported entity {name} in CDC")).response(now),
        }
    }
    if entities.is_empty() {
        return Fault::required("entities").response(now);
    }
    let books = company.data.read().unwrap_or_else(|p| p.into_inner());
    let grouped = cdc::changes(&books, &entities, since_ms, CDC_MAX_OBJECTS);
    answer::ok(json!({"CDCResponse": cdc::response(grouped)}), now)
}
