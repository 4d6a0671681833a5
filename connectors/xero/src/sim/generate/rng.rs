//! The random streams of Xero's generated data, over the kit's
//! deterministic generator.

pub(crate) use tether_sim_kit::rng::SimRng;

/// Independent random streams, one per purpose.
pub(crate) mod stream {
    pub use tether_sim_kit::rng::stream::TENANT;
    pub const CONTACT: u64 = 10;
    pub const INVOICE: u64 = 11;
    pub const CREDIT_NOTE: u64 = 12;
    pub const PAYMENT: u64 = 13;
    pub const BANK_TRANSACTION: u64 = 14;
    pub const MANUAL_JOURNAL: u64 = 15;
    pub const ITEM: u64 = 16;
    pub const ACCOUNT: u64 = 17;
    pub const TRACKING: u64 = 19;
}
