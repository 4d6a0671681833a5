//! The router, the shared state, and the pipeline every API request goes
//! through: count, authenticate, check the tenant, rate-limit, inject faults,
//! answer with the `X-*Limit-Remaining` headers.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Json, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, post, put};
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::auth::{self, Auth, XERO_OAUTH};
use super::collections::Kind;
use super::config::SimFaults;
use super::conn::ConnKill;
use super::error_body::XeroErrors;
use super::errors::{self, json_value};
use super::idempotency::Idempotency;
use super::rate_headers::{limit_headers, too_many};
use super::stats::{Stats, route_key};
use super::store::Dataset;
use super::{options, rawjson, reads, writes};
use tether_sim_kit::ErrorBody;
use tether_sim_kit::auth::{self as kit_auth, OAuthHost};
use tether_sim_kit::faults::Faults;
use tether_sim_kit::idempotency::KeyedTenant;
use tether_sim_kit::limits::Limiter;

/// One organisation and its data.
pub(crate) struct Tenant {
    pub id: Uuid,
    /// Its name (`tenantName`, the Organisation's `Name`).
    pub name: String,
    pub data: RwLock<Dataset>,
    pub idem: Idempotency,
}

impl KeyedTenant for Tenant {
    fn idempotency(&self) -> &Idempotency {
        &self.idem
    }
}

/// Everything the handlers share.
pub(crate) struct SimState {
    pub auth: Auth,
    pub tenants: HashMap<Uuid, Arc<Tenant>>,
    /// Every tenant id, the first (the default) first.
    pub order: Vec<Uuid>,
    pub limiter: Arc<Limiter<Uuid>>,
    pub faults: Faults,
    pub stats: Stats,
    pub provider_name: String,
}

pub(crate) type AppState = Arc<SimState>;

impl OAuthHost for SimState {
    type Tenant = Uuid;

    fn auth(&self) -> &Auth {
        &self.auth
    }

    fn stats(&self) -> &Stats {
        &self.stats
    }

    fn faults(&self) -> &Faults {
        &self.faults
    }

    fn errors(&self) -> &dyn ErrorBody {
        &XeroErrors
    }
}

impl SimState {
    /// The first tenant, the one `/_sim` endpoints act on by default.
    pub(crate) fn default_tenant(&self) -> Uuid {
        self.order[0]
    }

    /// Replaces one field of a stored object's JSON (see `/_sim/corrupt`).
    pub(crate) fn corrupt(
        &self,
        tenant: Uuid,
        kind: &str,
        id: &str,
        field: &str,
        value: &Value,
    ) -> bool {
        let (Some(kind), Some(tenant)) = (Kind::from_snake(kind), self.tenants.get(&tenant)) else {
            return false;
        };
        let Ok(mut data) = tenant.data.write() else {
            return false;
        };
        let col = data.col_mut(kind);
        let key = Uuid::parse_str(id).ok().filter(|_| kind != Kind::TaxRates);
        let Some(key) = key.or_else(|| col.find_number(id)) else {
            return false;
        };
        let Some(raw) = col.get(&key).map(|e| e.raw.to_string()) else {
            return false;
        };
        match rawjson::replace_field(&raw, field, value) {
            Some(new) => col.set_raw(&key, new),
            None => false,
        }
    }

    /// Every stored object of `kind`, as served.
    pub(crate) fn snapshot(&self, tenant: Uuid, kind: &str) -> Vec<Value> {
        let (Some(kind), Some(tenant)) = (Kind::from_snake(kind), self.tenants.get(&tenant)) else {
            return Vec::new();
        };
        let Ok(data) = tenant.data.read() else {
            return Vec::new();
        };
        let col = data.col(kind);
        let mut out = Vec::with_capacity(col.len());
        out.extend(
            col.iter()
                .map(|(_, e)| serde_json::from_str(&e.raw).unwrap_or(Value::Null)),
        );
        out
    }
}

/// Builds the router: one host serving the API, identity and `/_sim` paths.
pub(crate) fn router(state: AppState) -> Router {
    let api = Router::new()
        .route(
            "/api.xro/2.0/{collection}",
            get(reads::list)
                .put(writes::put_collection)
                .post(writes::post_collection),
        )
        .route(
            "/api.xro/2.0/{collection}/{id}",
            get(reads::get_one)
                .post(writes::post_one)
                .delete(writes::delete_one),
        )
        // Sub-resources: only the tracking option endpoints exist here;
        // every other path and method is Xero's plain 404.
        .route(
            "/api.xro/2.0/{collection}/{id}/{sub}",
            put(options::put).fallback(|| async { errors::not_found() }),
        )
        .route(
            "/api.xro/2.0/{collection}/{id}/{sub}/{option}",
            post(options::post)
                .delete(options::delete)
                .fallback(|| async { errors::not_found() }),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), api_guard));
    let sim = Router::new()
        .route("/_sim/stats", get(sim_stats))
        .route("/_sim/stats/reset", post(sim_reset))
        .route("/_sim/faults", get(get_faults).post(set_faults))
        .route("/_sim/corrupt", post(corrupt))
        .route("/_sim/clock", get(get_clock).post(advance_clock));
    Router::new()
        .merge(api)
        .route(XERO_OAUTH.paths.token, post(kit_auth::token::<SimState>))
        .route(XERO_OAUTH.paths.revoke, post(kit_auth::revoke::<SimState>))
        .route("/connections", get(auth::connections))
        .route("/Connections", get(auth::connections))
        .route("/connections/{id}", delete(auth::delete_connection))
        .route("/Connections/{id}", delete(auth::delete_connection))
        .route(
            XERO_OAUTH.paths.authorize,
            get(kit_auth::authorize::<SimState>),
        )
        .layer(middleware::from_fn_with_state(state.clone(), count))
        .merge(sim)
        .fallback(|| async { errors::not_found() })
        .with_state(state)
}

