//! `tether sandbox PROVIDER`: a local simulator of the provider's API.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use tether_core::sandbox::{SandboxLimits, SandboxOptions};

use crate::context::Global;

#[derive(clap::Args)]
pub struct Args {
    /// The provider to simulate (see `tether providers`).
    pub provider: String,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// How many invoices to generate (other kinds in proportion).
    #[arg(long, default_value_t = 1000)]
    pub size: usize,
    /// A count for one kind, e.g. `contacts=50` (repeatable).
    #[arg(long = "kind-size", value_name = "KIND=N", value_parser = parse_kind_size)]
    pub kind_sizes: Vec<(String, usize)>,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Latency added to every API call, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Fraction (0..1) of API calls answered with a server error.
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// How long a repeated idempotency key gets the stored answer, in seconds
    /// (default: the provider's own; shorten it to test key expiry fast).
    #[arg(long, value_name = "S")]
    pub idempotency_window_secs: Option<f64>,
    /// How many organisations to serve, each with its own data and limits
    /// (a consent grants all of them).
    #[arg(long, default_value_t = 1)]
    pub tenants: usize,
}

/// The simulator's rate limits.
#[derive(clap::Args)]
pub struct LimitArgs {
    /// `real` (the provider's published limits) or `off`.
    #[arg(long, default_value = "real", value_parser = ["real", "off"])]
    pub limits: String,
    /// Calls allowed per window, per tenant.
    #[arg(long)]
    pub minute_limit: Option<u32>,
    /// Calls allowed per day, per tenant.
    #[arg(long)]
    pub day_limit: Option<u32>,
    /// Calls allowed in flight, per tenant.
    #[arg(long)]
    pub concurrency: Option<u32>,
    /// Length of the per-minute window, in seconds (shorten it to test limits fast).
    #[arg(long)]
    pub window_secs: Option<f64>,
}

impl LimitArgs {
    pub fn to_limits(&self) -> anyhow::Result<SandboxLimits> {
        let custom = self.minute_limit.is_some()
            || self.day_limit.is_some()
            || self.concurrency.is_some()
            || self.window_secs.is_some();
        let window = self
            .window_secs
            .map(|s| {
                Duration::try_from_secs_f64(s).context("--window-secs must be a positive number")
            })
            .transpose()?;
        Ok(match (self.limits.as_str(), custom) {
            ("off", true) => bail!("--limits off cannot be combined with given limits"),
            ("off", false) => SandboxLimits::Off,
            (_, false) => SandboxLimits::Real,
            (_, true) => SandboxLimits::Custom {
                per_window: self.minute_limit,
                per_day: self.day_limit,
                concurrency: self.concurrency,
                window,
            },
        })
    }
}

fn parse_kind_size(text: &str) -> Result<(String, usize), String> {
    let (kind, count) = text
        .split_once('=')
        .ok_or_else(|| format!("expected KIND=N, got `{text}`"))?;
    let count = count
        .parse()
        .map_err(|_| format!("expected a count after `{kind}=`, got `{count}`"))?;
    Ok((kind.to_owned(), count))
}

pub async fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.error_rate) {
        bail!(
            "--error-rate must be between 0 and 1, got {}",
            args.error_rate
        );
    }
    if args.tenants == 0 {
        bail!("--tenants must be at least 1");
    }
    let idempotency_window = args
        .idempotency_window_secs
        .map(|s| {
            Duration::try_from_secs_f64(s)
                .context("--idempotency-window-secs must be a non-negative number")
        })
        .transpose()?;
    let Some(sandbox) = tether_core::sandbox::sandbox(&args.provider) else {
        bail!(
            "no sandbox for provider `{}`; available: {}",
            args.provider,
            tether_core::sandbox::sandboxes().join(", ")
        );
    };
    let running = sandbox
        .start(SandboxOptions {
            listen: args.listen,
            seed: args.seed,
            size: args.size,
            kind_sizes: args.kind_sizes,
            limits: args.limits.to_limits()?,
            latency: Duration::from_millis(args.latency_ms),
            error_rate: args.error_rate,
            idempotency_window,
            tenants: args.tenants,
        })
        .await?;
    let info = running.info();
    if global.json {
        crate::output::json_line(&serde_json::json!({
            "base_url": info.base_url,
            "client_id": info.client_id,
            "client_secret": info.client_secret.expose(),
            "tenant_id": info.tenant_id,
            "tenant_ids": info.tenant_ids,
        }))?;
    } else {
        println!("{} sandbox listening", args.provider);
        println!("  base_url:      {}", info.base_url);
        println!("  client_id:     {}", info.client_id);
        println!("  client_secret: {}", info.client_secret.expose());
        println!("  tenant_id:     {}", info.tenant_id);
        for (i, id) in info.tenant_ids.iter().enumerate().skip(1) {
            println!("  tenant_id {}:   {id}", i + 1);
        }
        println!();
        println!(
            "connect with: tether connect {} NAME --client-id {} --client-secret {} --base-url {}",
            args.provider,
            info.client_id,
            info.client_secret.expose(),
            info.base_url
        );
        let own_credentials =
            tether_core::connector(&args.provider).is_some_and(|c| c.client_credentials());
        if own_credentials {
            println!(
                "  (the sandbox consents at once when the browser opens; add --client-credentials \
                 to connect with the app's own credentials instead)"
            );
        } else {
            println!("  (the sandbox consents at once when the browser opens)");
        }
        println!("stop with Ctrl-C");
    }
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    running.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
