//! A local server that behaves like Xero's Accounting API, for tests,
//! `tether sandbox` and `tether demo`.
//!
//! One host serves what Xero spreads over several: the Accounting API at
//! `/api.xro/2.0/{Collection}`, the token endpoint at `/connect/token`, the
//! connections at `/connections`, plus control endpoints under `/_sim`
//! (not authenticated, not rate-limited):
//!
//! * `GET /_sim/stats`, `POST /_sim/stats/reset` — request counters;
//! * `GET|POST /_sim/faults` — latency, 5xx, dropped connections,
//!   truncated bodies, forced 429s, lost and delayed answers of applied
//!   writes ([`SimFaults`]);
//! * `POST /_sim/corrupt` — `{"kind","id","field","value"}` replaces one
//!   field of a stored object's JSON, for quarantine tests.
//!
//! Fidelity is judged against Xero's OpenAPI spec (accounting 16.1.0 and
//! identity): paths, envelopes (`Id`, `Status`, `ProviderName`,
//! `DateTimeUTC`, `pagination` where the spec has it), `/Date(ms+0000)/`
//! dates, paging (`page`, `pageSize` ≤ 1000), `If-Modified-Since`, `order`,
//! `where`, `includeArchived`, `summaryOnly`, status semantics, hard deletes
//! (items, unused accounts, tracking categories and options), the changes
//! Xero makes without a new `UpdatedDateUTC`, validation
//! errors, `summarizeErrors`, `Idempotency-Key`, rate limits and their
//! headers, OAuth2 client credentials with expiring tokens.
//!
//! Data is generated from a seed (same seed, byte-identical data) and kept
//! in memory as serialized JSON plus a few index fields, so paging through a
//! million invoices costs O(pageSize) per page.

mod auth;
mod collections;
mod config;
mod conn;
mod dates;
mod errors;
mod faults;
mod generate;
mod idempotency;
mod kinds;
mod limits;
mod model;
mod options;
mod query;
mod rawjson;
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
use std::sync::{Arc, RwLock};
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

/// Name Xero shows as `ProviderName` (the app's name).
const PROVIDER_NAME: &str = "Tether Xero Simulator";

/// Starts simulators.
pub struct XeroSim;

impl XeroSim {
    /// Generates the data and starts serving on `addr` (port 0 picks a free
    /// port); the returned handle stops the server when dropped.
    pub async fn start(config: SimConfig, addr: SocketAddr) -> std::io::Result<SimHandle> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let (seed, sizes) = (config.seed, config.sizes);
        let data = tokio::task::spawn_blocking(move || generate::generate(seed, sizes))
            .await
            .map_err(std::io::Error::other)?;

        let mut r = SimRng::new(seed, stream::TENANT, 0);
        let tenant_id = r.uuid();
        let connection = auth::Connection {
            id: r.uuid(),
            tenant_id,
            auth_event_id: r.uuid(),
            name: "Demo Company (NZ)".to_string(),
            created_ms: generate::END_MS - 400 * generate::DAY_MS,
        };
        let auth = auth::Auth::new(
            seed,
            config.client_id.clone(),
            config.client_secret.clone(),
            config.token_ttl,
            vec![connection],
        );
        let limiter = Arc::new(limits::Limiter::new(config.limits.clone(), None));
        let faults = faults::Faults::default();
        faults.set(config.faults.clone(), &limiter);
        let tenant = Arc::new(Tenant {
            id: tenant_id,
            data: RwLock::new(data),
            idem: idempotency::Idempotency::new(config.idempotency_window),
        });
        let state: AppState = Arc::new(SimState {
            auth,
            tenants: HashMap::from([(tenant_id, tenant)]),
            default_tenant: tenant_id,
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
        Ok(SimHandle {
            state,
            addr: local,
            base_url: format!("http://{local}"),
            shutdown: Some(tx),
            task: Some(task),
        })
    }
}

/// A running simulator; dropping it (or [`shutdown`](Self::shutdown)) stops it.
pub struct SimHandle {
    state: AppState,
    addr: SocketAddr,
    base_url: String,
    shutdown: Option<oneshot::Sender<()>>,
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

    /// The OAuth2 client id the token endpoint accepts.
    pub fn client_id(&self) -> &str {
        &self.state.auth.client_id
    }

    /// The OAuth2 client secret the token endpoint accepts.
    pub fn client_secret(&self) -> &str {
        &self.state.auth.client_secret
    }

    /// The organisation's id, to send as `xero-tenant-id`.
    pub fn tenant_id(&self) -> Uuid {
        self.state.default_tenant
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
        self.state.corrupt(kind, id, field, &value)
    }

    /// Every object of `kind` that exists (archived and deleted-status ones
    /// included, hard-deleted ones not), exactly as `GET /{Collection}/{id}`
    /// serves it, in `UpdatedDateUTC` order.
    pub fn snapshot(&self, kind: &str) -> Vec<serde_json::Value> {
        self.state.snapshot(kind)
    }

    /// The id field of a kind (`InvoiceID`, ...; `TaxType` for tax rates);
    /// empty for an unknown kind.
    pub fn id_field(kind: &str) -> &'static str {
        Kind::from_snake(kind).map_or("", |k| k.desc().id_field)
    }

    /// Stops the server and waits (up to 5 s) for it to finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
