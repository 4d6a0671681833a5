//! Registers the Xero simulator as a sandbox, so `tether sandbox xero` and
//! `tether demo` reach it without Xero-specific code in the CLI.

use async_trait::async_trait;
use tether_core::sandbox::{
    RunningSandbox, Sandbox, SandboxInfo, SandboxLimits, SandboxOptions, SandboxRegistration,
};
use tether_core::{Error, Result, Secret};

use crate::kinds::KINDS;
use crate::sim::{SimConfig, SimFaults, SimHandle, SimLimits, SimSizes, XeroSim};

/// The Xero simulator behind the generic sandbox seam.
struct XeroSandbox;

struct RunningXeroSim(SimHandle);

/// Maps the generic limit choice onto the simulator's limits.
fn sim_limits(limits: SandboxLimits) -> SimLimits {
    match limits {
        SandboxLimits::Real => SimLimits::real(),
        SandboxLimits::Off => SimLimits::off(),
        SandboxLimits::Custom {
            per_window,
            per_day,
            concurrency,
            window,
        } => {
            let real = SimLimits::real();
            SimLimits {
                per_window: per_window.unwrap_or(real.per_window),
                per_day: per_day.unwrap_or(real.per_day),
                concurrent: concurrency.unwrap_or(real.concurrent),
                window: window.unwrap_or(real.window),
                ..real
            }
        }
    }
}

/// The generated data's sizes: `size` invoices and the rest in proportion,
/// then the per-kind counts given.
fn sim_sizes(size: usize, kind_sizes: &[(String, usize)]) -> Result<SimSizes> {
    let mut sizes = SimSizes::scaled(size);
    for (kind, count) in kind_sizes {
        let slot = match kind.as_str() {
            "contacts" => &mut sizes.contacts,
            "invoices" => &mut sizes.invoices,
            "credit_notes" => &mut sizes.credit_notes,
            "payments" => &mut sizes.payments,
            "bank_transactions" => &mut sizes.bank_transactions,
            "manual_journals" => &mut sizes.manual_journals,
            "items" => &mut sizes.items,
            "accounts" => &mut sizes.accounts,
            "tax_rates" => &mut sizes.tax_rates,
            "tracking_categories" => &mut sizes.tracking_categories,
            other => {
                let known: Vec<_> = KINDS.iter().map(|k| k.name()).collect();
                return Err(Error::invalid(format!(
                    "sandbox size for kind `{other}`: expected one of {}",
                    known.join(", ")
                )));
            }
        };
        *slot = *count;
    }
    Ok(sizes)
}

/// The simulator's configuration for the generic options; what they leave
/// open keeps Xero's own behaviour.
fn sim_config(options: &SandboxOptions) -> Result<SimConfig> {
    let defaults = SimConfig::default();
    Ok(SimConfig {
        seed: options.seed,
        sizes: sim_sizes(options.size, &options.kind_sizes)?,
        limits: sim_limits(options.limits),
        faults: SimFaults {
            latency_ms: options.latency.as_millis() as u64,
            error_rate: options.error_rate,
            ..SimFaults::default()
        },
        idempotency_window: options
            .idempotency_window
            .unwrap_or(defaults.idempotency_window),
        tenants: options.tenants.max(1),
        ..defaults
    })
}

#[async_trait]
impl Sandbox for XeroSandbox {
    fn provider(&self) -> &'static str {
        "xero"
    }

    async fn start(&self, options: SandboxOptions) -> Result<Box<dyn RunningSandbox>> {
        let config = sim_config(&options)?;
        let handle = XeroSim::start(config, options.listen).await.map_err(|e| {
            Error::config(format!(
                "starting the Xero sandbox on {}: {e}",
                options.listen
            ))
        })?;
        Ok(Box::new(RunningXeroSim(handle)))
    }
}

#[async_trait]
impl RunningSandbox for RunningXeroSim {
    fn info(&self) -> SandboxInfo {
        SandboxInfo {
            base_url: self.0.base_url(),
            client_id: self.0.client_id().to_owned(),
            client_secret: Secret::new(self.0.client_secret()),
            tenant_id: self.0.tenant_id().to_string(),
            tenant_ids: self.0.tenant_ids().iter().map(|t| t.to_string()).collect(),
        }
    }

    async fn shutdown(self: Box<Self>) {
        self.0.shutdown().await;
    }
}

tether_core::inventory::submit! {
    SandboxRegistration(&XeroSandbox)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn custom_limits_override_only_what_is_given() {
        let limits = sim_limits(SandboxLimits::Custom {
            per_window: Some(60),
            per_day: None,
            concurrency: None,
            window: Some(Duration::from_secs(2)),
        });
        assert_eq!(limits.per_window, 60);
        assert_eq!(limits.window, Duration::from_secs(2));
        assert_eq!(limits.per_day, SimLimits::real().per_day);
        assert!(limits.enabled);
        assert!(!sim_limits(SandboxLimits::Off).enabled);
    }

    fn options(idempotency_window: Option<Duration>) -> SandboxOptions {
        SandboxOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            seed: 3,
            size: 10,
            kind_sizes: Vec::new(),
            limits: SandboxLimits::Off,
            latency: Duration::from_millis(5),
            error_rate: 0.0,
            idempotency_window,
            tenants: 1,
        }
    }

    #[test]
    fn idempotency_window_maps_or_keeps_xeros() {
        let c = sim_config(&options(None)).unwrap();
        assert_eq!(c.idempotency_window, Duration::from_secs(6 * 60));
        assert_eq!(c.faults.latency_ms, 5);
        let c = sim_config(&options(Some(Duration::from_millis(200)))).unwrap();
        assert_eq!(c.idempotency_window, Duration::from_millis(200));
    }

    #[tokio::test]
    async fn tenants_map_and_every_id_is_listed() {
        let mut o = options(None);
        assert_eq!(sim_config(&o).unwrap().tenants, 1);
        o.tenants = 0;
        assert_eq!(sim_config(&o).unwrap().tenants, 1, "at least one");
        o.tenants = 3;
        assert_eq!(sim_config(&o).unwrap().tenants, 3);
        let running = XeroSandbox.start(o).await.unwrap();
        let info = running.info();
        assert_eq!(info.tenant_ids.len(), 3);
        assert_eq!(info.tenant_ids[0], info.tenant_id);
        running.shutdown().await;
    }

    #[test]
    fn kind_sizes_override_the_proportions() {
        let sizes = sim_sizes(1000, &[("contacts".into(), 7)]).unwrap();
        assert_eq!(sizes.invoices, 1000);
        assert_eq!(sizes.contacts, 7);
        let err = sim_sizes(1000, &[("widgets".into(), 1)]).unwrap_err();
        assert!(err.message().contains("widgets") && err.message().contains("invoices"));
    }
}
