//! The state every simulator shares, and the pipeline every API request
//! goes through: count, authenticate, find the tenant, rate-limit, inject
//! faults, deliver, add the remaining-calls headers. Plus the `/_sim`
//! control endpoints (not authenticated, not rate-limited): stats, reset,
//! faults, corrupt, clock.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use axum::Router;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Json, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Auth, OAuthHost};
use crate::config::{Limits, SimFaults};
use crate::conn::ConnKill;
use crate::errors::ErrorBody;
use crate::faults::Faults;
use crate::idempotency::{Idempotency, KeyedTenant};
use crate::limits::Limiter;
use crate::provider::Provider;
use crate::respond::json_value;
use crate::stats::Stats;

/// One tenant and its data.
pub struct Tenant<P: Provider> {
    /// Its id.
    pub id: P::Tenant,
    /// Its name.
    pub name: String,
    /// Its stored objects.
    pub data: RwLock<P::Data>,
    /// Its idempotency keys.
    pub idem: Idempotency,
}

impl<P: Provider> KeyedTenant for Tenant<P> {
    fn idempotency(&self) -> &Idempotency {
        &self.idem
    }
}

/// Everything the handlers of one simulator share.
pub struct SimState<P: Provider> {
    /// The provider's hooks and whatever it keeps for its handlers.
    pub provider: P,
    /// The OAuth state.
    pub auth: Auth<P::Tenant>,
    /// Every tenant by id.
    pub tenants: HashMap<P::Tenant, Arc<Tenant<P>>>,
    /// Every tenant id, the first (the default) first.
    pub order: Vec<P::Tenant>,
    /// The rate limiter.
    pub limiter: Arc<Limiter<P::Tenant>>,
    /// The fault settings.
    pub faults: Faults,
    /// The counters.
    pub stats: Stats,
}

impl<P: Provider> OAuthHost for SimState<P> {
    type Tenant = P::Tenant;

    fn auth(&self) -> &Auth<P::Tenant> {
        &self.auth
    }

    fn stats(&self) -> &Stats {
        &self.stats
    }

    fn faults(&self) -> &Faults {
        &self.faults
    }

    fn errors(&self) -> &dyn ErrorBody {
        self.provider.errors()
    }
}

impl<P: Provider> SimState<P> {
    /// The state of a simulator serving `tenants` (the first is the
    /// default): a limiter enforcing `limits`, `faults` active from the
    /// start, truncated bodies labelled `json_type`, counters at zero.
    ///
    /// # Panics
    /// When `tenants` is empty.
    pub fn new(
        provider: P,
        auth: Auth<P::Tenant>,
        tenants: Vec<Tenant<P>>,
        limits: Limits,
        faults: SimFaults,
        json_type: &'static str,
    ) -> Arc<Self> {
        assert!(
            !tenants.is_empty(),
            "a simulator serves at least one tenant"
        );
        let limiter = Arc::new(Limiter::new(limits, None));
        let f = Faults::new(json_type);
        f.set(faults, &limiter);
        Arc::new(Self {
            provider,
            auth,
            order: tenants.iter().map(|t| t.id.clone()).collect(),
            tenants: tenants
                .into_iter()
                .map(|t| (t.id.clone(), Arc::new(t)))
                .collect(),
            limiter,
            faults: f,
            stats: Stats::default(),
        })
    }

    /// The first tenant, the one `/_sim` endpoints act on by default.
    pub fn default_tenant(&self) -> P::Tenant {
        self.order[0].clone()
    }

    /// Replaces one field of a stored object's JSON (see `/_sim/corrupt`).
    pub fn corrupt(
        &self,
        tenant: &P::Tenant,
        kind: &str,
        id: &str,
        field: &str,
        value: &Value,
    ) -> bool {
        let Some(t) = self.tenants.get(tenant) else {
            return false;
        };
        let Ok(mut data) = t.data.write() else {
            return false;
        };
        self.provider.corrupt(&mut data, kind, id, field, value)
    }

    /// Every stored object of `kind`, as served.
    pub fn snapshot(&self, tenant: &P::Tenant, kind: &str) -> Vec<Value> {
        let Some(t) = self.tenants.get(tenant) else {
            return Vec::new();
        };
        let Ok(data) = t.data.read() else {
            return Vec::new();
        };
        self.provider.snapshot(&data, kind)
    }
}

