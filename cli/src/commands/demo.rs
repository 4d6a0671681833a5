//! `tether demo`: the whole job with nothing to set up. For every provider
//! with a sandbox (or the ones named), starts it in-process, connects to it,
//! syncs every kind into one fresh SQLite file, and says what it did and how
//! to look at the result.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tether_core::http::default_http_client;
use tether_core::sandbox::{SandboxInfo, SandboxLimits, SandboxOptions};
use tether_core::store::Store;
use tether_core::sync::Syncer;
use tether_core::{ConnectRequest, Connector, Consent, Session};
use tether_store::SeaStore;

use super::connect::run_consent;
use super::sync::{exit_code, print_outcome};
use crate::app_config::AppCredentials;
use crate::context::{Context, Global, data_dir};
use crate::interrupt;
use crate::progress::Bars;

#[derive(clap::Args)]
pub struct Args {
    /// The providers to demonstrate (default: every provider with a sandbox).
    #[arg(value_name = "PROVIDER")]
    pub providers: Vec<String>,
    /// How many invoices each sandbox generates (other kinds in proportion).
    #[arg(long, default_value_t = 5000)]
    pub size: usize,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The SQLite file to create (replaced if it exists); default under your data directory.
    #[arg(long)]
    pub file: Option<std::path::PathBuf>,
}

/// What one provider's part of the demo stored.
struct Stored {
    live: i64,
    deleted: i64,
    calls: i64,
}

pub async fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    // With --json only the JSON lines are printed: the reports and a summary.
    let say = |text: String| {
        if !global.json {
            println!("{text}");
        }
    };
    let providers = if args.providers.is_empty() {
        tether_core::sandbox::sandboxes()
            .into_iter()
            .map(str::to_owned)
            .collect()
    } else {
        args.providers.clone()
    };
    // Every provider is checked before anything starts.
    let mut chosen = Vec::new();
    for provider in &providers {
        let sandbox = tether_core::sandbox::sandbox(provider).with_context(|| {
            format!(
                "no sandbox for provider `{provider}` (these have one: {})",
                tether_core::sandbox::sandboxes().join(", ")
            )
        })?;
        let connector = tether_core::connector(provider)
            .with_context(|| format!("no connector for provider `{provider}`"))?;
        chosen.push((sandbox, connector));
    }

    let file = match &args.file {
        Some(f) => f.clone(),
        None => data_dir()?.join("demo.db"),
    };
    for suffix in ["", "-wal", "-shm"] {
        let mut p = file.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    let url = SeaStore::url_for_sqlite_path(&file);
    let ctx = Context::open_url(&url, global.json).await?;
    say(format!(
        "Created a fresh SQLite store at {}.",
        file.display()
    ));

    let mut code = ExitCode::SUCCESS;
    let mut total = Stored {
        live: 0,
        deleted: 0,
        calls: 0,
    };
    for (sandbox, connector) in chosen {
        let (stored, exit) = demo_one(sandbox, connector, &args, &ctx, global).await?;
        total.live += stored.live;
        total.deleted += stored.deleted;
        total.calls += stored.calls;
        if exit != ExitCode::SUCCESS {
            code = exit;
            break;
        }
    }
    say(format!(
        "\n{} records stored in all ({} live, {} deleted or voided at the providers) with {} API calls in {:.1}s;",
        total.live + total.deleted,
        total.live,
        total.deleted,
        total.calls,
        started.elapsed().as_secs_f64()
    ));
    say(
        "calls were spaced by Tether itself to stay within each provider's published limits."
            .to_string(),
    );
    if global.json {
        crate::output::json_line(&serde_json::json!({
            "database": file,
            "records": total.live + total.deleted,
            "live": total.live,
            "deleted": total.deleted,
            "api_calls": total.calls,
            "seconds": started.elapsed().as_secs_f64(),
        }))?;
    }
    // The file stands on its own: the write-ahead log is folded into it.
    ctx.store.close().await?;
    let db = file.display();
    say(format!(
        "\nThe store is complete in {db}. Look around (`cargo install --path cli` puts `tether` on your PATH):"
    ));
    say(format!("  tether --database {db} connections"));
    for provider in &providers {
        say(format!("  tether --database {db} status {provider}"));
    }
    say(format!(
        "  tether --database {db} records {} invoices --limit 10",
        providers[0]
    ));
    say(format!("  tether --database {db} runs {}", providers[0]));
    say(
        "The sandboxes stopped with this command, so these connections cannot sync again. To try \
         resyncs and failures yourself, run `tether sandbox <provider>` in another terminal and \
         connect to it with the `tether connect` line it prints."
            .to_string(),
    );
    Ok(code)
}

