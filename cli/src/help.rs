//! Help that depends on what this build links: the kinds each provider
//! has, listed where a person choosing `--kind` looks for them.

use clap::Command;

/// What Tether is, first thing in `--help`.
pub const ABOUT: &str = "Tether keeps your application's database in step with a SaaS provider \
(Xero): it pulls every object of the provider's collections into a store you own (SQLite or \
PostgreSQL), resumably and within the provider's rate limits.";

/// Shown under the top-level help.
pub const TOP: &str = "\
Start with `tether demo`: it runs a local Xero sandbox, connects to it and
syncs it into a fresh SQLite file, then says what to look at next.";

/// What every sync-like command says about resuming, holders and exit codes.
const SYNC: &str = "\
A sync stopped at any point (Ctrl-C, kill, crash) resumes from its last
committed page when the same command runs again. Only one process works on
a (connection, kind) at a time: a second sync does the kinds it can and
names the process holding the others.

Exit codes:
  0    every kind synced
  1    every kind that ran failed
  3    some kinds failed (each is reported; the others synced)
  4    some kinds are held by another tether process (named, with since when)
  130  interrupted (Ctrl-C); run the same command to resume";

/// The kinds of every linked connector, one provider a line.
fn kinds() -> String {
    let mut text = String::from("Kinds:\n");
    for connector in tether_core::connectors() {
        let names: Vec<&str> = connector.kinds().iter().map(|k| k.name()).collect();
        text.push_str(&format!("  {}: {}\n", connector.id(), names.join(", ")));
    }
    text
}

/// `command` with the help that is only known at run time.
pub fn with_runtime_help(command: Command) -> Command {
    let kinds = kinds();
    command
        .mut_subcommand("sync", |c| c.after_help(format!("{kinds}\n{SYNC}")))
        .mut_subcommand("records", |c| c.after_help(kinds.clone()))
}
