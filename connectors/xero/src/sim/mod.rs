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
//!
//! The server, the OAuth2 server, the rate limiter, faults, counters,
//! idempotency, the paged collection and write transactions are
//! `tether-sim-kit`'s; this module is Xero's [`Xero`] provider over them:
//! its routes, bodies, headers, rules and numbers.

mod auth;
mod collections;
mod config;
mod dates;
mod error_body;
mod errors;
mod generate;
mod idempotency;
mod kinds;
mod model;
mod options;
mod provider;
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

use std::net::SocketAddr;
use std::sync::RwLock;

pub use config::{Force429, SimConfig, SimFaults, SimLimits, SimSizes};
pub use provider::Xero;
pub use stats::SimStats;

use generate::rng::{SimRng, stream};
use server::{AppState, SimState, Tenant};
use tether_sim_kit::rng::tenant_seed;

/// Name Xero shows as `ProviderName` (the app's name).
const PROVIDER_NAME: &str = "Tether Xero Simulator";

/// The name of organisation `index`: Xero's demo company first.
fn tenant_name(index: usize) -> String {
    match index {
        0 => "Demo Company (NZ)".to_string(),
        n => format!("Demo Company {}", n + 1),
    }
}

/// Starts simulators.
pub struct XeroSim;

impl XeroSim {
    /// Generates the data and starts serving on `addr` (port 0 picks a free
    /// port); the returned handle stops the server when dropped.
    pub async fn start(config: SimConfig, addr: SocketAddr) -> std::io::Result<SimHandle> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
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
            tenants.push(Tenant {
                id,
                name: tenant_name(i),
                data: RwLock::new(data),
                idem: idempotency::Idempotency::new(
                    config.idempotency_window,
                    idempotency::XERO_KEYS.on_mismatch,
                ),
            });
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
        let state: AppState = SimState::new(
            Xero {
                name: PROVIDER_NAME.to_string(),
            },
            auth,
            tenants,
            (&config.limits).into(),
            config.faults.clone(),
            errors::JSON_TYPE,
        );
        tether_sim_kit::handle::serve(
            state,
            listener,
            server::api_routes(),
            server::open_routes(),
            errors::not_found,
        )
    }
}

/// A running simulator (the kit's handle over Xero); dropping it (or
/// `shutdown`) stops it. The API is at `{base_url}/api.xro/2.0`, the token
/// endpoint at `{base_url}/connect/token`, connections at
/// `{base_url}/connections`; `tenant_id()` is the organisation id to send
/// as `xero-tenant-id`; `id_field(kind)` is a kind's id field
/// (`InvoiceID`, ...; `TaxType` for tax rates).
pub type SimHandle = tether_sim_kit::SimHandle<Xero>;
