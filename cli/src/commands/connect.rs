//! `tether connect PROVIDER NAME`: a person logs in to the provider and
//! consents (the authorization-code grant with PKCE, redirected to a
//! loopback address of ours), and one connection per granted tenant is
//! saved; or, with `--client-credentials`, an app's own credentials (a Xero
//! custom connection). Connecting again under a name whose grant was
//! refused or disconnected repairs that connection in place.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use tether_core::auth::Grant;
use tether_core::auth::authorize::{App, Authorization};
use tether_core::auth::loopback::Loopback;
use tether_core::store::{Connection, ConnectionStatus, Store};
use tether_core::{ConnectRequest, Connector, Consent, RateLimitPolicy};

use crate::app_config;
use crate::context::{Context, Global};
use crate::output::json_line;

#[derive(clap::Args)]
pub struct Args {
    /// The provider (see `tether providers`).
    pub provider: String,
    /// Your name for the connection (with several organisations granted,
    /// each gets NAME-ORGANISATION).
    pub name: String,
    /// The app's OAuth2 client id (else TETHER_XERO_CLIENT_ID and the like, else
    /// the config file).
    #[arg(long, allow_hyphen_values = true)]
    pub client_id: Option<String>,
    /// The app's OAuth2 client secret (else TETHER_XERO_CLIENT_SECRET and the like,
    /// else the config file); one that begins with `-` is taken as it is.
    #[arg(long, allow_hyphen_values = true)]
    pub client_secret: Option<String>,
    /// Use the app's own credentials (a Xero custom connection) instead of
    /// a person's consent.
    #[arg(long)]
    pub client_credentials: bool,
    /// Only print the authorize URL; do not open a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// The loopback port of the redirect URI registered with the provider
    /// (else the config file's `redirect_port`, else any free one).
    #[arg(long)]
    pub redirect_port: Option<u16>,
    /// How long to wait for the person to consent, in seconds.
    #[arg(long, default_value_t = 300)]
    pub wait_secs: u64,
    /// Send every call to this base URL instead of the provider (a sandbox).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Only this tenant (id or name).
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
    /// Keep to this many calls per window across every tenant of the app
    /// (a sandbox whose app limit is scaled down with its window).
    #[arg(long)]
    pub app_limit: Option<u32>,
    /// Replace the connection of this name if there is one (its records
    /// stay; its tenant, credentials and settings are replaced).
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
    let app = app_config::resolve(
        connector.id(),
        args.client_id.clone(),
        args.client_secret.clone(),
        args.redirect_port,
    )?;
    let ctx = Context::open_creating(global).await?;
    let existing = ctx.store.connection(&args.name).await?;
    if let Some(existing) = &existing
        && existing.status == ConnectionStatus::Active
        && !args.replace
    {
        bail!(
            "a connection named `{}` exists already ({} {} `{}`) and works; pass \
             --replace to replace its tenant, credentials and settings (its records stay), or \
             choose another name",
            existing.name,
            existing.provider,
            tether_core::connector(&existing.provider).map_or("tenant", |c| c.tenant_noun()),
            existing.tenant_name
        );
    }
    if args.client_credentials && !connector.client_credentials() {
        bail!(
            "{} connects only by a person's consent; leave out --client-credentials",
            connector.display_name()
        );
    }
    let consent = if args.client_credentials {
        let client_secret = app
            .client_secret
            .context("--client-credentials needs the app's client secret")?;
        Consent::ClientCredentials(Grant::ClientCredentials {
            client_id: app.client_id,
            client_secret,
        })
    } else {
        consent(connector, &args, app, ctx.json).await?
    };
    let request = ConnectRequest {
        name: args.name.clone(),
        base_url: args.base_url.clone(),
        tenant: args.tenant.clone(),
        rate_limits,
        replace: args.replace,
    };
    let store: Arc<dyn Store> = Arc::new(ctx.store.clone());
    let saved = tether_core::connect(store, &ctx.vault, connector, request, consent)
        .await
        .with_context(|| format!("connecting `{}` to {}", args.name, connector.display_name()))?;
    let repaired = existing.is_some() && !args.replace;
    for connection in &saved {
        say(connector, connection, repaired, ctx.json)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A person's consent: the authorize URL shown (and opened), the redirect
/// awaited on the loopback address, its code exchanged.
async fn consent(
    connector: &'static dyn Connector,
    args: &Args,
    app: app_config::AppCredentials,
    json: bool,
) -> anyhow::Result<Consent> {
    let show = |url: String, redirect_uri: String| async move {
        if json {
            json_line(&serde_json::json!({
                "authorize_url": url,
                "redirect_uri": redirect_uri,
            }))?;
        } else {
            eprintln!(
                "Open this address to let Tether reach your {} data:\n\n  {url}\n\n\
                 Waiting for the provider to send your browser back to {redirect_uri} …",
                connector.display_name(),
            );
        }
        if !args.no_browser && webbrowser::open(&url).is_err() && !json {
            eprintln!("(no browser could be opened here; open the address yourself)");
        }
        Ok(())
    };
    run_consent(
        connector,
        args.base_url.as_deref(),
        app,
        Duration::from_secs(args.wait_secs),
        show,
    )
    .await
}

/// Runs a consent: the authorize URL handed to `visit` (a person's browser,
/// or the demo's own request to a sandbox that consents at once), the
/// redirect awaited on a loopback address, its `state` checked and its code
/// exchanged.
pub async fn run_consent<F>(
    connector: &'static dyn Connector,
    base_url: Option<&str>,
    app: app_config::AppCredentials,
    wait: Duration,
    visit: impl FnOnce(String, String) -> F,
) -> anyhow::Result<Consent>
where
    F: Future<Output = anyhow::Result<()>>,
{
    let endpoints = connector.endpoints(base_url);
    let loopback = Loopback::bind(app.redirect_port).await?;
    let redirect_uri = loopback.redirect_uri();
    let authorization = Authorization::begin(
        &endpoints,
        connector.consent_scopes(),
        App {
            client_id: app.client_id,
            client_secret: app.client_secret,
        },
        &redirect_uri,
    )?;
    let (redirect, visited) = tokio::join!(
        loopback.receive(wait),
        visit(authorization.url.clone(), redirect_uri)
    );
    visited?;
    let authorized = authorization.finish(redirect?, &endpoints).await?;
    Ok(Consent::Authorized(authorized))
}

fn say(
    connector: &dyn Connector,
    connection: &Connection,
    repaired: bool,
    json: bool,
) -> anyhow::Result<()> {
    if json {
        json_line(&serde_json::json!({
            "name": connection.name,
            "provider": connection.provider,
            "tenant_id": connection.tenant_id,
            "tenant_name": connection.tenant_name,
            "status": connection.status,
            "repaired": repaired,
        }))?;
    } else {
        println!(
            "{} `{}` to {} {} `{}` ({})",
            if repaired { "reconnected" } else { "connected" },
            connection.name,
            connector.display_name(),
            connector.tenant_noun(),
            connection.tenant_name,
            connection.tenant_id
        );
    }
    Ok(())
}

fn limits(args: &Args, published: RateLimitPolicy) -> anyhow::Result<Option<RateLimitPolicy>> {
    if args.minute_limit.is_none()
        && args.window_secs.is_none()
        && args.concurrency.is_none()
        && args.app_limit.is_none()
    {
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
        app_per_window: args.app_limit.or(published.app_per_window),
        batch_per_window: published.batch_per_window,
    }))
}
