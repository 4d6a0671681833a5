//! A local server that behaves like Xero's Accounting API, for tests,
//! `tether sandbox` and `tether demo`.
//!
//! One host serves what Xero spreads over several: the Accounting API at
//! `/api.xro/2.0/{Collection}`, the consent screen at
//! `/identity/connect/authorize`, the token endpoint at `/connect/token`,
//! revocation at `/connect/revocation`, the connections at `/connections`,
//! plus control endpoints under `/_sim` (not authenticated, not
//! rate-limited):
//!
//! * `GET /_sim/stats`, `POST /_sim/stats/reset` — request and OAuth counters;
//! * `GET|POST /_sim/faults` — latency, 5xx, dropped connections,
//!   truncated bodies, forced 429s, lost and delayed answers of applied
//!   writes, lost answers of refreshes ([`SimFaults`]);
//! * `POST /_sim/corrupt` — `{"kind","id","field","value"[,"tenant"]}`
//!   replaces one field of a stored object's JSON, for quarantine tests;
//! * `GET|POST /_sim/clock` — `{"advance_secs": N}` moves the clock the
//!   auth side reads (code and token expiry, refresh grace, idle expiry).
//!
//! It serves [`SimConfig::tenants`] organisations, each with its own data,
//! rate budget and idempotency keys. Two apps are registered: a web app
//! (client id and secret) and a PKCE app (client id only). A consent at
//! the authorize endpoint is given at once and connects every organisation;
//! a client-credentials token is a custom connection to the first.
//!
//! Fidelity is judged against Xero's OpenAPI spec (accounting 16.1.0 and
//! identity): paths, envelopes (`Id`, `Status`, `ProviderName`,
//! `DateTimeUTC`, `pagination` where the spec has it), `/Date(ms+0000)/`
//! dates, paging (`page`, `pageSize` ≤ 1000), `If-Modified-Since`, `order`,
//! `where`, `includeArchived`, `summaryOnly`, status semantics, hard deletes
//! (items, unused accounts, tracking categories and options), the changes
//! Xero makes without a new `UpdatedDateUTC`, validation
//! errors, `summarizeErrors`, `Idempotency-Key`, rate limits and their
//! headers, OAuth2 (authorization code with PKCE, refresh-token rotation,
//! revocation, client credentials) with expiring tokens.
//!
//! Data is generated from a seed (same seed, byte-identical data) and kept
//! in memory as serialized JSON plus a few index fields, so paging through a
//! million invoices costs O(pageSize) per page.

mod auth;
mod collections;
mod config;
use tether_sim_kit::conn;
mod dates;
mod error_body;
mod errors;
mod generate;
mod idempotency;
mod kinds;
mod model;
mod options;
mod query;
mod rate_headers;
use tether_sim_kit::rawjson;
mod reads;
mod select;
mod server;
mod stats;
mod store;
mod where_clause;
mod writes;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub use config::{Force429, SimConfig, SimFaults, SimLimits, SimSizes};
pub use stats::SimStats;

use collections::Kind;
use conn::{ConnKill, SimListener};
use generate::rng::{SimRng, stream};
use server::{AppState, SimState, Tenant};
use tether_sim_kit::faults::Faults;
use tether_sim_kit::limits::Limiter;

/// Name Xero shows as `ProviderName` (the app's name).
const PROVIDER_NAME: &str = "Tether Xero Simulator";

/// The name of organisation `index`: Xero's demo company first.
fn tenant_name(index: usize) -> String {
    match index {
        0 => "Demo Company (NZ)".to_string(),
        n => format!("Demo Company {}", n + 1),
    }
}

