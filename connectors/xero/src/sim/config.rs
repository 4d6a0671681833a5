//! Configuration of the simulator: organisations, data sizes, app
//! registrations and rate limits (the faults are the kit's [`SimFaults`]).

use std::time::Duration;

use tether_sim_kit::Limits;
pub use tether_sim_kit::{Force429, SimFaults};

/// Everything that shapes one simulator instance; tests and `tether sandbox`
/// build one of these and hand it to [`XeroSim::start`](super::XeroSim::start).
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Seed of the data generator and of the generated client credentials:
    /// the same seed always yields byte-identical data.
    pub seed: u64,
    /// How many objects of each kind the generator creates.
    pub sizes: SimSizes,
    /// Xero's API rate limits, as enforced by the simulator.
    pub limits: SimLimits,
    /// Lifetime of an issued access token (Xero: 30 minutes).
    pub token_ttl: Duration,
    /// Organisations served (at least one), each with its own data, rate
    /// budget and idempotency keys; a consent grants all of them, a
    /// client-credentials token (a custom connection) only the first.
    pub tenants: usize,
    /// Redirect URIs registered for both apps, matched exactly; when empty,
    /// any loopback URI (`http://127.0.0.1:<port>/...`, `localhost`,
    /// `[::1]`) is accepted, as RFC 8252 asks of native apps.
    pub redirect_uris: Vec<String>,
    /// Client id of the PKCE app (no secret, PKCE required); generated from
    /// the seed when `None`.
    pub pkce_client_id: Option<String>,
    /// Faults active from the start (can be changed at run time).
    pub faults: SimFaults,
    /// OAuth2 client id of the web app (client secret; PKCE optional);
    /// generated from the seed when `None`.
    pub client_id: Option<String>,
    /// OAuth2 client secret; generated from the seed when `None`.
    pub client_secret: Option<String>,
    /// How long an `Idempotency-Key` is remembered from its first call
    /// (Xero: about 6 minutes); tests shorten it to see a key expire.
    pub idempotency_window: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            sizes: SimSizes::scaled(100),
            limits: SimLimits::real(),
            token_ttl: Duration::from_secs(30 * 60),
            tenants: 1,
            redirect_uris: Vec::new(),
            pkce_client_id: None,
            faults: SimFaults::default(),
            client_id: None,
            client_secret: None,
            idempotency_window: IDEMPOTENCY_WINDOW,
        }
    }
}

/// Xero's idempotency window: a key is replayed for about 6 minutes.
const IDEMPOTENCY_WINDOW: Duration = Duration::from_secs(6 * 60);

/// Number of generated objects per kind, so a test can ask for a tiny
/// organisation and a benchmark for a million invoices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimSizes {
    /// Contacts (customers and suppliers), about a tenth archived.
    pub contacts: usize,
    /// Sales invoices and purchase bills.
    pub invoices: usize,
    /// Credit notes.
    pub credit_notes: usize,
    /// Payments; payment `j` pays invoice `j`, so at most `invoices` are made.
    pub payments: usize,
    /// Spend and receive money transactions.
    pub bank_transactions: usize,
    /// Manual journals.
    pub manual_journals: usize,
    /// Inventory and service items.
    pub items: usize,
    /// Chart of accounts (a fixed chart of about 30, extended when larger).
    pub accounts: usize,
    /// Tax rates (a fixed list of up to 8, extended when larger).
    pub tax_rates: usize,
    /// Tracking categories (Region and Department first).
    pub tracking_categories: usize,
}

impl SimSizes {
    /// `n` invoices with realistic proportions of every other kind.
    pub fn scaled(n: usize) -> Self {
        Self {
            contacts: (n / 4).max(5),
            invoices: n,
            credit_notes: (n / 10).max(2),
            payments: (n * 2 / 5).max(2),
            bank_transactions: (n / 5).max(2),
            manual_journals: (n / 20).max(2),
            items: (n / 10).max(5),
            accounts: 30,
            tax_rates: 8,
            tracking_categories: 2,
        }
    }

    /// `n` invoices and a tiny organisation around them (benchmarks).
    pub fn only_invoices(n: usize) -> Self {
        Self {
            contacts: 5,
            invoices: n,
            credit_notes: 2,
            payments: 2,
            bank_transactions: 2,
            manual_journals: 2,
            items: 5,
            accounts: 30,
            tax_rates: 8,
            tracking_categories: 2,
        }
    }
}

/// Xero's rate limits per tenant and per app; `enabled: false` still counts
/// and reports the remaining-calls headers but never refuses a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimLimits {
    /// Whether requests over a limit are refused with 429.
    pub enabled: bool,
    /// Requests in progress at once per tenant (Xero: 5).
    pub concurrent: u32,
    /// Requests per tenant per sliding `window` (Xero: 60 per minute).
    pub per_window: u32,
    /// Length of the sliding window of `per_window` and `app_per_window`.
    pub window: Duration,
    /// Requests per tenant per rolling 24 hours (Xero: 5000).
    pub per_day: u32,
    /// Requests of the whole app per sliding `window` (Xero: 10,000 per minute).
    pub app_per_window: u32,
}

impl SimLimits {
    /// Xero's published limits.
    pub fn real() -> Self {
        Self {
            enabled: true,
            concurrent: 5,
            per_window: 60,
            window: Duration::from_secs(60),
            per_day: 5000,
            app_per_window: 10_000,
        }
    }

    /// No limit is enforced (headers still report Xero's real numbers).
    pub fn off() -> Self {
        Self {
            enabled: false,
            ..Self::real()
        }
    }
}

impl From<&SimLimits> for Limits {
    /// The kit's limiter enforces Xero's limits: every one of them exists.
    fn from(l: &SimLimits) -> Self {
        Limits {
            enabled: l.enabled,
            concurrent: l.concurrent,
            per_window: l.per_window,
            window: l.window,
            per_day: Some(l.per_day),
            app_per_window: Some(l.app_per_window),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_sizes_keep_minimums() {
        let s = SimSizes::scaled(0);
        assert_eq!(s.invoices, 0);
        assert_eq!(s.contacts, 5);
        assert_eq!(s.items, 5);
        let s = SimSizes::scaled(1000);
        assert_eq!(s.contacts, 250);
        assert_eq!(s.payments, 400);
    }

    #[test]
    fn one_tenant_and_loopback_redirects_by_default() {
        let c = SimConfig::default();
        assert_eq!(c.tenants, 1);
        assert!(c.redirect_uris.is_empty());
        assert!(c.pkce_client_id.is_none());
    }

    #[test]
    fn idempotency_window_defaults_to_xeros() {
        assert_eq!(
            SimConfig::default().idempotency_window,
            Duration::from_secs(360)
        );
    }

    #[test]
    fn off_limits_are_disabled_but_real_sized() {
        let l = SimLimits::off();
        assert!(!l.enabled);
        assert_eq!(l.per_window, 60);
    }
}
