//! Tally's API, served on loopback: client-credentials tokens and a consent
//! that names its company on the redirect, the tenants
//! ("companies") a grant reaches, per-entity listings (paged by position,
//! narrowed by `changedSince` or `ids`), and the change feed `/cdc` with its
//! cap and tombstones. Test code changes its data through [`TallyHandle`],
//! as the provider's own users would through its UI.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::connector::{CDC_MAX_OBJECTS, ENTITIES};

/// The one company the test grant reaches.
pub const REALM: &str = "9130350000000001";
const CLIENT_ID: &str = "tally-test-client";
const CLIENT_SECRET: &str = "tally-test-secret";
const TOKEN: &str = "tally-access-token";

/// One live object.
#[derive(Clone)]
struct Entry {
    object: Value,
    updated: DateTime<Utc>,
}

#[derive(Default)]
struct Books {
    /// Live objects per entity, by id.
    live: HashMap<&'static str, BTreeMap<String, Entry>>,
    /// Deleted ids per entity, with when.
    deleted: HashMap<&'static str, Vec<(String, DateTime<Utc>)>>,
    /// Calls per endpoint (`cdc`, `customer`, `customer?ids`, ...).
    calls: HashMap<String, u64>,
    /// Added to the real clock: a company whose time runs elsewhere.
    clock_offset: chrono::Duration,
    next_id: u64,
}

impl Books {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_offset
    }
}

/// The running provider.
#[derive(Clone)]
pub struct TallyHandle {
    books: Arc<Mutex<Books>>,
    addr: SocketAddr,
    serving: tokio::task::AbortHandle,
}

impl TallyHandle {
    /// Serves an empty company on `listen` (port 0: any free one).
    pub async fn start(listen: SocketAddr) -> std::io::Result<TallyHandle> {
        let books = Arc::new(Mutex::new(Books {
            next_id: 1,
            ..Books::default()
        }));
        let app = Router::new()
            .route("/oauth2/token", post(token))
            .route("/oauth2/authorize", get(authorize))
            .route("/companies", get(companies))
            .route("/v3/company/{realm}/cdc", get(cdc))
            .route("/v3/company/{realm}/{entity}", get(list))
            .with_state(books.clone());
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let serving = tokio::spawn(async move { axum::serve(listener, app).await }).abort_handle();
        Ok(TallyHandle {
            books,
            addr,
            serving,
        })
    }

    /// Stops serving.
    pub fn shutdown(&self) {
        self.serving.abort();
    }

    /// Where it listens.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The test app's client id and secret.
    pub fn credentials(&self) -> (&'static str, &'static str) {
        (CLIENT_ID, CLIENT_SECRET)
    }

    /// Creates an object of `entity` (`Customer`, `Item`, `Account`) named
    /// `name`; returns its id.
    pub fn create(&self, entity: &'static str, name: &str) -> String {
        let mut books = self.books.lock().expect("books");
        let id = books.next_id.to_string();
        books.next_id += 1;
        let now = books.now();
        let object = json!({
            "Id": id,
            "SyncToken": "0",
            "Name": name,
            "Active": true,
            "MetaData": {"CreateTime": stamp(now), "LastUpdatedTime": stamp(now)},
        });
        books.live.entry(entity).or_default().insert(
            id.clone(),
            Entry {
                object,
                updated: now,
            },
        );
        id
    }

