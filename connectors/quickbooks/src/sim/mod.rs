//! A local QuickBooks Online that follows Intuit's documented API (see the
//! crate's `docs.md`), for tests, `tether sandbox quickbooks` and the
//! conformance suite.
//!
//! One host serves what Intuit spreads over several: the Accounting API at
//! `/v3/company/{realmId}/…` (query, read one, CDC, writes, batch), OAuth 2.0
//! (`/.well-known/openid_configuration/`, `/connect/oauth2`,
//! `/oauth2/v1/tokens/bearer`, `/v2/oauth2/tokens/revoke`,
//! `/v1/openid_connect/userinfo`), and control endpoints under `/_sim`
//! (not authenticated, not throttled):
//!
//! * `GET /_sim/stats`, `POST /_sim/stats/reset` — counters ([`SimStats`]);
//! * `GET|POST /_sim/faults` — latency, 500s, forced 429s, lost write
//!   answers ([`SimFaults`]);
//! * `GET|POST /_sim/clock` — `{"advance_secs": N}` moves the company clock
//!   (time stamps, the CDC window, token expiry);
//! * `POST /_sim/corrupt` — `{"kind","id","field","value"[,"realm"]}`;
//! * `GET /_sim/snapshot?kind=…[&realm=…]` — every stored object of a kind;
//! * `POST /_sim/playground-token` — `{"realm"}`: tokens for that company
//!   without a consent, as Intuit's OAuth Playground gives a developer.
//!
//! It serves [`SimConfig::tenants`] companies, each with data of its own
//! generated from the seed, its own throttles and `requestid`s. One app is
//! registered (client id and secret); each consent picks the next company
//! not yet granted to it.

mod answer;
mod auth;
mod cdc;
mod config;
mod control;
mod entity;
mod fault;
mod generate;
mod interim_handle;
mod interim_par;
mod money;
mod query;
mod reads;
mod server;
mod stats;
mod store;
mod time;
mod totals;
mod writes;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tether_sim_kit::Limits;
use tether_sim_kit::auth::{Auth, AuthSetup, Org};
use tether_sim_kit::conn::{ConnKill, SimListener};
use tether_sim_kit::faults::Faults;
use tether_sim_kit::idempotency::{Idempotency, Mismatch};
use tether_sim_kit::limits::Limiter;
use tether_sim_kit::rng::{SimRng, stream};
use tokio::sync::oneshot;

pub use config::{SimConfig, SimLimits, SimSizes};
pub use interim_handle::SimHandle;
pub use stats::SimStats;
pub use tether_sim_kit::{Force429, SimFaults};

use server::{AppState, Company, SimState};

/// The realm id of company `index`: 16 digits, as Intuit's sandbox companies have.
fn realm_id(seed: u64, index: usize) -> String {
    let mut r = SimRng::new(seed, stream::TENANT, index as u64);
    format!("9130{:012}", r.below(1_000_000_000_000))
}

/// The data seed of company `index`: the configured seed for the first.
fn company_seed(seed: u64, index: usize) -> u64 {
    match index {
        0 => seed,
        i => SimRng::new(seed, stream::TENANT, 1000 + i as u64).next_u64(),
    }
}

fn throttles(l: &SimLimits, per_minute: u32, concurrent: u32) -> Limits {
    Limits {
        enabled: l.enabled,
        concurrent,
        per_window: per_minute,
        window: Duration::from_secs(60),
        per_day: None,
        app_per_window: None,
    }
}

/// Starts simulators.
pub struct QuickBooksSim;

impl QuickBooksSim {
    /// Generates every company's books and serves them on `addr` (port 0
    /// picks a free one); the handle stops the server when dropped.
    pub async fn start(config: SimConfig, addr: SocketAddr) -> std::io::Result<SimHandle> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let base_url = format!("http://{local}");
        let end_ms = tether_sim_kit::clock::now_ms();
        let count = config.tenants.max(1);
        let mut realms: Vec<String> = Vec::with_capacity(count);
        for i in 0.. {
            if realms.len() == count {
                break;
            }
            let id = realm_id(config.seed, i);
            if !realms.contains(&id) {
                realms.push(id);
            }
        }
        let jobs: Vec<_> = (0..count)
            .map(|i| {
                let (seed, sizes) = (company_seed(config.seed, i), config.sizes);
                tokio::task::spawn_blocking(move || generate::generate(seed, sizes, end_ms))
            })
            .collect();
        let mut companies = Vec::with_capacity(count);
        for (job, realm) in jobs.into_iter().zip(&realms) {
            companies.push(Arc::new(Company {
                realm: realm.clone(),
                books: RwLock::new(job.await.map_err(std::io::Error::other)?),
                requestids: Idempotency::new(config.requestid_window, Mismatch::Replay),
            }));
        }
        let orgs = realms
            .iter()
            .enumerate()
            .map(|(i, realm)| Org {
                tenant_id: realm.clone(),
                name: format!("Sandbox Company_US_{}", i + 1),
            })
            .collect();
        let auth = Auth::new(AuthSetup {
            seed: config.seed,
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            pkce_client_id: None,
            ttl: auth::ACCESS_TTL,
            redirect_uris: Vec::new(),
            orgs,
            custom: None,
            profile: &auth::INTUIT_OAUTH,
            minter: Box::new(auth::IntuitTokens),
        });
        let l = &config.limits;
        let limiter = Arc::new(Limiter::new(throttles(l, l.per_minute, l.concurrent), None));
        let batch_limiter = Arc::new(Limiter::new(
            throttles(l, l.batch_per_minute, u32::MAX),
            None,
        ));
        let faults = Faults::new("application/json;charset=UTF-8");
        faults.set(config.faults.clone(), &limiter);
        let state: AppState = Arc::new(SimState {
            base_url: base_url.clone(),
            companies,
            auth,
            consents: auth::Consents::default(),
            limiter,
            batch_limiter,
            faults,
            stats: stats::Stats::default(),
            latency: config.latency,
        });
        let app = server::router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let service = app.into_make_service_with_connect_info::<ConnKill>();
            let stopped = async move {
                let _ = rx.await;
            };
            if let Err(e) = axum::serve(SimListener(listener), service)
                .with_graceful_shutdown(stopped)
                .await
            {
                tracing::warn!(error = %e, "quickbooks simulator stopped with an error");
            }
        });
        Ok(SimHandle {
            state,
            addr: local,
            base_url,
            stop: Mutex::new(Some(tx)),
            task: Some(task),
        })
    }
}
