//! The store the lifecycle writes to. `tether-store` implements it with
//! sea-orm; core only sees these types.

use async_trait::async_trait;

use crate::lease::{Lease, LeaseInfo};
use crate::{PageToken, RateLimitPolicy, Result, Timestamp};

/// A connection's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ConnectionId(pub i64);

/// A run's row id; records point at the run that last changed them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct RunId(pub i64);

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A connection to save: credentials arrive already sealed by a [`crate::Vault`].
#[derive(Debug, Clone)]
pub struct NewConnection {
    /// The user's name for it, unique.
    pub name: String,
    /// The connector id.
    pub provider: String,
    /// The provider's tenant id.
    pub tenant_id: String,
    /// The tenant's display name.
    pub tenant_name: String,
    /// A base-URL override (a simulator), if any.
    pub base_url: Option<String>,
    /// The sealed credentials.
    pub sealed_credentials: String,
    /// Limits to keep instead of the connector's published ones.
    pub rate_limits: Option<RateLimitPolicy>,
}

/// A saved connection.
#[derive(Debug, Clone)]
pub struct Connection {
    /// Row id.
    pub id: ConnectionId,
    /// The user's name for it.
    pub name: String,
    /// The connector id.
    pub provider: String,
    /// The provider's tenant id.
    pub tenant_id: String,
    /// The tenant's display name.
    pub tenant_name: String,
    /// A base-URL override, if any.
    pub base_url: Option<String>,
    /// The sealed credentials.
    pub sealed_credentials: String,
    /// `active`, or `needs_reauth` once a grant is refused.
    pub status: String,
    /// Limits to keep instead of the connector's published ones.
    pub rate_limits: Option<RateLimitPolicy>,
    /// When it was first saved.
    pub created_at: Timestamp,
}

/// Where a full pull in progress stands, committed with each page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The run that started this full pull; records it sees are stamped with it
    /// so the end of the pull can tell which records the provider no longer has.
    pub sweep: RunId,
    /// The next page to fetch; `None` once the listing is complete.
    pub next: Option<PageToken>,
    /// The provider time the pull started at, minus the overlap: the cursor
    /// the kind will have once this pull completes.
    pub pending_cursor: Option<Timestamp>,
    /// Pages committed so far in this pull.
    pub pages: i64,
}

/// Per (connection, kind): how far we are known to be in step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncState {
    /// Provider time up to which we hold every change (resync starts here).
    pub cursor: Option<Timestamp>,
    /// A full pull in progress, to resume.
    pub checkpoint: Option<Checkpoint>,
    /// When the last full pull completed (provider time).
    pub last_full_sync_at: Option<Timestamp>,
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
    /// Records newly marked deleted.
    pub deleted: i64,
    /// HTTP requests sent, retries included.
    pub api_calls: i64,
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

/// One provider object to upsert by external id.
#[derive(Debug, Clone)]
pub struct RecordUpsert {
    /// The provider's id.
    pub external_id: String,
    /// The provider's last-modified time.
    pub remote_updated_at: Option<Timestamp>,
    /// Whether its status says deleted.
    pub deleted: bool,
    /// The normalised JSON.
    pub data: String,
}

/// An object that could not be read, kept whole with the reason.
#[derive(Debug, Clone)]
pub struct QuarantineEntry {
    /// The kind it belongs to.
    pub kind: String,
    /// Its id, when readable.
    pub external_id: Option<String>,
    /// The error, naming kind, id and field.
    pub error: String,
    /// The provider's JSON as received.
    pub payload: String,
    /// The run that met it.
    pub run_id: RunId,
    /// When (our clock).
    pub created_at: Timestamp,
}

/// One page of a pull, written atomically with its checkpoint and the run's
/// counts so far, under the run's lease.
#[derive(Debug)]
pub struct PageCommit<'a> {
    /// The (connection, kind) and its holder; the commit fails, writing
    /// nothing, when the lease is no longer held by this holder.
    pub lease: &'a Lease,
    /// The run committing it.
    pub run: RunId,
    /// Provider time of the page (its `Date` header), stored as `synced_at`.
    pub synced_at: Timestamp,
    /// Records to upsert; each is stamped as seen by the checkpoint's sweep.
    pub records: &'a [RecordUpsert],
    /// Objects that failed to parse. One with an id that we already hold is
    /// still at the provider: its record keeps its last good copy and is
    /// stamped as seen, and this entry says why it is stale.
    pub quarantined: &'a [QuarantineEntry],
    /// Where the pull stands after this page.
    pub checkpoint: &'a Checkpoint,
    /// The run's counts including this page, so a run that dies still shows
    /// what it committed.
    pub counts: &'a RunCounts,
}