    /// Sets a field of a live object, bumping its `SyncToken` and time.
    pub fn update(&self, entity: &'static str, id: &str, field: &str, value: Value) {
        let mut books = self.books.lock().expect("books");
        let now = books.now();
        let entry = books
            .live
            .get_mut(entity)
            .and_then(|objects| objects.get_mut(id))
            .unwrap_or_else(|| panic!("no live {entity} {id}"));
        let token: u64 = entry.object["SyncToken"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        entry.object[field] = value;
        entry.object["SyncToken"] = json!((token + 1).to_string());
        entry.object["MetaData"]["LastUpdatedTime"] = json!(stamp(now));
        entry.updated = now;
    }

    /// Deletes an object outright: only the change feed will say so.
    pub fn delete(&self, entity: &'static str, id: &str) {
        let mut books = self.books.lock().expect("books");
        let now = books.now();
        books
            .live
            .get_mut(entity)
            .and_then(|objects| objects.remove(id))
            .unwrap_or_else(|| panic!("no live {entity} {id}"));
        books
            .deleted
            .entry(entity)
            .or_default()
            .push((id.to_owned(), now));
    }

    /// The live objects of `entity`, by id.
    pub fn live(&self, entity: &'static str) -> BTreeMap<String, Value> {
        let books = self.books.lock().expect("books");
        books
            .live
            .get(entity)
            .map(|objects| {
                objects
                    .iter()
                    .map(|(id, e)| (id.clone(), e.object.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Calls served so far by `endpoint`: `cdc`, an entity's listing
    /// (`customer`), or its reads by id (`customer?ids`).
    pub fn calls(&self, endpoint: &str) -> u64 {
        let books = self.books.lock().expect("books");
        books.calls.get(endpoint).copied().unwrap_or(0)
    }

    /// Moves the company's clock by `offset` from the real one.
    pub fn set_clock_offset(&self, offset: chrono::Duration) {
        self.books.lock().expect("books").clock_offset = offset;
    }
}

/// Tally's timestamps: RFC 3339 with the company's offset (UTC here).
fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

/// An answer carrying the company's clock in `Date`, as every answer does.
fn answer(now: DateTime<Utc>, body: Value) -> Response {
    let date = now.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    ([(header::DATE, date)], Json(body)).into_response()
}

fn fault(status: StatusCode, message: &str) -> Response {
    let body = json!({"Fault": {"Error": [{"Message": message}], "type": "ValidationFault"}});
    (status, Json(body)).into_response()
}

fn authorized(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {TOKEN}"))
}

async fn token(headers: HeaderMap, body: String) -> Response {
    use base64::Engine;
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let grant_known = body.contains("grant_type=client_credentials")
        || (body.contains("grant_type=authorization_code") && body.contains("code=tally-code"));
    if basic != Some(&format!("Basic {expected}")) || !grant_known {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    Json(json!({
        "access_token": TOKEN,
        "token_type": "bearer",
        "expires_in": 3600,
        "refresh_token": "tally-refresh-token",
    }))
    .into_response()
}

/// The consent screen: a test company consents at once and names itself on
/// the redirect (`realmId`), as QuickBooks does.
async fn authorize(Query(query): Query<HashMap<String, String>>) -> Response {
    let (Some(redirect), Some(state)) = (query.get("redirect_uri"), query.get("state")) else {
        return (
            StatusCode::BAD_REQUEST,
            "redirect_uri and state are required",
        )
            .into_response();
    };
    let to = format!("{redirect}?code=tally-code&state={state}&realmId={REALM}");
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

async fn companies(headers: HeaderMap) -> Response {
    if !authorized(&headers) {
        return fault(StatusCode::UNAUTHORIZED, "AuthenticationFailed");
    }
    Json(json!([{"realmId": REALM, "companyName": "Tally Test Co"}])).into_response()
}

/// `GET /v3/company/{realm}/{entity}?startposition=&maxresults=&changedSince=&ids=`.
async fn list(
    State(books): State<Arc<Mutex<Books>>>,
    Path((realm, entity)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !authorized(&headers) || realm != REALM {
        return fault(StatusCode::UNAUTHORIZED, "AuthenticationFailed");
    }
    let Some(name) = ENTITIES
        .iter()
        .copied()
        .find(|e| e.eq_ignore_ascii_case(&entity))
    else {
        return fault(StatusCode::BAD_REQUEST, "unknown entity");
    };
    let mut books = books.lock().expect("books");
    let endpoint = match query.contains_key("ids") {
        true => format!("{entity}?ids"),
        false => entity.clone(),
    };
    *books.calls.entry(endpoint).or_default() += 1;
    let since = match query
        .get("changedSince")
        .map(|s| DateTime::parse_from_rfc3339(s))
    {
        None => None,
        Some(Ok(t)) => Some(t.with_timezone(&Utc)),
        Some(Err(_)) => return fault(StatusCode::BAD_REQUEST, "changedSince: not a date"),
    };
    let ids: Option<Vec<&str>> = query.get("ids").map(|ids| ids.split(',').collect());
    let start: usize = query
        .get("startposition")
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let max: usize = query
        .get("maxresults")
        .and_then(|s| s.parse().ok())
        .unwrap_or(100)
        .min(1000);
    let objects: Vec<Value> = books
        .live
        .get(name)
        .into_iter()
        .flat_map(|objects| objects.values())
        .filter(|e| since.is_none_or(|s| e.updated >= s))
        .filter(|e| {
            ids.as_ref()
                .is_none_or(|ids| ids.contains(&e.object["Id"].as_str().unwrap_or_default()))
        })
        .skip(start.saturating_sub(1))
        .take(max)
        .map(|e| e.object.clone())
        .collect();
    let body = json!({
        "QueryResponse": {name: objects, "startPosition": start, "maxResults": max},
        "time": stamp(books.now()),
    });
    answer(books.now(), body)
}

/// `GET /v3/company/{realm}/cdc?entities=Customer,Item&changedSince=`: what
/// changed in each entity since then, deletions as `status: "Deleted"`,
/// at most [`CDC_MAX_OBJECTS`] per entity (the oldest changes first).
async fn cdc(
    State(books): State<Arc<Mutex<Books>>>,
    Path(realm): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !authorized(&headers) || realm != REALM {
        return fault(StatusCode::UNAUTHORIZED, "AuthenticationFailed");
    }
    let mut books = books.lock().expect("books");
    *books.calls.entry("cdc".to_owned()).or_default() += 1;
    let Some(Ok(since)) = query
        .get("changedSince")
        .map(|s| DateTime::parse_from_rfc3339(s))
    else {
        return fault(StatusCode::BAD_REQUEST, "changedSince is required");
    };
    let since = since.with_timezone(&Utc);
    if books.now() - since > chrono::Duration::days(30) {
        return fault(
            StatusCode::BAD_REQUEST,
            "changedSince cannot be more than 30 days ago",
        );
    }
    let mut answers = Vec::new();
    for entity in query
        .get("entities")
        .map(String::as_str)
        .unwrap_or("")
        .split(',')
    {
        let Some(name) = ENTITIES.iter().copied().find(|e| *e == entity) else {
            return fault(StatusCode::BAD_REQUEST, "unknown entity");
        };
        let mut changes: Vec<(DateTime<Utc>, Value)> = books
            .live
            .get(name)
            .into_iter()
            .flat_map(|objects| objects.values())
            .filter(|e| e.updated >= since)
            .map(|e| (e.updated, e.object.clone()))
            .collect();
        changes.extend(
            books
                .deleted
                .get(name)
                .into_iter()
                .flatten()
                .filter(|(_, at)| *at >= since)
                .map(|(id, at)| {
                    let tombstone = json!({
                        "Id": id, "status": "Deleted",
                        "MetaData": {"LastUpdatedTime": stamp(*at)},
                    });
                    (*at, tombstone)
                }),
        );
        changes.sort_by_key(|(at, _)| *at);
        changes.truncate(CDC_MAX_OBJECTS);
        let objects: Vec<Value> = changes.into_iter().map(|(_, o)| o).collect();
        answers.push(json!({name: objects}));
    }
    let body = json!({
        "CDCResponse": [{"QueryResponse": answers}],
        "time": stamp(books.now()),
    });
    answer(books.now(), body)
}
