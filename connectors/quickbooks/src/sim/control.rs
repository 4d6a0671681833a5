//! The `/_sim` control endpoints (not authenticated, not throttled, not
//! counted): counters, faults, the clock, corrupting and listing stored
//! objects, and the Playground token.

use std::time::Duration;

use axum::Router;
use axum::extract::{Json, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use tether_sim_kit::SimFaults;

use super::entity::Entity;
use super::server::{AppState, SimState};

/// The `/_sim` routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/_sim/stats", get(stats))
        .route("/_sim/stats/reset", post(reset))
        .route("/_sim/faults", get(faults).post(set_faults))
        .route("/_sim/clock", get(clock).post(advance))
        .route("/_sim/corrupt", post(corrupt))
        .route("/_sim/snapshot", get(snapshot))
        .route("/_sim/playground-token", post(playground))
}

impl SimState {
    fn realm_or_first(&self, realm: Option<&str>) -> String {
        realm.map_or_else(|| self.companies[0].realm.clone(), String::from)
    }

    /// Sets `field` (a dotted path) of a stored object without it being a
    /// change: no new `SyncToken`, no new time.
    pub(crate) fn corrupt(
        &self,
        realm: &str,
        kind: &str,
        id: &str,
        field: &str,
        value: Value,
    ) -> bool {
        let (Some(e), Some(c), Ok(id)) = (
            Entity::from_kind(kind),
            self.company(realm),
            id.parse::<u64>(),
        ) else {
            return false;
        };
        let mut books = c.books.write().unwrap_or_else(|p| p.into_inner());
        let Some(row) = books.table_mut(e).rows.get_mut(&id) else {
            return false;
        };
        let mut slot = &mut row.obj;
        for part in field.split('.') {
            slot = &mut slot[part];
        }
        *slot = value;
        true
    }

    /// Every live object of `kind` (inactive and voided included) as the
    /// API shows it, in `Id` order.
    pub(crate) fn snapshot(&self, realm: &str, kind: &str) -> Vec<Value> {
        let (Some(e), Some(c)) = (Entity::from_kind(kind), self.company(realm)) else {
            return Vec::new();
        };
        let books = c.books.read().unwrap_or_else(|p| p.into_inner());
        books
            .table(e)
            .rows
            .values()
            .map(|r| r.obj.clone())
            .collect()
    }
}

async fn stats(State(app): State<AppState>) -> Response {
    Json(app.stats.snapshot()).into_response()
}

async fn reset(State(app): State<AppState>) -> Response {
    app.stats.reset();
    Json(app.stats.snapshot()).into_response()
}

async fn faults(State(app): State<AppState>) -> Response {
    Json(app.faults.get()).into_response()
}

async fn set_faults(State(app): State<AppState>, Json(f): Json<SimFaults>) -> Response {
    app.faults.set(f, &app.limiter);
    Json(app.faults.get()).into_response()
}

fn clock_body(app: &SimState) -> Value {
    json!({"offset_secs": app.auth.clock.offset_ms() / 1000, "now_ms": app.auth.clock.now_ms()})
}

async fn clock(State(app): State<AppState>) -> Response {
    Json(clock_body(&app)).into_response()
}

#[derive(Deserialize)]
struct Advance {
    advance_secs: u64,
}

/// `POST /_sim/clock {"advance_secs": N}`: moves the company clock.
async fn advance(State(app): State<AppState>, Json(a): Json<Advance>) -> Response {
    app.auth.clock.advance(Duration::from_secs(a.advance_secs));
    Json(clock_body(&app)).into_response()
}

#[derive(Deserialize)]
struct Corrupt {
    #[serde(default)]
    realm: Option<String>,
    kind: String,
    id: String,
    field: String,
    value: Value,
}

async fn corrupt(State(app): State<AppState>, Json(c): Json<Corrupt>) -> Response {
    let realm = app.realm_or_first(c.realm.as_deref());
    let ok = app.corrupt(&realm, &c.kind, &c.id, &c.field, c.value);
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    (status, Json(json!({"corrupted": ok}))).into_response()
}

#[derive(Deserialize)]
struct SnapshotQuery {
    kind: String,
    #[serde(default)]
    realm: Option<String>,
}

async fn snapshot(State(app): State<AppState>, Query(q): Query<SnapshotQuery>) -> Response {
    let realm = app.realm_or_first(q.realm.as_deref());
    Json(app.snapshot(&realm, &q.kind)).into_response()
}

#[derive(Deserialize)]
struct Playground {
    realm: String,
}

/// `POST /_sim/playground-token {"realm"}`: tokens for the registered app
/// on that company without a consent, as Intuit's OAuth Playground hands
/// a developer.
async fn playground(State(app): State<AppState>, Json(p): Json<Playground>) -> Response {
    match super::auth::playground(&app, &p.realm) {
        Some(answer) => Json(answer).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "no such realm"})),
        )
            .into_response(),
    }
}