/// The data seed of organisation `index`: the configured seed for the
/// first (its data is what one-tenant simulators always served), mixed
/// with the index for the others so each has data of its own.
fn tenant_seed(seed: u64, index: usize) -> u64 {
    seed.wrapping_add((index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Starts simulators.
pub struct XeroSim;

impl XeroSim {
    /// Generates the data and starts serving on `addr` (port 0 picks a free
    /// port); the returned handle stops the server when dropped.
    pub async fn start(config: SimConfig, addr: SocketAddr) -> std::io::Result<SimHandle> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let (seed, sizes, count) = (config.seed, config.sizes, config.tenants.max(1));
        let jobs: Vec<_> = (0..count)
            .map(|i| {
                tokio::task::spawn_blocking(move || generate::generate(tenant_seed(seed, i), sizes))
            })
            .collect();
        let mut tenants = Vec::with_capacity(count);
        let mut custom = None;
        for (i, job) in jobs.into_iter().enumerate() {
            let data = job.await.map_err(std::io::Error::other)?;
            let mut r = SimRng::new(seed, stream::TENANT, i as u64);
            let id = r.uuid();
            if i == 0 {
                // The custom connection, with the ids it always had.
                let created_ms = generate::END_MS - 400 * generate::DAY_MS;
                let connection = auth::Connection {
                    id: r.uuid(),
                    tenant_id: id,
                    name: tenant_name(0),
                    created_ms,
                    updated_ms: created_ms,
                };
                custom = Some(auth::Grant {
                    id: r.uuid(),
                    client_id: String::new(),
                    scope: String::new(),
                    user_id: r.uuid(),
                    session_id: r.uuid(),
                    auth_ms: created_ms,
                    connections: vec![connection],
                });
            }
            tenants.push(Arc::new(Tenant {
                id,
                name: tenant_name(i),
                data: RwLock::new(data),
                idem: idempotency::Idempotency::new(
                    config.idempotency_window,
                    idempotency::XERO_KEYS.on_mismatch,
                ),
            }));
        }
        let orgs = tenants
            .iter()
            .map(|t| auth::Org {
                tenant_id: t.id,
                name: t.name.clone(),
            })
            .collect();
        let auth = auth::Auth::new(auth::AuthSetup {
            seed,
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            pkce_client_id: config.pkce_client_id.clone(),
            ttl: config.token_ttl,
            redirect_uris: config.redirect_uris.clone(),
            orgs,
            custom: Some(custom.ok_or_else(|| std::io::Error::other("no tenant"))?),
            profile: &auth::XERO_OAUTH,
            minter: Box::new(auth::XeroMinter),
        });
        let limiter = Arc::new(Limiter::new((&config.limits).into(), None));
        let faults = Faults::new(errors::JSON_TYPE);
        faults.set(config.faults.clone(), &limiter);
        let state: AppState = Arc::new(SimState {
            auth,
            order: tenants.iter().map(|t| t.id).collect(),
            tenants: tenants
                .into_iter()
                .map(|t| (t.id, t))
                .collect::<HashMap<_, _>>(),
            limiter,
            faults,
            stats: stats::Stats::default(),
            provider_name: PROVIDER_NAME.to_string(),
        });

        let app = server::router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let service = app.into_make_service_with_connect_info::<ConnKill>();
            let serve =
                axum::serve(SimListener(listener), service).with_graceful_shutdown(async move {
                    let _ = rx.await;
                });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "xero simulator stopped with an error");
            }
        });
        let view = state.default_tenant();
        Ok(SimHandle {
            state,
            view,
            addr: local,
            base_url: format!("http://{local}"),
            stopper: Arc::new(Stopper(Mutex::new(Some(tx)))),
            task: Some(task),
        })
    }
}

/// Stops the server when the last handle sharing it is dropped.
struct Stopper(Mutex<Option<oneshot::Sender<()>>>);

impl Stopper {
    fn stop(&self) {
        if let Some(tx) = self.0.lock().ok().and_then(|mut s| s.take()) {
            let _ = tx.send(());
        }
    }
}

