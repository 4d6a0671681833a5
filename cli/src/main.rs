//! `tether`: keeps an application's database and a SaaS provider in step.
//!
//! Every connector crate is linked here through `tether-connectors`;
//! `inventory` registers them, and naming that crate below keeps the linker
//! from dropping their registrations.

mod app_config;
mod commands;
mod context;
mod help;
mod interrupt;
mod output;
mod progress;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser};
use tether_connectors as _;

use crate::commands::Command;

/// The command line: global options and one subcommand.
#[derive(Parser)]
#[command(name = "tether", version, about = help::ABOUT, long_about = None, after_help = help::TOP)]
struct Cli {
    /// Database URL (`sqlite://PATH`, a plain file path, or `postgres://…`);
    /// defaults to a SQLite file under your data directory. A path given
    /// here must exist unless the command creates things (connect, demo) or
    /// `--create` is given.
    #[arg(long, global = true, env = "TETHER_DATABASE_URL")]
    database: Option<String>,

    /// Create the SQLite file named by --database when it does not exist.
    #[arg(long, global = true)]
    create: bool,

    /// Print data as JSON (one object per line) instead of tables; errors
    /// too, as `{"error": …}` on stderr.
    #[arg(long, global = true)]
    json: bool,

    /// More log output on stderr (-v info, -vv debug); `TETHER_LOG` overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

/// Log lines on stderr: `-v` raises the level, `TETHER_LOG` overrides it;
/// `tether run` logs its runs (info) and can write JSON lines for a log shipper.
fn init_logging(verbose: u8, command: &Command) {
    let service = match command {
        Command::Run(args) => Some(args.log_format),
        _ => None,
    };
    let default = match (verbose, service) {
        (0, None) => "warn",
        // Tether's own lines; the libraries' (the job engine's per-job
        // lines, the database's notices) only when they warn.
        (0, _) => "warn,tether=info,tether_core=info,tether_store=info",
        (1, _) => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TETHER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if service == Some(commands::LogFormat::Json) {
        builder.json().init();
    } else {
        builder.with_ansi(std::io::stderr().is_terminal()).init();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let matches = help::with_runtime_help(Cli::command()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    init_logging(cli.verbose, &cli.command);
    let global = context::Global {
        database: cli.database,
        create: cli.create,
        json: cli.json,
    };
    match cli.command.run(&global).await {
        Ok(code) => code,
        Err(e) => {
            let said = tether_core::Error::report(e.as_ref());
            if global.json {
                eprintln!("{}", serde_json::json!({ "error": said }));
            } else {
                eprintln!("error: {said}");
            }
            ExitCode::FAILURE
        }
    }
}
