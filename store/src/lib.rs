//! Tether's store: core's [`Store`](tether_core::store::Store) trait on
//! sea-orm, for SQLite (the embedded default, one file) and PostgreSQL (the
//! production store several workers share).
//!
//! Layout follows sea-orm's: [`entity`] holds one entity per table,
//! [`migration`] the schema as ordered migrations (applied by
//! [`SeaStore::connect`]), and [`SeaStore`] the trait's implementation, split
//! by concern (connections, runs, records, sync state).
//!
//! Every trait method is one transaction, and none does a round trip per
//! record: a page of records is one batched `INSERT ... ON CONFLICT DO UPDATE`
//! committed together with its quarantine rows and its checkpoint, which is
//! what lets a crashed sync resume without losing or duplicating anything.
#![deny(missing_docs)]

mod budget;
mod connections;
mod deletions;
pub mod entity;
mod error;
mod export;
mod grants;
mod leader;
mod leases;
mod local;
pub mod migration;
mod open;
mod quarantine;
mod records;
mod runs;
mod sea_store;
mod sync_state;

pub use error::StoreError;
pub use leader::Leadership;
pub use migration::Migrator;
/// The PostgreSQL pool type [`SeaStore::postgres_pool`] hands out.
pub use sea_orm::sqlx::PgPool;
pub use sea_store::SeaStore;
