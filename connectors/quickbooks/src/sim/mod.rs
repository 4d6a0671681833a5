//! A local QuickBooks Online that follows Intuit's documented API.

mod cdc;
mod config;
mod entity;
mod generate;
mod interim_faults;
mod interim_par;
mod money;
mod query;
mod store;
mod time;
mod totals;

pub use config::{SimConfig, SimLimits, SimSizes};
pub use interim_faults::SimFaults;
