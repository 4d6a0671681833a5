//! Help that depends on what this build links: the kinds each provider
//! has, listed where a person choosing `--kind` looks for them.

use clap::Command;

/// What Tether is, first thing in `--help`.
pub const ABOUT: &str = "Tether keeps your application's database in step with a SaaS provider \
(`tether providers` lists those linked): it pulls every object of the provider's collections into a store you own (SQLite or \
PostgreSQL), resumably and within the provider's rate limits.";

/// Shown under the top-level help.
pub const TOP: &str = "\
Start with `tether demo`: it runs a local sandbox of every provider, connects
to each and syncs them into one fresh SQLite file, then says what to look at
next (`tether demo PROVIDER` for one).";

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

/// What resync does beyond a sync.
const RESYNC: &str = "\
A resync asks each kind for what changed since its cursor (If-Modified-Since)
where the provider can; a kind listed in one call, or whose deletions only a
full listing shows, is pulled whole. A record the provider no longer lists is
deleted only once the provider confirms it is gone; when a run would delete
more than 10% of a kind's live records and more than 10 records, those
deletions are held until `--confirm-deletes`. `--full` pulls every kind
whole, catching changes the provider made without touching their time.";

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
        .mut_subcommand("resync", |c| {
            c.after_help(format!("{kinds}\n{RESYNC}\n\n{SYNC}"))
        })
        .mut_subcommand("records", |c| c.after_help(kinds.clone()))
}