/// Counts every request outside `/_sim`.
async fn count(State(app): State<AppState>, req: Request, next: Next) -> Response {
    app.stats
        .request(route_key(req.method().as_str(), req.uri().path()));
    next.run(req).await
}

/// The tenant a request names in `xero-tenant-id`, if the token may use it.
fn tenant_of(app: &SimState, headers: &HeaderMap, allowed: &[Uuid]) -> Option<Arc<Tenant>> {
    let id = headers
        .get("xero-tenant-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Uuid::parse_str(v.trim()).ok())?;
    if !allowed.contains(&id) {
        return None;
    }
    app.tenants.get(&id).cloned()
}

/// The pipeline of every `/api.xro/2.0` request.
async fn api_guard(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let token = match app.auth.check_bearer(req.headers()) {
        Ok(t) => t,
        Err(why) => return XeroErrors.unauthorized(why),
    };
    let Some(tenant) = tenant_of(&app, req.headers(), &token.tenants) else {
        return errors::forbidden();
    };
    let permit = match app.limiter.acquire(&tenant.id, Instant::now()) {
        Ok(p) => p,
        Err(t) => {
            app.stats.throttled();
            return too_many(&t);
        }
    };
    app.stats.in_flight(permit.in_flight);
    let write = matches!(*req.method(), Method::PUT | Method::POST | Method::DELETE);
    let decision = app.faults.decide(write);
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    let kill = req
        .extensions()
        .get::<ConnectInfo<ConnKill>>()
        .map(|c| c.0.clone());
    let mut resp = if let Some(status) = decision.error {
        app.stats.error_injected();
        errors::injected(status)
    } else {
        req.extensions_mut().insert(tenant);
        let resp = next.run(req).await;
        app.faults
            .deliver(&decision, resp, kill.as_ref(), &app.stats)
            .await
    };
    limit_headers(&mut resp, permit.remaining);
    drop(permit);
    resp
}

async fn sim_stats(State(app): State<AppState>) -> Response {
    json_value(StatusCode::OK, &json!(app.stats.snapshot()))
}

async fn sim_reset(State(app): State<AppState>) -> Response {
    app.stats.reset();
    json_value(StatusCode::OK, &json!(app.stats.snapshot()))
}

async fn get_faults(State(app): State<AppState>) -> Response {
    json_value(StatusCode::OK, &json!(app.faults.get()))
}

async fn set_faults(State(app): State<AppState>, Json(f): Json<SimFaults>) -> Response {
    app.faults.set(f, &app.limiter);
    json_value(StatusCode::OK, &json!(app.faults.get()))
}

#[derive(Deserialize)]
struct CorruptRequest {
    /// The tenant whose object to change; the first when absent.
    #[serde(default)]
    tenant: Option<Uuid>,
    kind: String,
    id: String,
    field: String,
    value: Value,
}

async fn corrupt(State(app): State<AppState>, Json(c): Json<CorruptRequest>) -> Response {
    let tenant = c.tenant.unwrap_or_else(|| app.default_tenant());
    let ok = app.corrupt(tenant, &c.kind, &c.id, &c.field, &c.value);
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    json_value(status, &json!({ "corrupted": ok }))
}

#[derive(Deserialize)]
struct ClockRequest {
    advance_secs: u64,
}

/// The auth clock's offset and reading, as `/_sim/clock` shows them.
fn clock_body(app: &SimState) -> Value {
    json!({
        "offset_secs": app.auth.clock.offset_ms() / 1000,
        "now_ms": app.auth.clock.now_ms(),
    })
}

async fn get_clock(State(app): State<AppState>) -> Response {
    json_value(StatusCode::OK, &clock_body(&app))
}

/// `POST /_sim/clock {"advance_secs": N}`: moves the auth clock forward.
async fn advance_clock(State(app): State<AppState>, Json(c): Json<ClockRequest>) -> Response {
    app.auth
        .clock
        .advance(std::time::Duration::from_secs(c.advance_secs));
    json_value(StatusCode::OK, &clock_body(&app))
}

/// Handlers get their tenant from the guard.
pub(crate) type TenantExt = Extension<Arc<Tenant>>;
