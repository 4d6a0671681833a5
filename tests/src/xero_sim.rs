//! The Xero simulator behind the provider-neutral tests.

use async_trait::async_trait;
use serde_json::Value;
use tether_core::store::Connection;
use tether_core::{RateLimitPolicy, Secret, Vault};
use tether_sim_kit::config::SimFaults;
use tether_sim_kit::stats::SimStats;
use tether_store::SeaStore;
use tether_xero::sim::{SimHandle, SimLimits};

use crate::{Scenario, Simulator, sim_config};

/// The statuses that mean deleted for each Xero kind, as DESIGN.md and the
/// resync issue state them (an archived contact, account or tracking
/// category counts as deleted, with its status as the reason).
fn deleted_statuses(kind: &str) -> &'static [&'static str] {
    match kind {
        "invoices" | "credit_notes" | "bank_transactions" | "manual_journals" => {
            &["DELETED", "VOIDED"]
        }
        "payments" | "tax_rates" => &["DELETED"],
        "contacts" => &["ARCHIVED"],
        "accounts" | "tracking_categories" => &["ARCHIVED", "DELETED"],
        _ => &[],
    }
}

#[async_trait]
impl Simulator for SimHandle {
    const PROVIDER: &'static str = "xero";

    async fn start(scenario: &Scenario) -> Self {
        let mut config = sim_config(scenario.size);
        config.faults.latency_ms = scenario.latency.as_millis() as u64;
        if let Some(limits) = scenario.limits {
            config.limits = SimLimits {
                enabled: true,
                concurrent: limits.concurrent,
                per_window: limits.per_window,
                window: limits.window,
                per_day: 5000,
                app_per_window: 10_000,
            };
        }
        tether_xero::sim::XeroSim::start(config, ([127, 0, 0, 1], 0).into())
            .await
            .expect("start the Xero simulator")
    }

    async fn connect(
        &self,
        store: &SeaStore,
        vault: &Vault,
        limits: Option<RateLimitPolicy>,
    ) -> Connection {
        crate::connect_app(
            store,
            vault,
            Self::PROVIDER,
            "test",
            &self.base_url(),
            (self.client_id(), Secret::new(self.client_secret())),
            limits,
        )
        .await
        .expect("connect to the simulator")
    }

    fn snapshot(&self, kind: &str) -> Vec<Value> {
        SimHandle::snapshot(self, kind)
    }

    fn id_field(kind: &str) -> &'static str {
        SimHandle::id_field(kind)
    }

    fn shows_deleted(kind: &str, object: &Value) -> bool {
        let status = object
            .get("Status")
            .or_else(|| object.get("ContactStatus"))
            .and_then(Value::as_str);
        status.is_some_and(|s| deleted_statuses(kind).contains(&s))
    }

    fn invoice_total_and_date() -> (&'static str, &'static str) {
        ("Total", "Date")
    }

    fn corrupt(&self, kind: &str, id: &str, field: &str, value: Value) -> bool {
        SimHandle::corrupt(self, kind, id, field, value)
    }

    fn stats(&self) -> SimStats {
        SimHandle::stats(self)
    }

    fn set_faults(&self, faults: SimFaults) {
        SimHandle::set_faults(self, faults)
    }

    async fn shutdown(self) {
        SimHandle::shutdown(self).await
    }
}
