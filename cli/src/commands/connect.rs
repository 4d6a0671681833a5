//! `tether connect PROVIDER NAME`: authorise and save a connection.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use tether_core::auth::Grant;
use tether_core::store::Store;
use tether_core::{ConnectRequest, RateLimitPolicy, Secret};

use crate::context::{Context, Global};
use crate::output::json_line;

#[derive(clap::Args)]
pub struct Args {
    /// The provider (see `tether providers`).
    pub provider: String,
    /// Your name for the connection.
    pub name: String,
    /// The app's OAuth2 client id.
    #[arg(long, allow_hyphen_values = true)]
    pub client_id: String,
    /// The app's OAuth2 client secret (or set TETHER_CLIENT_SECRET); one
    /// that begins with `-` is taken as the value it is.
    #[arg(
        long,
        env = "TETHER_CLIENT_SECRET",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    pub client_secret: String,
    /// Send every call to this base URL instead of the provider (a sandbox).
    #[arg(long)]
    pub base_url: Option<String>,
    /// The tenant (id or name) when the grant reaches several.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Keep to this many calls per window instead of the provider's published limit.
    #[arg(long)]
    pub minute_limit: Option<u32>,
    /// The window length in seconds for --minute-limit.
    #[arg(long)]
    pub window_secs: Option<f64>,
    /// Keep to this many calls in flight.
    #[arg(long)]
    pub concurrency: Option<u32>,
    /// Replace the connection of this name if there is one (its records
    /// stay; its credentials and settings are replaced).
    #[arg(long)]
    pub replace: bool,
}

pub async fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let Some(connector) = tether_core::connector(&args.provider) else {
        let known: Vec<_> = tether_core::connectors().iter().map(|c| c.id()).collect();
        bail!(
            "unknown provider `{}`; this build has: {}",
            args.provider,
            known.join(", ")
        );
    };
    let rate_limits = limits(&args, connector.rate_limits())?;
    let ctx = Context::open_creating(global).await?;
    if let Some(existing) = ctx.store.connection(&args.name).await?
        && !args.replace
    {
        bail!(
            "a connection named `{}` exists already ({} organisation `{}`); pass --replace to \
             replace its credentials and settings (its records stay), or choose another name",
            existing.name,
            existing.provider,
            existing.tenant_name
        );
    }
    let connection = tether_core::connect(
        &ctx.store,
        &ctx.vault,
        connector,
        ConnectRequest {
            name: args.name.clone(),
            grant: Grant::ClientCredentials {
                client_id: args.client_id,
                client_secret: Secret::new(args.client_secret),
            },
            base_url: args.base_url,
            tenant: args.tenant,
            rate_limits,
        },
    )
    .await
    .with_context(|| format!("connecting `{}` to {}", args.name, connector.display_name()))?;
    if ctx.json {
        json_line(&serde_json::json!({
            "name": connection.name,
            "provider": connection.provider,
            "tenant_id": connection.tenant_id,
            "tenant_name": connection.tenant_name,
        }))?;
    } else {
        println!(
            "connected `{}` to {} organisation `{}` ({})",
            connection.name,
            connector.display_name(),
            connection.tenant_name,
            connection.tenant_id
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn limits(args: &Args, published: RateLimitPolicy) -> anyhow::Result<Option<RateLimitPolicy>> {
    if args.minute_limit.is_none() && args.window_secs.is_none() && args.concurrency.is_none() {
        return Ok(None);
    }
    let window = match args.window_secs {
        Some(s) => {
            Duration::try_from_secs_f64(s).context("--window-secs must be a positive number")?
        }
        None => published.window,
    };
    Ok(Some(RateLimitPolicy {
        concurrency: args.concurrency.unwrap_or(published.concurrency),
        per_window: args.minute_limit.unwrap_or(published.per_window),
        window,
        per_day: published.per_day,
    }))
}
