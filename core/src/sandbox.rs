//! Provider simulators as the CLI sees them: each connector's `sim` feature
//! registers one, so `tether sandbox <provider>` and `tether demo` need no
//! provider-specific code.

use std::net::SocketAddr;
use std::time::Duration;

use async_trait::async_trait;

use crate::{Result, Secret};

/// The provider limits a sandbox enforces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SandboxLimits {
    /// The provider's published limits.
    Real,
    /// No limits.
    Off,
    /// Given values; `None` keeps the published one.
    Custom {
        /// Calls per window.
        per_window: Option<u32>,
        /// Calls per day.
        per_day: Option<u32>,
        /// Calls in flight.
        concurrency: Option<u32>,
        /// The window length.
        window: Option<Duration>,
    },
}

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Where to listen (port 0 picks one).
    pub listen: SocketAddr,
    /// Seed of the generated data: the same seed gives the same data.
    pub seed: u64,
    /// Size of the generated data (main transaction kind's count).
    pub size: usize,
    /// Counts for given kinds, overriding the proportions derived from `size`.
    pub kind_sizes: Vec<(String, usize)>,
    /// Limits to enforce.
    pub limits: SandboxLimits,
    /// Latency added to every API call.
    pub latency: Duration,
    /// Fraction of API calls answered with a server error.
    pub error_rate: f64,
    /// How long the provider replays an idempotency key; `None` keeps the provider's own.
    pub idempotency_window: Option<Duration>,
    /// Organisations served, each with its own data and limits, all granted
    /// at consent (at least one).
    pub tenants: usize,
}

/// What a client needs to connect to a running sandbox.
#[derive(Debug, Clone)]
pub struct SandboxInfo {
    /// The one base URL serving every provider host's paths.
    pub base_url: String,
    /// The client id it accepts.
    pub client_id: String,
    /// The client secret it accepts.
    pub client_secret: Secret,
    /// The tenant it serves (the first, when it serves several).
    pub tenant_id: String,
    /// Every tenant it serves, `tenant_id` first, so a client can reach
    /// each organisation of a multi-tenant sandbox.
    pub tenant_ids: Vec<String>,
}

/// A running sandbox; dropping it stops it.
#[async_trait]
pub trait RunningSandbox: Send + Sync {
    /// How to reach it.
    fn info(&self) -> SandboxInfo;

    /// Stops it and waits until it has stopped.
    async fn shutdown(self: Box<Self>);
}

/// A provider's simulator.
#[async_trait]
pub trait Sandbox: Send + Sync + 'static {
    /// The connector id it simulates.
    fn provider(&self) -> &'static str;

    /// Starts it.
    async fn start(&self, options: SandboxOptions) -> Result<Box<dyn RunningSandbox>>;
}

/// A simulator's entry in the registry.
pub struct SandboxRegistration(pub &'static dyn Sandbox);

inventory::collect!(SandboxRegistration);

/// The simulator for `provider`, if linked.
pub fn sandbox(provider: &str) -> Option<&'static dyn Sandbox> {
    inventory::iter::<SandboxRegistration>
        .into_iter()
        .map(|r| r.0)
        .find(|s| s.provider() == provider)
}

/// Every linked simulator's provider id, sorted.
pub fn sandboxes() -> Vec<&'static str> {
    let mut all: Vec<_> = inventory::iter::<SandboxRegistration>
        .into_iter()
        .map(|r| r.0.provider())
        .collect();
    all.sort_unstable();
    all
}