/// The end of a pull: the cursor advances and the checkpoint is cleared,
/// atomically, under the run's lease; a full pull also marks deleted the
/// records the provider confirmed it no longer has.
#[derive(Debug)]
pub struct PullEnd<'a> {
    /// The (connection, kind) and its holder.
    pub lease: &'a Lease,
    /// The run finishing it.
    pub run: RunId,
    /// The new cursor.
    pub cursor: Option<Timestamp>,
    /// Provider time at the end of the pull.
    pub seen_at: Timestamp,
    /// For a full pull: what it saw and what it confirmed gone.
    pub reconcile: Option<Reconcile<'a>>,
}

/// Which records a full pull saw, and which of the others are confirmed gone.
#[derive(Debug, Clone, Copy)]
pub struct Reconcile<'a> {
    /// The run that started the pull; records it saw are stamped with it.
    pub sweep: RunId,
    /// External ids the listing did not return and the provider confirmed
    /// absent. Only these are marked deleted, and only if still unseen.
    pub confirmed_absent: &'a [String],
    /// How the deletion is recorded (the kind's strategy).
    pub deletion_source: &'a str,
}

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
    /// The normalised JSON.
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
}

/// Everything the lifecycle needs from a database. Each method is one
/// transaction; nothing here does a per-record round trip.
#[async_trait]
pub trait Store: Send + Sync {
    /// Creates a connection, or replaces the one with the same name.
    async fn save_connection(&self, connection: &NewConnection) -> Result<Connection>;

    /// The connection with this name.
    async fn connection(&self, name: &str) -> Result<Option<Connection>>;

    /// Every connection, by name.
    async fn connections(&self) -> Result<Vec<Connection>>;

    /// Takes the leases on several (connection, kind)s for their holder, in
    /// one transaction, so two processes asking for the same set at once do
    /// not each end up with half of it. A lease the holder already has is
    /// renewed; one held by another holder is taken over only once it has
    /// expired, or at once when its holder's token is in `dead_holders`
    /// (processes the caller knows have died). Returns, per lease in order,
    /// `None` when granted or who holds it. Expiry is judged by the
    /// database's clock, so processes on several machines agree on it.
    async fn acquire_leases(
        &self,
        leases: &[Lease],
        dead_holders: &[String],
    ) -> Result<Vec<Option<LeaseInfo>>>;

    /// Extends a lease the holder still has; false when it has lost it.
    async fn renew_lease(&self, lease: &Lease) -> Result<bool>;

    /// Gives a lease up (a no-op when the holder no longer has it).
    async fn release_lease(&self, lease: &Lease) -> Result<()>;

    /// Records a run's start under its lease; marks any run of the same
    /// (connection, kind) still `running` as interrupted (whoever ran it no
    /// longer holds the lease, so its process died).
    async fn start_run(&self, lease: &Lease, run_type: RunType) -> Result<RunId>;

    /// Records how a run ended.
    async fn finish_run(
        &self,
        run: RunId,
        status: RunStatus,
        counts: &RunCounts,
        error: Option<&str>,
    ) -> Result<()>;

    /// Recent runs of a connection, newest first.
    async fn runs(&self, connection: ConnectionId, limit: u64) -> Result<Vec<Run>>;

    /// The sync state of a (connection, kind); empty when never synced.
    async fn sync_state(&self, connection: ConnectionId, kind: &str) -> Result<SyncState>;

    /// Upserts a page of records (batched), stores its quarantined objects
    /// and its checkpoint, in one transaction.
    async fn commit_page(&self, page: PageCommit<'_>) -> Result<()>;

    /// External ids of the live records of a kind that the full pull `sweep`
    /// has not stamped as seen: the candidates for deletion.
    async fn unseen(
        &self,
        connection: ConnectionId,
        kind: &str,
        sweep: RunId,
    ) -> Result<Vec<String>>;

    /// Ends a pull (see [`PullEnd`]); returns how many records it marked deleted.
    async fn finish_pull(&self, end: PullEnd<'_>) -> Result<u64>;

    /// Reads records, ordered by local id.
    async fn records(&self, query: &RecordQuery) -> Result<Vec<StoredRecord>>;

    /// Totals per kind for a connection.
    async fn totals(&self, connection: ConnectionId) -> Result<Vec<KindTotals>>;

    /// Quarantined objects of a connection, newest first.
    async fn quarantined(
        &self,
        connection: ConnectionId,
        limit: u64,
    ) -> Result<Vec<QuarantineEntry>>;
}