impl Drop for Stopper {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A running simulator; dropping it (or [`shutdown`](Self::shutdown)) stops
/// it. A [`tenant_view`](Self::tenant_view) shares the server: it stops
/// when the last handle is dropped.
pub struct SimHandle {
    state: AppState,
    /// The tenant the data methods act on.
    view: Uuid,
    addr: SocketAddr,
    base_url: String,
    stopper: Arc<Stopper>,
    task: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`: the API is at `{base}/api.xro/2.0`, the token
    /// endpoint at `{base}/connect/token`, connections at `{base}/connections`.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The web app's client id (it authenticates with its secret).
    pub fn client_id(&self) -> &str {
        &self.state.auth.client_id
    }

    /// The web app's client secret.
    pub fn client_secret(&self) -> &str {
        &self.state.auth.client_secret
    }

    /// The PKCE app's client id: no secret, so PKCE is required at the
    /// authorize endpoint and only the id is sent to the token endpoint.
    pub fn pkce_client_id(&self) -> &str {
        &self.state.auth.pkce_client_id
    }

    /// The organisation's id, to send as `xero-tenant-id`: the first
    /// organisation, or this view's.
    pub fn tenant_id(&self) -> Uuid {
        self.view
    }

    /// Every organisation's id, the first (a custom connection's) first.
    pub fn tenant_ids(&self) -> Vec<Uuid> {
        self.state.order.clone()
    }

    /// A handle on the same server whose data methods ([`corrupt`](Self::corrupt),
    /// [`snapshot`](Self::snapshot), [`tenant_id`](Self::tenant_id)) act on
    /// `tenant_id`, so tests can read and change each organisation.
    ///
    /// # Panics
    /// When the simulator serves no such tenant (a test's mistake).
    pub fn tenant_view(&self, tenant_id: Uuid) -> SimHandle {
        assert!(
            self.state.tenants.contains_key(&tenant_id),
            "the simulator serves no tenant {tenant_id}"
        );
        SimHandle {
            state: self.state.clone(),
            view: tenant_id,
            addr: self.addr,
            base_url: self.base_url.clone(),
            stopper: self.stopper.clone(),
            task: None,
        }
    }

    /// Moves the clock the auth side reads forward by `by` (this simulator
    /// only): codes, access tokens, the refresh grace period and idle
    /// expiry see the time pass; the data's timestamps do not.
    pub fn advance_clock(&self, by: Duration) {
        self.state.auth.clock.advance(by);
    }

    /// Makes every access token issued so far expired (API calls with them
    /// get 401 `TokenExpired`), to show expiry in the middle of a sync.
    pub fn expire_access_tokens(&self) {
        self.state.auth.expire_access_tokens();
    }

    /// The counters (same as `GET /_sim/stats`).
    pub fn stats(&self) -> SimStats {
        self.state.stats.snapshot()
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        self.state.stats.reset();
    }

    /// Replaces the fault settings (same as `POST /_sim/faults`).
    pub fn set_faults(&self, faults: SimFaults) {
        self.state.faults.set(faults, &self.state.limiter);
    }

    /// Replaces `field` of the stored object `id` of `kind` (snake_case, e.g.
    /// `invoices`) with `value`; false when there is no such object.
    pub fn corrupt(&self, kind: &str, id: &str, field: &str, value: serde_json::Value) -> bool {
        self.state.corrupt(self.view, kind, id, field, &value)
    }

    /// Every object of `kind` that exists (archived and deleted-status ones
    /// included, hard-deleted ones not), exactly as `GET /{Collection}/{id}`
    /// serves it, in `UpdatedDateUTC` order.
    pub fn snapshot(&self, kind: &str) -> Vec<serde_json::Value> {
        self.state.snapshot(self.view, kind)
    }

    /// The id field of a kind (`InvoiceID`, ...; `TaxType` for tax rates);
    /// empty for an unknown kind.
    pub fn id_field(kind: &str) -> &'static str {
        Kind::from_snake(kind).map_or("", |k| k.desc().id_field)
    }

    /// Stops the server (views included) and waits (up to 5 s) for it to
    /// finish; on a view, only drops it.
    pub async fn shutdown(mut self) {
        let Some(task) = self.task.take() else {
            return;
        };
        self.stopper.stop();
        let abort = task.abort_handle();
        if tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .is_err()
        {
            abort.abort();
        }
    }
}