/// One provider's demo: its sandbox started, a connection named after the
/// provider made by consent, every kind synced, the sandbox stopped.
async fn demo_one(
    sandbox: &'static dyn tether_core::sandbox::Sandbox,
    connector: &'static dyn Connector,
    args: &Args,
    ctx: &Context,
    global: &Global,
) -> anyhow::Result<(Stored, ExitCode)> {
    let say = |text: String| {
        if !global.json {
            println!("{text}");
        }
    };
    let started = Instant::now();
    let running = sandbox
        .start(SandboxOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: args.seed,
            size: args.size,
            kind_sizes: Vec::new(),
            limits: SandboxLimits::Real,
            latency: Duration::ZERO,
            error_rate: 0.0,
            idempotency_window: None,
            tenants: 1,
        })
        .await?;
    let info = running.info();
    say(format!(
        "\n{}: started a sandbox at {} ({} invoices, seed {})",
        connector.display_name(),
        info.base_url,
        args.size,
        args.seed
    ));
    let store: Arc<dyn Store> = Arc::new(ctx.store.clone());
    let connection = tether_core::connect(
        store.clone(),
        &ctx.vault,
        connector,
        ConnectRequest {
            name: connector.id().to_owned(),
            base_url: Some(info.base_url.clone()),
            tenant: None,
            rate_limits: None,
            replace: false,
        },
        sandbox_consent(connector, &info).await?,
    )
    .await?
    .remove(0);
    say(format!(
        "  connected `{}` to `{}` by the authorization-code flow with PKCE \
         (the sandbox consents at once; tokens sealed in the store)",
        connection.name, connection.tenant_name
    ));
    say("  syncing every kind, within the provider's published rate limits:".to_string());
    let session = Session::open(connection, &ctx.vault, store).await?;
    let bars = Bars::new(global.json);
    let _retries = bars.watch(session.api.stats_handle());
    let outcome = Syncer::new(&ctx.store, &session)
        .observer(&bars)
        .cancel_on(interrupt::on_signal(global.json))
        .sync_kinds(session.connector.kinds())
        .await?;
    print_outcome(&outcome, global.json)?;
    let totals = ctx.store.totals(session.connection.id).await?;
    let stored = Stored {
        live: totals.iter().map(|t| t.live).sum(),
        deleted: totals.iter().map(|t| t.deleted).sum(),
        calls: outcome.reports.iter().map(|r| r.counts.api_calls).sum(),
    };
    say(format!(
        "  {}: {} records ({} live, {} deleted or voided) with {} API calls in {:.1}s",
        connector.display_name(),
        stored.live + stored.deleted,
        stored.live,
        stored.deleted,
        stored.calls,
        started.elapsed().as_secs_f64()
    ));
    running.shutdown().await;
    Ok((stored, exit_code(&outcome)))
}

/// The consent a person gives at the provider, given by the demo itself: the
/// sandbox consents at once, so following the authorize URL is all a
/// browser would do.
async fn sandbox_consent(
    connector: &'static dyn Connector,
    info: &SandboxInfo,
) -> anyhow::Result<Consent> {
    let app = AppCredentials {
        client_id: info.client_id.clone(),
        client_secret: Some(info.client_secret.clone()),
        redirect_port: 0,
    };
    let browser = default_http_client(Duration::from_secs(30))?;
    run_consent(
        connector,
        Some(&info.base_url),
        app,
        Duration::from_secs(30),
        |url, _| async move {
            browser
                .get(url)
                .send()
                .await
                .and_then(|page| page.error_for_status())
                .context("following the sandbox's consent")?;
            Ok(())
        },
    )
    .await
}
