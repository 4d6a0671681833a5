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
//! * `GET /_sim/stats`, `POST /_sim/stats/reset` — the kit's counters
//!   ([`SimHandle::stats`] adds calls made without `minorversion`);
//! * `GET|POST /_sim/faults` — latency, 500s, forced 429s, lost write
//!   answers ([`SimFaults`]);
//! * `GET|POST /_sim/clock` — `{"advance_secs": N}` moves the company clock
//!   (time stamps, the CDC window, token expiry);
//! * `POST /_sim/corrupt` — `{"kind","id","field","value"[,"tenant"]}`;
//! * `POST /_sim/playground-token` — `{"realm"}`: tokens for that company
//!   without a consent, as Intuit's OAuth Playground gives a developer
//!   (served beside OAuth, so it is counted).
//!
//! It serves [`SimConfig::tenants`] companies, each with data of its own
//! generated from the seed (its `CompanyInfo` naming it too), its own
//! throttles and `requestid`s. One app is
//! registered (client id and secret); each consent picks the next company
//! not yet granted to it.
//!
//! What is QuickBooks' own lives here (entities, generation, the query
//! language, CDC, writes and their rules, Faults, Intuit's OAuth profile
//! and consent); the server, its guard (bearer, company, throttles,
//! faults), the `/_sim` endpoints, the handle, the OAuth2 server,
//! idempotent `requestid`s and parallel generation are `tether-sim-kit`'s.

mod answer;
mod auth;
mod cdc;
mod config;
mod entity;
mod fault;
mod generate;
mod handle;
mod money;
mod provider;
mod query;
mod reads;
mod server;
mod store;
mod time;
mod totals;
mod writes;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tether_sim_kit::auth::{Auth, AuthSetup, Org};
use tether_sim_kit::faults::Faults;
use tether_sim_kit::idempotency::{Idempotency, Mismatch};
use tether_sim_kit::limits::Limiter;
use tether_sim_kit::rng::{SimRng, stream, tenant_seed};
use tether_sim_kit::stats::Stats;
use tether_sim_kit::{Limits, SimState, Tenant};

pub use config::{SimConfig, SimLimits, SimSizes};
pub use handle::{SimHandle, SimStats};
pub use provider::QuickBooks;
pub use tether_sim_kit::{Force429, SimFaults};

/// The realm id of company `index`: 16 digits, as Intuit's sandbox companies have.
fn realm_id(seed: u64, index: usize) -> String {
    let mut r = SimRng::new(seed, stream::TENANT, index as u64);
    format!("9130{:012}", r.below(1_000_000_000_000))
}

/// Intuit's throttles in the kit's terms: per company per minute.
fn per_minute(l: &SimLimits, calls: u32, concurrent: u32) -> Limits {
    Limits {
        enabled: l.enabled,
        concurrent,
        per_window: calls,
        window: Duration::from_secs(60),
        per_day: None,
        app_per_window: None,
    }
}

/// `count` distinct realm ids.
fn realm_ids(seed: u64, count: usize) -> Vec<String> {
    let mut realms: Vec<String> = Vec::with_capacity(count);
    let mut i = 0;
    while realms.len() < count {
        let id = realm_id(seed, i);
        if !realms.contains(&id) {
            realms.push(id);
        }
        i += 1;
    }
    realms
}

/// Starts simulators.
pub struct QuickBooksSim;

impl QuickBooksSim {
    /// Generates every company's books and serves them on `addr` (port 0
    /// picks a free one); the handle stops the server when dropped.
    pub async fn start(config: SimConfig, addr: SocketAddr) -> std::io::Result<SimHandle> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let end_ms = tether_sim_kit::clock::now_ms();
        let realms = realm_ids(config.seed, config.tenants.max(1));
        let names: Vec<String> = (0..realms.len())
            .map(|i| generate::company_name(config.seed, i))
            .collect();
        let jobs: Vec<_> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let (seed, sizes, name) = (tenant_seed(config.seed, i), config.sizes, name.clone());
                tokio::task::spawn_blocking(move || {
                    let mut books = generate::generate(seed, sizes, end_ms);
                    books.set_company_info(generate::company_info(seed, &name, end_ms));
                    books
                })
            })
            .collect();
        let mut companies: Vec<Tenant<QuickBooks>> = Vec::with_capacity(realms.len());
        for ((job, realm), name) in jobs.into_iter().zip(&realms).zip(names) {
            companies.push(Tenant {
                id: realm.clone(),
                // A grant names the company as its CompanyInfo does.
                name,
                data: RwLock::new(job.await.map_err(std::io::Error::other)?),
                idem: Idempotency::new(config.requestid_window, Mismatch::Replay),
            });
        }
        let orgs = companies
            .iter()
            .map(|c| Org {
                tenant_id: c.id.clone(),
                name: c.name.clone(),
            })
            .collect();
        let auth = Auth::new(AuthSetup {
            seed: config.seed,
            client_id: config.app.as_ref().map(|a| a.0.clone()),
            client_secret: config.app.as_ref().map(|a| a.1.clone()),
            pkce_client_id: None,
            ttl: auth::ACCESS_TTL,
            redirect_uris: Vec::new(),
            orgs,
            custom: None,
            profile: &auth::INTUIT_OAUTH,
            minter: Box::new(auth::IntuitTokens),
        });
        let l = &config.limits;
        let limiter = Arc::new(Limiter::new(
            per_minute(l, l.per_minute, l.concurrent),
            None,
        ));
        let faults = Faults::new(auth::INTUIT_OAUTH.json_type);
        faults.set(config.faults.clone(), &limiter);
        let provider = QuickBooks {
            base_url,
            consents: auth::Consents::default(),
            batch_limiter: Arc::new(Limiter::new(
                per_minute(l, l.batch_per_minute, u32::MAX),
                None,
            )),
            missing_minorversion: AtomicU64::new(0),
            latency: config.latency,
        };
        let state = Arc::new(SimState {
            provider,
            auth,
            order: realms,
            tenants: companies
                .into_iter()
                .map(|c| (c.id.clone(), Arc::new(c)))
                .collect(),
            limiter,
            faults,
            stats: Stats::default(),
        });
        let (api, open) = server::routes(&state);
        let inner = tether_sim_kit::handle::serve(state, listener, api, open, server::not_found)?;
        Ok(SimHandle { inner })
    }
}
