//! What every provider simulator of Tether needs and no provider defines:
//! a listener whose connections a fault can cut, a clock tests can move,
//! PKCE, byte-preserving JSON edits, a seeded generator, request counters,
//! fault injection, a rate limiter, idempotent writes and an OAuth2
//! server. Each connector's `sim/` keeps only
//! what is true of its provider (paths, bodies, header names, numbers).

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
