//! Tether's connector for the Xero Accounting API.
//!
//! It reads like a description of Xero: `config` says where Xero
//! lives and what it allows, `kinds` how each collection is listed and
//! written, `deletion` how Xero's deletions show, `schema` what its objects
//! look like, and `client` how its errors read. With the `sim` feature it
//! also ships `sim`, a local Xero that follows the published API.
#![doc = include_str!("../docs.md")]
#![deny(missing_docs)]

mod client;
mod config;
mod connector;
mod deletion;
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

pub use connector::XeroConnector;

tether_core::inventory::submit! {
    tether_core::ConnectorRegistration(&XeroConnector)
}
