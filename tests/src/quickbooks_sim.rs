//! The QuickBooks simulator behind the provider-neutral tests.

use async_trait::async_trait;
use serde_json::Value;
use tether_core::auth::authorize::App;
use tether_core::store::Connection;
use tether_core::{ConnectRequest, RateLimitPolicy, Secret, Vault};
use tether_quickbooks::sim::{QuickBooksSim, SimConfig, SimHandle, SimLimits, SimSizes};
use tether_sim_kit::config::SimFaults;
use tether_sim_kit::stats::SimStats;
use tether_store::SeaStore;

use crate::{Scenario, Simulator};

/// QuickBooks' name lists: never deleted, made inactive.
const NAME_LISTS: &[&str] = &["accounts", "customers", "vendors", "items"];

#[async_trait]
impl Simulator for SimHandle {
    const PROVIDER: &'static str = "quickbooks";

    async fn start(scenario: &Scenario) -> Self {
        let mut config = SimConfig {
            seed: 7,
            sizes: SimSizes::scaled(scenario.size),
            limits: SimLimits::off(),
            ..SimConfig::default()
        };
        config.faults.latency_ms = scenario.latency.as_millis() as u64;
        if let Some(limits) = scenario.limits {
            let per_minute =
                (u128::from(limits.per_window) * 60_000 / limits.window.as_millis().max(1)) as u32;
            config.limits = SimLimits {
                enabled: true,
                concurrent: limits.concurrent,
                per_minute,
                ..SimLimits::real()
            };
        }
        QuickBooksSim::start(config, ([127, 0, 0, 1], 0).into())
            .await
            .expect("start the QuickBooks simulator")
    }

    async fn connect(
        &self,
        store: &SeaStore,
        vault: &Vault,
        limits: Option<RateLimitPolicy>,
    ) -> Connection {
        // QuickBooks has only the authorization-code grant: a person consents.
        crate::connect_by_consent(
            store,
            vault,
            Self::PROVIDER,
            ConnectRequest {
                name: "test".to_owned(),
                base_url: Some(self.base_url()),
                tenant: None,
                rate_limits: limits,
                replace: false,
            },
            App {
                client_id: self.client_id().to_owned(),
                client_secret: Some(Secret::new(self.client_secret())),
            },
        )
        .await
        .expect("connect to the simulator")
        .remove(0)
    }

    fn snapshot(&self, kind: &str) -> Vec<Value> {
        (**self).snapshot(kind)
    }

    fn id_field(kind: &str) -> &'static str {
        SimHandle::id_field(kind)
    }

    fn shows_deleted(kind: &str, object: &Value) -> bool {
        NAME_LISTS.contains(&kind) && object.get("Active") == Some(&Value::Bool(false))
    }

    fn invoice_total_and_date() -> (&'static str, &'static str) {
        ("TotalAmt", "TxnDate")
    }

    fn corrupt(&self, kind: &str, id: &str, field: &str, value: Value) -> bool {
        (**self).corrupt(kind, id, field, value)
    }

    fn stats(&self) -> SimStats {
        SimHandle::stats(self).counters
    }

    fn set_faults(&self, faults: SimFaults) {
        (**self).set_faults(faults)
    }

    async fn shutdown(self) {
        SimHandle::shutdown(self).await
    }
}
