//! What every provider simulator of Tether needs and no provider defines.
//! Each connector's `sim/` keeps only what is true of its provider (paths,
//! bodies, header names, numbers); the rest is here:
//!
//! * [`server`] and [`handle`]: the shared state ([`SimState`], one
//!   [`Tenant`] per company/organisation), the router with the API guard
//!   (bearer → tenant → limits → faults → deliver → remaining-calls
//!   headers), the `/_sim` control endpoints (stats, reset, faults,
//!   corrupt, clock), and the [`SimHandle`] tests hold;
//! * [`auth`]: an OAuth2 server (consent, token, revoke, discovery, bearer
//!   checks) shaped by an [`auth::OAuthProfile`] and a [`auth::TokenMinter`];
//! * [`limits`], [`faults`], [`stats`], [`idempotency`]: the rate limiter,
//!   fault injection, counters and idempotent writes;
//! * [`store`], [`txn`]: a paged collection in `(updated, id)` order with
//!   cached views, and write transactions with rollback;
//! * [`rng`], [`par`], [`clock`], [`conn`], [`pkce`], [`rawjson`],
//!   [`respond`]: seeded generation, the movable clock, the killable
//!   listener, PKCE, byte-preserving JSON edits, responses.
//!
//! A new simulator plugs in by implementing [`Provider`] (its tenant id
//! type, its data type, where a request names its tenant, which requests
//! write, its 429/403, `/_sim` corrupt and snapshot) and [`ErrorBody`] (the
//! words of every refusal), declaring a `static` [`auth::OAuthProfile`]
//! and a [`auth::TokenMinter`], then: build an [`auth::Auth`], its
//! [`Tenant`]s (each with an [`idempotency::Idempotency`] of its
//! [`idempotency::IdempotencyRule`]), a [`SimState::new`], and call
//! [`handle::serve`] with its API routes (guarded), its open routes (the
//! [`auth`] handlers at its paths) and its 404. Handlers read their
//! tenant as `Extension<Arc<Tenant<P>>>` and run keyed writes through
//! [`idempotency::run_keyed`].

#![deny(missing_docs)]

pub mod auth;
pub mod clock;
pub mod config;
pub mod conn;
pub mod errors;
pub mod faults;
pub mod handle;
pub mod idempotency;
pub mod limits;
pub mod par;
pub mod pkce;
pub mod provider;
pub mod rawjson;
pub mod respond;
pub mod rng;
pub mod server;
pub mod stats;
pub mod store;
pub mod tenant;
pub mod txn;

#[cfg(test)]
mod testing;

pub use config::{Force429, Limits, SimFaults};
pub use errors::ErrorBody;
pub use handle::SimHandle;
pub use provider::Provider;
pub use server::{SimState, Tenant};
pub use stats::SimStats;
pub use tenant::TenantId;
