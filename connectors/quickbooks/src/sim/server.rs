//! The router, the state every handler shares, and the pipeline every API
//! call goes through: count it, check its bearer token against the company
//! in its path, throttle it (500 a minute, 10 at once, 40 batches a minute
//! per company), inject faults, and hand the company to the handler.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use tether_sim_kit::ErrorBody as _;
use tether_sim_kit::auth::{self as kit_auth, Auth};
use tether_sim_kit::conn::ConnKill;
use tether_sim_kit::faults::Faults;
use tether_sim_kit::idempotency::{Idempotency, KeyedTenant};
use tether_sim_kit::limits::Limiter;
use tether_sim_kit::stats::default_route_key;

use super::fault::{Fault, QuickBooksErrors};
use super::stats::Stats;
use super::store::Books;
use super::{auth, control, reads, writes};

/// One company (realm) and its books.
pub(crate) struct Company {
    pub realm: String,
    pub books: RwLock<Books>,
    pub requestids: Idempotency,
}

impl KeyedTenant for Company {
    fn idempotency(&self) -> &Idempotency {
        &self.requestids
    }
}

/// Everything the handlers share.
pub(crate) struct SimState {
    pub base_url: String,
    /// Every company, the first (the default) first.
    pub companies: Vec<Arc<Company>>,
    /// Apps, grants and tokens; its clock is the companies' clock too.
    pub auth: Auth<String>,
    pub consents: auth::Consents,
    pub limiter: Arc<Limiter<String>>,
    pub batch_limiter: Arc<Limiter<String>>,
    pub faults: Faults,
    pub stats: Stats,
    pub latency: Duration,
}

pub(crate) type AppState = Arc<SimState>;

impl SimState {
    /// The company of `realm`.
    pub(crate) fn company(&self, realm: &str) -> Option<&Arc<Company>> {
        self.companies.iter().find(|c| c.realm == realm)
    }

    /// The company clock's reading.
    pub(crate) fn now_ms(&self) -> i64 {
        self.auth.clock.now_ms()
    }
}

/// The routes of one simulator.
pub(crate) fn router(state: AppState) -> Router {
    let api = Router::new()
        .route(
            "/v3/company/{realm}/query",
            get(reads::query_get).post(reads::query_post),
        )
        .route("/v3/company/{realm}/cdc", get(reads::cdc))
        .route("/v3/company/{realm}/batch", post(writes::batch))
        .route("/v3/company/{realm}/{entity}", post(writes::post))
        .route("/v3/company/{realm}/{entity}/{id}", get(reads::one))
        .route_layer(middleware::from_fn_with_state(state.clone(), api_guard));
    let oauth = Router::new()
        .route("/.well-known/openid_configuration", get(auth::discovery))
        .route("/.well-known/openid_configuration/", get(auth::discovery))
        .route("/op/v1/jwks", get(auth::jwks))
        .route("/connect/oauth2", get(auth::authorize))
        .route(
            "/oauth2/v1/tokens/bearer",
            post(kit_auth::token::<SimState>),
        )
        .route(
            "/v2/oauth2/tokens/revoke",
            post(kit_auth::revoke::<SimState>),
        )
        .route("/v1/openid_connect/userinfo", get(auth::userinfo))
        .layer(middleware::from_fn_with_state(state.clone(), count));
    Router::new()
        .merge(api)
        .merge(oauth)
        .merge(control::routes())
        .with_state(state)
}

/// Counts a request by route.
async fn count(State(app): State<AppState>, req: Request, next: Next) -> Response {
    app.stats
        .kit
        .request(default_route_key(req.method().as_str(), req.uri().path()));
    next.run(req).await
}

/// The realm of a `/v3/company/{realm}/…` path.
fn realm_of(path: &str) -> &str {
    path.split('/').nth(3).unwrap_or("")
}

/// The pipeline of every `/v3/company/{realm}` call.
async fn api_guard(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    app.stats
        .kit
        .request(default_route_key(req.method().as_str(), &path));
    let query = req.uri().query().unwrap_or("");
    if !url::form_urlencoded::parse(query.as_bytes()).any(|(k, _)| k == "minorversion") {
        app.stats.missing_minorversion();
    }
    let now = app.now_ms();
    let reach = match app.auth.check_bearer(req.headers()) {
        Ok(info) => info.tenants,
        Err(why) => return QuickBooksErrors.unauthorized(why),
    };
    let company = match app.company(realm_of(&path)) {
        Some(c) if reach.contains(&c.realm) => c.clone(),
        _ => return Fault::not_authorized().response(now),
    };
    let permit = match app.limiter.acquire(&company.realm, Instant::now()) {
        Ok(p) => p,
        Err(_) => {
            app.stats.kit.throttled();
            return Fault::throttled().response(now);
        }
    };
    app.stats.kit.in_flight(permit.in_flight);
    let batch = path.ends_with("/batch");
    let _batch_permit =
        match batch.then(|| app.batch_limiter.acquire(&company.realm, Instant::now())) {
            Some(Err(_)) => {
                app.stats.kit.throttled();
                return Fault::throttled().response(now);
            }
            other => other,
        };
    let write = req.method() == Method::POST && !path.ends_with("/query");
    let decision = app.faults.decide(write);
    let wait = app.latency + decision.latency;
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    if let Some(status) = decision.error {
        app.stats.kit.error_injected();
        return Fault::internal(status).response(app.now_ms());
    }
    let kill = req
        .extensions()
        .get::<ConnectInfo<ConnKill>>()
        .map(|c| c.0.clone());
    req.extensions_mut().insert(company);
    let resp = next.run(req).await;
    let resp = app
        .faults
        .deliver(&decision, resp, kill.as_ref(), &app.stats.kit)
        .await;
    drop(permit);
    resp
}

/// Handlers get their company from the pipeline.
pub(crate) type CompanyExt = Extension<Arc<Company>>;
