//! Runs as history: what each did, how it ended, what it counted.

use super::ConnectionId;
use crate::Timestamp;

/// A run's row id; records point at the run that last changed them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct RunId(pub i64);

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunType {
    /// First full pull.
    Sync,
    /// Changes since the cursor.
    Resync,
    /// Full id listing to find vanished objects.
    Reconcile,
    /// Push local changes.
    Export,
}

impl RunType {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RunType::Sync => "sync",
            RunType::Resync => "resync",
            RunType::Reconcile => "reconcile",
            RunType::Export => "export",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "sync" => RunType::Sync,
            "resync" => RunType::Resync,
            "reconcile" => RunType::Reconcile,
            "export" => RunType::Export,
            _ => return None,
        })
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Still going (or its process died; the next run marks it interrupted).
    Running,
    /// Finished; some records may have been quarantined.
    Succeeded,
    /// Stopped by an error; its checkpoint lets the next run resume.
    Failed,
    /// Its process died before it finished.
    Interrupted,
}

impl RunStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "running" => RunStatus::Running,
            "succeeded" => RunStatus::Succeeded,
            "failed" => RunStatus::Failed,
            "interrupted" => RunStatus::Interrupted,
            _ => return None,
        })
    }
}

/// Counts a run keeps as history.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunCounts {
    /// Pages fetched.
    pub pages: i64,
    /// Objects received.
    pub fetched: i64,
    /// Objects stored.
    pub stored: i64,
    /// Objects quarantined.
    pub quarantined: i64,
    /// Records newly marked deleted (export: deleted at the provider).
    pub deleted: i64,
    /// HTTP requests sent, retries included.
    pub api_calls: i64,
    /// Export: records created or updated at the provider, or found there
    /// after an answer was lost.
    pub written: i64,
    /// Export: records the provider refused (or that wait on a reference).
    pub refused: i64,
    /// Export: records found changed at the provider after their local edit.
    pub conflicts: i64,
    /// Export: records sent without an answer; the next export looks for them.
    pub uncertain: i64,
    /// Deletions held for a person to confirm (`resync --confirm-deletes`).
    pub held: i64,
}

/// A run as history.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Run {
    /// Row id.
    pub id: RunId,
    /// The connection it ran for.
    pub connection_id: ConnectionId,
    /// The kind it ran for.
    pub kind: String,
    /// What it did.
    pub run_type: RunType,
    /// How it ended.
    pub status: RunStatus,
    /// The process that ran it (`host (pid N)`).
    pub worker: Option<String>,
    /// Our clock at start.
    pub started_at: Timestamp,
    /// Our clock at the end.
    pub finished_at: Option<Timestamp>,
    /// Its counts.
    pub counts: RunCounts,
    /// The error that stopped it.
    pub error: Option<String>,
}
