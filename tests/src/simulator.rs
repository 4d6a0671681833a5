//! A provider's simulator as the end-to-end tests drive it: the same tests
//! run against every provider, each simulator answering in its provider's
//! own words (its field names, what "deleted" looks like, its limits).

use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;
use tether_core::RateLimitPolicy;
use tether_core::store::Connection;
use tether_sim_kit::config::SimFaults;
use tether_sim_kit::stats::SimStats;
use tether_store::SeaStore;

use tether_core::Vault;

/// What a test asks of a simulator, in no provider's terms.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// How many objects of the main transaction kind (`invoices`); the other
    /// kinds in the provider's proportions.
    pub size: usize,
    /// Latency added to every API call.
    pub latency: Duration,
    /// Limits the simulator enforces; `None` for none.
    pub limits: Option<ScaledLimits>,
}

impl Scenario {
    /// `size` invoices, no latency, no limits.
    pub fn sized(size: usize) -> Scenario {
        Scenario {
            size,
            latency: Duration::ZERO,
            limits: None,
        }
    }
}

/// A provider's limits scaled down so a test spans several windows.
#[derive(Debug, Clone, Copy)]
pub struct ScaledLimits {
    /// Calls in flight at once.
    pub concurrent: u32,
    /// Calls per window.
    pub per_window: u32,
    /// The window.
    pub window: Duration,
}

impl ScaledLimits {
    /// The policy a client keeps to under these limits.
    pub fn policy(&self) -> RateLimitPolicy {
        RateLimitPolicy {
            concurrency: self.concurrent,
            per_window: self.per_window,
            window: self.window,
            per_day: None,
            app_per_window: None,
            batch_per_window: None,
        }
    }
}

/// A running simulator of one provider.
#[async_trait]
pub trait Simulator: Send + Sync + Sized + 'static {
    /// The connector id it simulates.
    const PROVIDER: &'static str;

    /// Starts one on a free loopback port.
    async fn start(scenario: &Scenario) -> Self;

    /// Connects `store` to it as its provider's users connect (Xero: a
    /// custom connection; QuickBooks: a person's consent).
    async fn connect(
        &self,
        store: &SeaStore,
        vault: &Vault,
        limits: Option<RateLimitPolicy>,
    ) -> Connection;

    /// Every object of `kind` it holds, as its API shows them (inactive
    /// and voided included, deleted ones not).
    fn snapshot(&self, kind: &str) -> Vec<Value>;

    /// The field holding an object's id.
    fn id_field(kind: &str) -> &'static str;

    /// Whether `object` is one the provider counts as deleted though it
    /// still shows it (a Xero `DELETED` status, a QuickBooks inactive name).
    fn shows_deleted(kind: &str, object: &Value) -> bool;

    /// An invoice's money field and date field, for tests that break them.
    fn invoice_total_and_date() -> (&'static str, &'static str);

    /// Replaces one field of one stored object, bypassing validation.
    fn corrupt(&self, kind: &str, id: &str, field: &str, value: Value) -> bool;

    /// What it has seen.
    fn stats(&self) -> SimStats;

    /// Sets the faults it injects.
    fn set_faults(&self, faults: SimFaults);

    /// Stops it.
    async fn shutdown(self);
}
