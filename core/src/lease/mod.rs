//! One process at a time per (connection, kind). A run takes a lease row in
//! the store before it starts, renews it while it works, and every write it
//! makes carries the lease, so a run whose lease was taken over (its process
//! stalled past the expiry) can no longer write. A holder that dies stops
//! renewing and its lease expires; the next run takes it over and resumes.

mod held;

use std::time::Duration;

use crate::Timestamp;

use crate::store::ConnectionId;
pub(crate) use held::{HeldLeases, acquire};

/// How long a lease lives after its last renewal unless renewed again: a
/// dead holder's work is taken over within this time.
pub const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(60);

/// Who holds a lease: enough for a person to find the process, plus a token
/// unique to the holder so two holders in one process are told apart.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Holder {
    /// Unique per holder; what the store compares.
    pub token: String,
    /// The machine it runs on.
    pub host: String,
    /// Its process id.
    pub pid: u32,
}

impl Holder {
    /// A new holder for this process.
    pub fn this_process() -> Holder {
        Holder {
            token: uuid::Uuid::new_v4().to_string(),
            host: gethostname::gethostname().to_string_lossy().into_owned(),
            pid: std::process::id(),
        }
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (pid {})", self.host, self.pid)
    }
}

/// A (connection, kind) held, or wanted, by one holder.
#[derive(Debug, Clone)]
pub struct Lease {
    /// The connection.
    pub connection: ConnectionId,
    /// The kind.
    pub kind: String,
    /// Who holds it.
    pub holder: Holder,
    /// How long it lives after each renewal.
    pub ttl: Duration,
}

/// What a caller that could not take a lease is told about the one who has it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LeaseInfo {
    /// The kind held.
    pub kind: String,
    /// Who holds it.
    pub holder: Holder,
    /// When the holder took it (the database's clock).
    pub since: Timestamp,
    /// When it lapses unless renewed (the database's clock).
    pub expires_at: Timestamp,
}

impl std::fmt::Display for LeaseInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is held by {} since {}",
            self.kind,
            self.holder,
            self.since.format("%Y-%m-%d %H:%M:%S UTC")
        )
    }
}

impl Holder {
    /// Whether this holder is a process on this machine that has died, so
    /// its lease can be taken over at once instead of after its expiry.
    /// Unsure answers (another machine, no way to ask) are `false`.
    pub fn is_dead_local_process(&self, here: &Holder) -> bool {
        self.host == here.host && self.pid != here.pid && !process_alive(self.pid)
    }
}

#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return true;
    };
    match rustix::process::test_kill_process(pid) {
        Ok(()) => true,
        // EPERM: it exists but belongs to someone else.
        Err(e) => e != rustix::io::Errno::SRCH,
    }
}

#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_local_process_is_recognised() {
        let here = Holder::this_process();
        let mut child = std::process::Command::new("true").spawn().expect("spawn");
        let pid = child.id();
        child.wait().expect("wait");
        let dead = Holder {
            pid,
            ..Holder::this_process()
        };
        assert!(dead.is_dead_local_process(&here));
        let elsewhere = Holder {
            host: format!("{}-elsewhere", here.host),
            ..dead.clone()
        };
        assert!(
            !elsewhere.is_dead_local_process(&here),
            "another machine: unsure"
        );
        let alive = Holder::this_process();
        assert!(
            !alive.is_dead_local_process(&here),
            "this very process is alive"
        );
    }
}
