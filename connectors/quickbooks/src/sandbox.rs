//! The QuickBooks simulator as a `tether sandbox quickbooks`: the generic
//! sandbox options become a [`SimConfig`], and the running simulator tells
//! the CLI and the conformance suite its address, app and companies.

use std::time::Duration;

use async_trait::async_trait;
use tether_core::sandbox::{
    RunningSandbox, Sandbox, SandboxInfo, SandboxLimits, SandboxOptions, SandboxRegistration,
};
use tether_core::{Error, Result, Secret};

use crate::sim::{QuickBooksSim, SimConfig, SimFaults, SimHandle, SimLimits, SimSizes};

/// The simulator behind the generic sandbox seam.
struct QuickBooksSandbox;

/// A started simulator.
struct RunningQuickBooks(SimHandle);

/// Intuit counts its throttle per minute: a custom window is converted to
/// the calls per minute it allows. QuickBooks has no daily budget, so a
/// custom `per_day` has nothing to set.
fn limits_for(choice: SandboxLimits) -> SimLimits {
    let real = SimLimits::real();
    let SandboxLimits::Custom {
        per_window,
        concurrency,
        window,
        ..
    } = choice
    else {
        return match choice {
            SandboxLimits::Off => SimLimits::off(),
            _ => real,
        };
    };
    let window_secs = window
        .unwrap_or(Duration::from_secs(60))
        .as_secs_f64()
        .max(0.001);
    let per_minute = per_window.map_or(real.per_minute, |n| {
        (f64::from(n) * 60.0 / window_secs).round() as u32
    });
    SimLimits {
        per_minute: per_minute.max(1),
        concurrent: concurrency.unwrap_or(real.concurrent),
        ..real
    }
}

/// `size` invoices and the rest in proportion, then each named kind's count.
fn sizes_for(size: usize, kind_sizes: &[(String, usize)]) -> Result<SimSizes> {
    let mut sizes = SimSizes::scaled(size);
    match kind_sizes
        .iter()
        .find(|(kind, count)| !sizes.set(kind, *count))
    {
        None => Ok(sizes),
        Some((kind, _)) => Err(Error::invalid(format!(
            "the QuickBooks sandbox has no kind `{kind}`; its kinds are accounts, customers, vendors, \
             items, invoices, bills, payments, bill_payments, credit_memos, journal_entries"
        ))),
    }
}

/// The simulator's configuration for the generic options; what they leave
/// open keeps Intuit's behaviour.
fn config_for(options: &SandboxOptions) -> Result<SimConfig> {
    let default = SimConfig::default();
    Ok(SimConfig {
        seed: options.seed,
        sizes: sizes_for(options.size, &options.kind_sizes)?,
        limits: limits_for(options.limits),
        faults: SimFaults {
            error_rate: options.error_rate,
            ..SimFaults::default()
        },
        latency: options.latency,
        requestid_window: options
            .idempotency_window
            .unwrap_or(default.requestid_window),
        tenants: options.tenants.max(1),
        ..default
    })
}

#[async_trait]
impl Sandbox for QuickBooksSandbox {
    fn provider(&self) -> &'static str {
        "quickbooks"
    }

    async fn start(&self, options: SandboxOptions) -> Result<Box<dyn RunningSandbox>> {
        let config = config_for(&options)?;
        match QuickBooksSim::start(config, options.listen).await {
            Ok(handle) => Ok(Box::new(RunningQuickBooks(handle))),
            Err(e) => Err(Error::config(format!(
                "the QuickBooks sandbox cannot listen on {}: {e}",
                options.listen
            ))),
        }
    }
}

#[async_trait]
impl RunningSandbox for RunningQuickBooks {
    fn info(&self) -> SandboxInfo {
        let sim = &self.0;
        SandboxInfo {
            base_url: sim.base_url(),
            client_id: sim.client_id().to_string(),
            client_secret: Secret::new(sim.client_secret()),
            tenant_id: sim.tenant_id(),
            tenant_ids: sim.tenant_ids(),
        }
    }

    async fn shutdown(self: Box<Self>) {
        self.0.shutdown().await;
    }
}

tether_core::inventory::submit! {
    SandboxRegistration(&QuickBooksSandbox)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> SandboxOptions {
        SandboxOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            seed: 9,
            size: 40,
            kind_sizes: vec![("vendors".into(), 4)],
            limits: SandboxLimits::Real,
            latency: Duration::from_millis(3),
            error_rate: 0.25,
            idempotency_window: Some(Duration::from_secs(30)),
            tenants: 2,
        }
    }

    #[test]
    fn options_map_onto_the_simulator() {
        let c = config_for(&options()).unwrap();
        assert_eq!(
            (c.sizes.invoices, c.sizes.vendors, c.sizes.customers),
            (40, 4, 8)
        );
        assert_eq!(
            (c.seed, c.tenants, c.latency),
            (9, 2, Duration::from_millis(3))
        );
        assert_eq!(c.faults.error_rate, 0.25);
        assert_eq!(c.requestid_window, Duration::from_secs(30));
        assert_eq!(c.limits, SimLimits::real());
        let mut o = options();
        o.kind_sizes = vec![("contacts".into(), 1)];
        let err = config_for(&o).unwrap_err();
        assert!(err.message().contains("contacts") && err.message().contains("bill_payments"));
    }

    #[test]
    fn custom_limits_are_per_minute() {
        let l = limits_for(SandboxLimits::Custom {
            per_window: Some(10),
            per_day: Some(5),
            concurrency: None,
            window: Some(Duration::from_secs(2)),
        });
        assert_eq!((l.per_minute, l.concurrent, l.enabled), (300, 10, true));
        assert!(!limits_for(SandboxLimits::Off).enabled);
    }

    #[tokio::test]
    async fn registered_and_reachable() {
        let sandbox = tether_core::sandbox::sandbox("quickbooks").expect("registered");
        let running = sandbox.start(options()).await.unwrap();
        let info = running.info();
        assert_eq!(info.tenant_ids.len(), 2);
        assert_eq!(info.tenant_ids[0], info.tenant_id);
        assert!(info.tenant_id.len() == 16 && info.tenant_id.bytes().all(|b| b.is_ascii_digit()));
        let disco = reqwest::get(format!(
            "{}/.well-known/openid_configuration/",
            info.base_url
        ))
        .await
        .unwrap();
        assert_eq!(disco.status(), 200);
        running.shutdown().await;
    }
}
