//! `tether demo`: the whole job with nothing to set up. Starts a sandbox
//! in-process, connects to it, syncs every kind into a fresh SQLite file, and
//! says what it did and how to look at the result.

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
    /// The provider to demonstrate.
    #[arg(long, default_value = "xero")]
    pub provider: String,
    /// How many invoices the sandbox generates (other kinds in proportion).
    #[arg(long, default_value_t = 5000)]
    pub size: usize,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The SQLite file to create (replaced if it exists); default under your data directory.
    #[arg(long)]
    pub file: Option<std::path::PathBuf>,
}

pub async fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    // With --json only the JSON lines are printed: the reports and a summary.
    let say = |text: String| {
        if !global.json {
            println!("{text}");
        }
    };
    let sandbox = tether_core::sandbox::sandbox(&args.provider)
        .with_context(|| format!("no sandbox for provider `{}`", args.provider))?;
    let connector = tether_core::connector(&args.provider)
        .with_context(|| format!("no connector for provider `{}`", args.provider))?;
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
        "1. started a {} sandbox at {} ({} invoices, seed {})",
        connector.display_name(),
        info.base_url,
        args.size,
        args.seed
    ));

    let file = match args.file {
        Some(f) => f,
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
        "2. created a fresh SQLite store at {}",
        file.display()
    ));

    let store: Arc<dyn Store> = Arc::new(ctx.store.clone());
    let connection = tether_core::connect(
        store.clone(),
        &ctx.vault,
        connector,
        ConnectRequest {
            name: "demo".to_owned(),
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
        "3. connected `demo` to organisation `{}` by the authorization-code flow with PKCE \
         (the sandbox consents at once; tokens sealed in the store)",
        connection.tenant_name
    ));

    say("4. syncing every kind, within the provider's published rate limits:".to_string());
    let session = Session::open(connection, &ctx.vault, store)?;
    let bars = Bars::new(global.json);
    let _retries = bars.watch(session.api.stats_handle());
    let outcome = Syncer::new(&ctx.store, &session)
        .observer(&bars)
        .cancel_on(interrupt::on_signal(global.json))
        .sync_kinds(session.connector.kinds())
        .await?;
    print_outcome(&outcome, global.json)?;
    let reports = &outcome.reports;

    let totals = ctx.store.totals(session.connection.id).await?;
    let live: i64 = totals.iter().map(|t| t.live).sum();
    let deleted: i64 = totals.iter().map(|t| t.deleted).sum();
    let calls: i64 = reports.iter().map(|r| r.counts.api_calls).sum();
    say(format!(
        "\n{} records stored ({live} live, {deleted} deleted or voided at the provider) with {calls} API calls in {:.1}s;",
        live + deleted,
        started.elapsed().as_secs_f64()
    ));
    say(
        "calls were spaced by Tether itself to stay within the provider's published limits."
            .to_string(),
    );
    if global.json {
        crate::output::json_line(&serde_json::json!({
            "database": file,
            "records": live + deleted,
            "live": live,
            "deleted": deleted,
            "api_calls": calls,
            "seconds": started.elapsed().as_secs_f64(),
        }))?;
    }
    running.shutdown().await;
    // The file stands on its own: the write-ahead log is folded into it.
    ctx.store.close().await?;
    let db = file.display();
    say(format!(
        "\nThe store is complete in {db}. Look around (`cargo install --path cli` puts `tether` on your PATH):"
    ));
    say(format!("  tether --database {db} status demo"));
    say(format!(
        "  tether --database {db} records demo invoices --limit 10"
    ));
    say(format!("  tether --database {db} runs demo"));
    say(
        "The sandbox stopped with this command, so the `demo` connection cannot sync again. To try \
         resyncs and failures yourself, run `tether sandbox xero` in another terminal and connect \
         to it with the `tether connect` line it prints."
            .to_string(),
    );
    Ok(exit_code(&outcome))
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
