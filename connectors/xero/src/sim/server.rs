//! Xero's routes on the kit's server: the Accounting API at
//! `/api.xro/2.0/…` (behind the kit's guard: bearer, `xero-tenant-id`,
//! rate limits, faults, the `X-*Limit-Remaining` headers), the identity
//! endpoints, `/connections`, and Xero's plain 404 for everything else.

use std::sync::Arc;

use axum::routing::{delete, get, post, put};
use axum::{Extension, Router};
use tether_sim_kit::auth as kit_auth;

use super::auth::{self, XERO_OAUTH};
use super::errors;
use super::provider::Xero;
use super::{options, reads, writes};

/// The kit's shared state, with Xero's hooks and data.
pub(crate) type SimState = tether_sim_kit::SimState<Xero>;

/// One organisation and its data.
pub(crate) type Tenant = tether_sim_kit::Tenant<Xero>;

/// What every handler gets as its state.
pub(crate) type AppState = Arc<SimState>;

/// Handlers get their tenant from the guard.
pub(crate) type TenantExt = Extension<Arc<Tenant>>;

/// The Accounting API routes (the kit puts its guard in front).
pub(crate) fn api_routes() -> Router<AppState> {
    Router::new()
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
}

/// The identity endpoints and `/connections` (not behind the guard).
pub(crate) fn open_routes() -> Router<AppState> {
    Router::new()
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
}
