//! One file per command: its arguments and what it does.

mod change;
mod conflicts;
mod connect;
mod connections;
mod demo;
mod export;
mod providers;
mod records;
mod run;
mod runs;
mod sandbox;
mod status;
mod sync;
mod verify;

use std::process::ExitCode;

pub use run::LogFormat;

use clap::Subcommand;

use crate::context::Global;

/// Exit code when some kinds synced and others failed.
pub const PARTIAL_FAILURE: u8 = 3;

/// Exit code when some kinds were left alone because another process holds them.
pub const HELD: u8 = 4;

#[derive(Subcommand)]
pub enum Command {
    /// List the providers this build includes.
    Providers(providers::Args),
    /// Run a local simulator of a provider's API.
    Sandbox(sandbox::Args),
    /// Authorise a connection to a provider's tenants and save it (or repair it).
    Connect(connect::Args),
    /// List connections, their status and token expiry.
    Connections(connections::ListArgs),
    /// Disconnect a connection at the provider; its data is kept.
    Disconnect(connections::DisconnectArgs),
    /// Pull every object of the given kinds (all when none is given).
    Sync(sync::Args),
    /// Pull what changed since the last pull, deletions included.
    Resync(sync::ResyncArgs),
    /// Compare every record with the provider; exit 1 on any drift.
    Verify(verify::Args),
    /// Show every connection (those needing a person first, with lag and next
    /// run), or one connection's kinds, cursors and totals.
    Status(status::Args),
    /// List the records of one kind.
    Records(records::Args),
    /// Show the run history of a connection.
    Runs(runs::Args),
    /// Create an object locally (exported by `tether export`).
    Put(change::PutArgs),
    /// Change an object locally with a JSON merge patch.
    Edit(change::EditArgs),
    /// Delete an object locally, the way the provider deletes its kind.
    Delete(change::DeleteArgs),
    /// Void an object locally (it stays at the provider, zeroed), where the
    /// provider voids its kind.
    Void(change::DeleteArgs),
    /// Send pending local changes to the provider.
    Export(export::Args),
    /// List local edits the provider overtook, with both versions.
    Conflicts(conflicts::Args),
    /// Settle a conflict: keep the local edit or the provider's object.
    Resolve(conflicts::ResolveArgs),
    /// Keep every active connection in step, on schedules, until stopped.
    Run(run::Args),
    /// Start a sandbox, connect to it and sync it into a fresh SQLite file.
    Demo(demo::Args),
}

impl Command {
    pub async fn run(self, global: &Global) -> anyhow::Result<ExitCode> {
        match self {
            Command::Providers(args) => providers::run(args, global).await,
            Command::Sandbox(args) => sandbox::run(args, global).await,
            Command::Connect(args) => connect::run(args, global).await,
            Command::Connections(args) => connections::list(args, global).await,
            Command::Disconnect(args) => connections::disconnect(args, global).await,
            Command::Sync(args) => sync::run(args, global).await,
            Command::Resync(args) => sync::resync(args, global).await,
            Command::Verify(args) => verify::run(args, global).await,
            Command::Status(args) => status::run(args, global).await,
            Command::Records(args) => records::run(args, global).await,
            Command::Runs(args) => runs::run(args, global).await,
            Command::Put(args) => change::put(args, global).await,
            Command::Edit(args) => change::edit(args, global).await,
            Command::Delete(args) => change::delete(args, global).await,
            Command::Void(args) => change::void(args, global).await,
            Command::Export(args) => export::run(args, global).await,
            Command::Conflicts(args) => conflicts::list(args, global).await,
            Command::Resolve(args) => conflicts::resolve(args, global).await,
            Command::Run(args) => run::run(args, global).await,
            Command::Demo(args) => demo::run(args, global).await,
        }
    }
}
