//! Tether's connector for the QuickBooks Online Accounting API.
//!
//! It reads like a description of QuickBooks: `config` says where Intuit's
//! hosts are and what they allow, `kinds` how each entity is queried and
//! written, `feed` its change-data-capture, `deletion` how its deletions
//! show (inactive names, vanished transactions), `schema` what its objects
//! look like, and `client` how its Faults read. With the `sim` feature it
//! also ships `sim`, a local QuickBooks that follows the documented API.
#![doc = include_str!("../docs.md")]
#![deny(missing_docs)]

mod client;
mod config;
mod connector;
mod deletion;
mod feed;
mod kinds;
mod lister;
mod parse;
#[cfg(feature = "sim")]
mod sandbox;
mod schema;
#[cfg(feature = "sim")]
pub mod sim;
mod write_rules;
mod writer;

pub use connector::QuickBooksConnector;

tether_core::inventory::submit! {
    tether_core::ConnectorRegistration(&QuickBooksConnector)
}
