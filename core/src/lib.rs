//! Tether's core: the lifecycle that keeps an application's store and a
//! provider in step, and the traits a provider connector and a store fill in.
//!
//! `core` knows no provider and no database engine. A connector
//! ([`Connector`], [`ObjectKind`]) knows its provider's HTTP API; a store
//! ([`store::Store`]) knows its database. The loops (paging, checkpoints,
//! reconciliation) live here, once, in [`sync`]; so do the cross-cutting HTTP
//! concerns (rate limiting, retries, auth) in [`http`].
#![deny(missing_docs)]

pub mod auth;
mod connect;
mod connector;
mod error;
pub mod export;
pub mod feed;
pub mod http;
mod kind;
pub mod lease;
pub mod local;
pub mod money;
mod page;
pub mod pending;
mod registry;
pub mod round_trip;
pub mod sandbox;
pub mod schedule;
mod secret;
mod session;
pub mod store;
pub mod sync;
pub mod time;
pub mod verify;

pub use connect::{ConnectRequest, Consent, Disconnected, connect, disconnect};
pub use connector::{Connector, Endpoints, RateLimitPolicy, Revocation, RevocationBody, Tenant};
pub use error::{Error, ErrorKind, Result};
pub use kind::{
    DeletionStrategy, EditScope, KindCapabilities, ObjectKind, ObjectWriter, Paging, RemoteDelete,
    WriteCapabilities, WriteOutcome, WriteRequest,
};
pub use page::{Page, PageRequest, PageToken, ParseError, ParsedObject};
pub use registry::{ConnectorRegistration, connector, connectors};
pub use secret::{MasterKey, Secret, Vault};
pub use session::Session;

/// Every time Tether keeps is UTC; provider times are converted on parse.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

// Re-exported so a connector's `inventory::submit!` resolves without its own
// dependency pin drifting from core's.
pub use inventory;
