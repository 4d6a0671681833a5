//! The routes of one simulator over the kit's server. The kit's guard
//! checks the bearer token against the company in the path, throttles (500
//! a minute, 10 at once), injects faults and hands the handler its company;
//! QuickBooks' own layer then counts calls without `minorversion`, holds
//! batches to 40 a minute, and adds the configured latency.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use tether_sim_kit::auth as kit_auth;
use tether_sim_kit::{SimState, Tenant};

use super::fault::Fault;
use super::provider::QuickBooks;
use super::{auth, reads, writes};

/// The state every handler shares.
pub(crate) type AppState = Arc<SimState<QuickBooks>>;

/// One company (realm): its books and `requestid`s.
pub(crate) type Company = Tenant<QuickBooks>;

/// Handlers get their company from the guard.
pub(crate) type CompanyExt = Extension<Arc<Company>>;

/// The company clock (the auth clock: one clock moves both).
pub(crate) fn now_ms(app: &SimState<QuickBooks>) -> i64 {
    app.auth.clock.now_ms()
}

/// The API routes (behind the kit's guard) and the open ones (OAuth, the
/// Playground).
pub(crate) fn routes(state: &AppState) -> (Router<AppState>, Router<AppState>) {
    let api = Router::new()
        .route(
            "/v3/company/{realm}/query",
            get(reads::query_get).post(reads::query_post),
        )
        .route("/v3/company/{realm}/cdc", get(reads::cdc))
        .route("/v3/company/{realm}/batch", post(writes::batch))
        .route("/v3/company/{realm}/{entity}", post(writes::post))
        .route("/v3/company/{realm}/{entity}/{id}", get(reads::one))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            quickbooks_layer,
        ));
    let open = Router::new()
        .route("/.well-known/openid_configuration", get(auth::discovery))
        .route("/.well-known/openid_configuration/", get(auth::discovery))
        .route("/op/v1/jwks", get(auth::jwks))
        .route("/connect/oauth2", get(auth::authorize))
        .route(
            "/oauth2/v1/tokens/bearer",
            post(kit_auth::token::<SimState<QuickBooks>>),
        )
        .route(
            "/v2/oauth2/tokens/revoke",
            post(kit_auth::revoke::<SimState<QuickBooks>>),
        )
        .route("/v1/openid_connect/userinfo", get(auth::userinfo))
        .route("/_sim/playground-token", post(playground));
    (api, open)
}

/// What is QuickBooks' own in the pipeline (after the kit's guard).
async fn quickbooks_layer(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let qb = &app.provider;
    let query = req.uri().query().unwrap_or("");
    if !url::form_urlencoded::parse(query.as_bytes()).any(|(k, _)| k == "minorversion") {
        qb.missing_minorversion.fetch_add(1, Ordering::Relaxed);
    }
    let company = req.extensions().get::<Arc<Company>>().map(|c| c.id.clone());
    let _batch = match (req.uri().path().ends_with("/batch"), company) {
        (true, Some(realm)) => match qb.batch_limiter.acquire(&realm, Instant::now()) {
            Ok(permit) => Some(permit),
            Err(_) => {
                app.stats.throttled();
                return Fault::throttled().response(now_ms(&app));
            }
        },
        _ => None,
    };
    if !qb.latency.is_zero() {
        tokio::time::sleep(qb.latency).await;
    }
    next.run(req).await
}

/// A plain 404 for paths QuickBooks does not have.
pub(crate) fn not_found() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

#[derive(Deserialize)]
struct PlaygroundRequest {
    realm: String,
}

/// `POST /_sim/playground-token {"realm"}`: tokens of the registered app
/// for that company without a consent, as Intuit's OAuth Playground hands
/// a developer.
async fn playground(State(app): State<AppState>, Json(p): Json<PlaygroundRequest>) -> Response {
    match auth::playground(&app, &p.realm) {
        Some(answer) => Json(answer).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({"error": "no such realm"})),
        )
            .into_response(),
    }
}
