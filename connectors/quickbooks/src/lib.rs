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

#[cfg(feature = "sim")]
mod sandbox;
#[cfg(feature = "sim")]
pub mod sim;
