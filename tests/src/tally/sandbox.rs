//! Tally's sandbox, registered like every provider's, so the conformance
//! suite runs against it as it runs against Xero's.

use async_trait::async_trait;
use tether_core::sandbox::{
    RunningSandbox, Sandbox, SandboxInfo, SandboxOptions, SandboxRegistration,
};
use tether_core::{Error, Result, Secret};

use super::server::{REALM, TallyHandle};

/// Starts a Tally company seeded with `size` customers, a quarter as many
/// items and a tenth as many accounts (or the sizes asked per kind).
pub struct TallySandbox;

struct RunningTally(TallyHandle);

#[async_trait]
impl Sandbox for TallySandbox {
    fn provider(&self) -> &'static str {
        "tally"
    }

    async fn start(&self, options: SandboxOptions) -> Result<Box<dyn RunningSandbox>> {
        let handle = TallyHandle::start(options.listen).await.map_err(|e| {
            Error::config(format!(
                "starting the Tally sandbox on {}: {e}",
                options.listen
            ))
        })?;
        let size_of = |kind: &str, default: usize| {
            options
                .kind_sizes
                .iter()
                .find(|(k, _)| k == kind)
                .map_or(default, |(_, n)| *n)
        };
        for (entity, kind, size) in [
            (
                "Account",
                "accounts",
                size_of("accounts", options.size / 10),
            ),
            ("Customer", "customers", size_of("customers", options.size)),
            ("Item", "items", size_of("items", options.size / 4)),
        ] {
            for n in 0..size {
                handle.create(entity, &format!("{kind} {} #{n}", options.seed));
            }
        }
        Ok(Box::new(RunningTally(handle)))
    }
}

#[async_trait]
impl RunningSandbox for RunningTally {
    fn info(&self) -> SandboxInfo {
        let (client_id, client_secret) = self.0.credentials();
        SandboxInfo {
            base_url: self.0.base_url(),
            client_id: client_id.to_owned(),
            client_secret: Secret::new(client_secret),
            tenant_id: REALM.to_owned(),
            tenant_ids: vec![REALM.to_owned()],
        }
    }

    async fn shutdown(self: Box<Self>) {
        self.0.shutdown();
    }
}

tether_core::inventory::submit! {
    SandboxRegistration(&TallySandbox)
}