/// The whole router: `api` behind [`api_guard`], `open` (OAuth and other
/// unguarded provider paths) as is, both counted; `/_sim` beside them;
/// `fallback` for everything else.
pub fn router<P: Provider>(
    state: Arc<SimState<P>>,
    api: Router<Arc<SimState<P>>>,
    open: Router<Arc<SimState<P>>>,
    fallback: fn() -> Response,
) -> Router {
    let api = api.route_layer(middleware::from_fn_with_state(
        state.clone(),
        api_guard::<P>,
    ));
    let sim = Router::new()
        .route("/_sim/stats", get(sim_stats::<P>))
        .route("/_sim/stats/reset", post(sim_reset::<P>))
        .route("/_sim/faults", get(get_faults::<P>).post(set_faults::<P>))
        .route("/_sim/corrupt", post(corrupt::<P>))
        .route("/_sim/clock", get(get_clock::<P>).post(advance_clock::<P>));
    Router::new()
        .merge(api)
        .merge(open)
        .layer(middleware::from_fn_with_state(state.clone(), count::<P>))
        .merge(sim)
        .fallback(move || async move { fallback() })
        .with_state(state)
}

/// Counts every request outside `/_sim`.
async fn count<P: Provider>(
    State(app): State<Arc<SimState<P>>>,
    req: Request,
    next: Next,
) -> Response {
    let key = app
        .provider
        .route_key(req.method().as_str(), req.uri().path());
    app.stats.request(key);
    next.run(req).await
}

/// The pipeline of every API request: bearer → tenant → limits → faults →
/// deliver. The handler finds its tenant as an `Extension<Arc<Tenant<P>>>`.
pub async fn api_guard<P: Provider>(
    State(app): State<Arc<SimState<P>>>,
    req: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let token = match app.auth.check_bearer(&parts.headers) {
        Ok(t) => t,
        Err(why) => return app.provider.errors().unauthorized(why),
    };
    let tenant = app
        .provider
        .tenant_of(&parts)
        .filter(|id| token.tenants.contains(id))
        .and_then(|id| app.tenants.get(&id).cloned());
    let Some(tenant) = tenant else {
        return app.provider.forbidden();
    };
    let permit = match app.limiter.acquire(&tenant.id, Instant::now()) {
        Ok(p) => p,
        Err(t) => {
            app.stats.throttled();
            return app.provider.throttled(&t);
        }
    };
    app.stats.in_flight(permit.in_flight);
    let decision = app.faults.decide(app.provider.is_write(&parts));
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    let kill = parts
        .extensions
        .get::<ConnectInfo<ConnKill>>()
        .map(|c| c.0.clone());
    let mut resp = if let Some(status) = decision.error {
        app.stats.error_injected();
        app.provider.errors().server_error(status)
    } else {
        parts.extensions.insert(tenant);
        let resp = next.run(Request::from_parts(parts, body)).await;
        app.faults
            .deliver(&decision, resp, kill.as_ref(), &app.stats)
            .await
    };
    app.provider.rate_headers(&mut resp, &permit.remaining);
    drop(permit);
    resp
}

async fn sim_stats<P: Provider>(State(app): State<Arc<SimState<P>>>) -> Response {
    json_value(StatusCode::OK, &json!(app.stats.snapshot()))
}

async fn sim_reset<P: Provider>(State(app): State<Arc<SimState<P>>>) -> Response {
    app.stats.reset();
    json_value(StatusCode::OK, &json!(app.stats.snapshot()))
}

async fn get_faults<P: Provider>(State(app): State<Arc<SimState<P>>>) -> Response {
    json_value(StatusCode::OK, &json!(app.faults.get()))
}

async fn set_faults<P: Provider>(
    State(app): State<Arc<SimState<P>>>,
    Json(f): Json<SimFaults>,
) -> Response {
    app.faults.set(f, &app.limiter);
    json_value(StatusCode::OK, &json!(app.faults.get()))
}

#[derive(Deserialize)]
struct CorruptRequest<T> {
    /// The tenant whose object to change; the first when absent.
    #[serde(default = "none")]
    tenant: Option<T>,
    kind: String,
    id: String,
    field: String,
    value: Value,
}

fn none<T>() -> Option<T> {
    None
}

async fn corrupt<P: Provider>(
    State(app): State<Arc<SimState<P>>>,
    Json(c): Json<CorruptRequest<P::Tenant>>,
) -> Response {
    let tenant = c.tenant.unwrap_or_else(|| app.default_tenant());
    let ok = app.corrupt(&tenant, &c.kind, &c.id, &c.field, &c.value);
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
fn clock_body<K>(auth: &Auth<K>) -> Value {
    json!({
        "offset_secs": auth.clock.offset_ms() / 1000,
        "now_ms": auth.clock.now_ms(),
    })
}

async fn get_clock<P: Provider>(State(app): State<Arc<SimState<P>>>) -> Response {
    json_value(StatusCode::OK, &clock_body(&app.auth))
}

/// `POST /_sim/clock {"advance_secs": N}`: moves the auth clock forward.
async fn advance_clock<P: Provider>(
    State(app): State<Arc<SimState<P>>>,
    Json(c): Json<ClockRequest>,
) -> Response {
    app.auth
        .clock
        .advance(std::time::Duration::from_secs(c.advance_secs));
    json_value(StatusCode::OK, &clock_body(&app.auth))
}
