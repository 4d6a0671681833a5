//! What shapes one simulator: its companies, their data's size, Intuit's
//! limits, faults, and how long a `requestid` is remembered.

use std::time::Duration;

use super::entity::Entity;
use tether_sim_kit::SimFaults;

/// Everything [`QuickBooksSim::start`](super::QuickBooksSim::start) needs;
/// tests and `tether sandbox quickbooks` build one.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Seed of the generated data and app credentials: the same seed gives
    /// the same companies.
    pub seed: u64,
    /// How many objects of each entity a company starts with.
    pub sizes: SimSizes,
    /// Companies (realms) served, at least one; each consent picks one.
    pub tenants: usize,
    /// How long a `requestid` is answered from memory. Intuit does not
    /// publish a window; a day here, shortened by tests.
    pub requestid_window: Duration,
    /// Latency added to every API call, on top of the faults' own.
    pub latency: Duration,
    /// Faults active from the start (changeable at run time).
    pub faults: SimFaults,
    /// Intuit's throttles, as enforced here.
    pub limits: SimLimits,
    /// The app registered with the simulator, as (client id, client secret);
    /// drawn from the seed unless given.
    pub app: Option<(String, String)>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            sizes: SimSizes::scaled(100),
            tenants: 1,
            requestid_window: Duration::from_secs(24 * 3600),
            latency: Duration::ZERO,
            faults: SimFaults::default(),
            limits: SimLimits::real(),
            app: None,
        }
    }
}

/// Objects per entity a generated company holds, so a test can ask for a
/// tiny company and a benchmark for a large one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimSizes {
    /// The chart of accounts: a standard chart of 16, extended when larger,
    /// at least the 6 every role needs.
    pub accounts: usize,
    /// Customers, about one in ten inactive.
    pub customers: usize,
    /// Vendors, about one in ten inactive.
    pub vendors: usize,
    /// Service and non-inventory items.
    pub items: usize,
    /// Invoices, a few voided.
    pub invoices: usize,
    /// Bills.
    pub bills: usize,
    /// Payments, each applied to one invoice (at most one per invoice).
    pub payments: usize,
    /// Bill payments, each applied to one bill (at most one per bill).
    pub bill_payments: usize,
    /// Credit memos.
    pub credit_memos: usize,
    /// Journal entries, each balanced.
    pub journal_entries: usize,
}

impl SimSizes {
    /// `invoices` invoices and every other entity in proportion.
    pub fn scaled(invoices: usize) -> Self {
        Self {
            accounts: 16,
            customers: (invoices / 5).max(5),
            vendors: (invoices / 10).max(3),
            items: (invoices / 20).max(5),
            invoices,
            bills: invoices / 2,
            payments: invoices * 2 / 5,
            bill_payments: invoices / 4,
            credit_memos: invoices / 10,
            journal_entries: invoices / 20,
        }
    }

    /// Sets the count of Tether's kind `kind`; false for an unknown kind.
    pub fn set(&mut self, kind: &str, count: usize) -> bool {
        match Entity::from_kind(kind) {
            Some(e) => {
                *self.slot(e) = count;
                true
            }
            None => false,
        }
    }

    fn slot(&mut self, entity: Entity) -> &mut usize {
        match entity {
            Entity::Account => &mut self.accounts,
            Entity::Customer => &mut self.customers,
            Entity::Vendor => &mut self.vendors,
            Entity::Item => &mut self.items,
            Entity::Invoice => &mut self.invoices,
            Entity::Bill => &mut self.bills,
            Entity::Payment => &mut self.payments,
            Entity::BillPayment => &mut self.bill_payments,
            Entity::CreditMemo => &mut self.credit_memos,
            Entity::JournalEntry => &mut self.journal_entries,
        }
    }
}

/// Intuit's throttles per company; `enabled: false` counts but never refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimLimits {
    /// Whether a request over a limit is refused with 429 (Fault 003001).
    pub enabled: bool,
    /// Requests per company per minute (Intuit: 500).
    pub per_minute: u32,
    /// Requests of one company in flight at once (Intuit: 10).
    pub concurrent: u32,
    /// Batch requests per company per minute (Intuit: 40).
    pub batch_per_minute: u32,
}

impl SimLimits {
    /// Intuit's published limits.
    pub fn real() -> Self {
        Self {
            enabled: true,
            per_minute: 500,
            concurrent: 10,
            batch_per_minute: 40,
        }
    }

    /// Nothing refused.
    pub fn off() -> Self {
        Self {
            enabled: false,
            ..Self::real()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_keeps_minimums_and_kinds_override() {
        let s = SimSizes::scaled(0);
        assert_eq!((s.invoices, s.customers, s.items), (0, 5, 5));
        let mut s = SimSizes::scaled(1000);
        assert_eq!((s.customers, s.payments, s.bills), (200, 400, 500));
        assert!(s.set("bill_payments", 7));
        assert_eq!(s.bill_payments, 7);
        assert!(!s.set("widgets", 1));
        assert!(!SimLimits::off().enabled);
        assert_eq!(SimLimits::off().per_minute, 500);
    }
}
