//! Records as read back: one record, a query, totals, and the change log.

use super::ConnectionId;
use crate::Timestamp;
use crate::pending::Pending;

/// A record as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredRecord {
    /// Local id, independent of the provider's.
    pub id: i64,
    /// The kind.
    pub kind: String,
    /// The provider's id, `None` until exported.
    pub external_id: Option<String>,
    /// The provider's last-modified time.
    pub remote_updated_at: Option<Timestamp>,
    /// Provider time when we last received it.
    pub synced_at: Option<Timestamp>,
    /// When it was last edited locally.
    pub local_updated_at: Option<Timestamp>,
    /// When it was last exported.
    pub exported_at: Option<Timestamp>,
    /// When we saw it deleted.
    pub deleted_at: Option<Timestamp>,
    /// How the deletion was seen (`status`, `vanish`, `tombstone`, `local`).
    pub deletion_source: Option<String>,
    /// The run that last changed it.
    pub changed_by_run: Option<i64>,
    /// How that change reached it ([`super::Provenance`]).
    pub changed_how: Option<String>,
    /// The provider's version of its copy, opaque.
    pub remote_version: Option<String>,
    /// The local edit not yet exported, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
    /// The provider's copy kept beside a pending edit (the newer one in a conflict).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_data: Option<serde_json::Value>,
    /// Bumped by every local-side write; edits and exports swap on it.
    #[serde(skip)]
    pub revision: i64,
    /// The normalised JSON: the provider's object with any pending local edit applied.
    pub data: serde_json::Value,
}

/// Which records to read.
#[derive(Debug, Clone)]
pub struct RecordQuery {
    /// The connection.
    pub connection: ConnectionId,
    /// The kind.
    pub kind: String,
    /// Only records with a local id above this (keyset paging).
    pub after_id: i64,
    /// At most this many.
    pub limit: u64,
    /// Whether deleted records are included.
    pub include_deleted: bool,
}

/// Records held for one kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KindTotals {
    /// The kind.
    pub kind: String,
    /// Records not deleted.
    pub live: i64,
    /// Records deleted.
    pub deleted: i64,
    /// Quarantined payloads.
    pub quarantined: i64,
    /// Records whose deletion waits for a person to confirm it.
    pub held: i64,
    /// Records with a local edit not yet exported.
    pub pending: i64,
    /// Of those, the ones in conflict with the provider.
    pub conflicts: i64,
}

/// One entry of a record's change log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChangeEntry {
    /// Its place in the connection's sequence of changes.
    pub seq: i64,
    /// When (our clock).
    pub at: Timestamp,
    /// Who made it: `local` (an application's edit), `export`, `resolve`.
    pub source: String,
    /// What: `create`, `update`, `delete`, `sending`, `exported`, `refused`, `conflict`, …
    pub op: String,
    /// The run that made it, for export.
    pub run: Option<i64>,
    /// The input or the provider's words.
    pub detail: Option<serde_json::Value>,
}
