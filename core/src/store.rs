//! The store the lifecycle writes to. `tether-store` implements it with
//! sea-orm; core only sees these types.

use async_trait::async_trait;

use crate::auth::{GrantId, GrantStore};
use crate::lease::{Lease, LeaseInfo};
use crate::pending::{Pending, RecordKey, StagedChange};
use crate::{PageToken, ParsedObject, RateLimitPolicy, Result, Timestamp};

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

/// A connection to save: one tenant reached through one saved grant.
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
    /// The provider's id for the grant's link to the tenant, if it has one.
    pub tenant_link: Option<String>,
    /// A base-URL override (a simulator), if any.
    pub base_url: Option<String>,
    /// The grant it authenticates with (shared by every tenant it reaches).
    pub grant: GrantId,
    /// Limits to keep instead of the connector's published ones.
    pub rate_limits: Option<RateLimitPolicy>,
}

/// Whether a connection can work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// It can.
    Active,
    /// Its grant was refused for good; `tether connect` again repairs it.
    NeedsReauth,
    /// A person disconnected it; its data is kept.
    Disconnected,
}

impl ConnectionStatus {
    /// The name shown.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Active => "active",
            ConnectionStatus::NeedsReauth => "needs_reauth",
            ConnectionStatus::Disconnected => "disconnected",
        }
    }
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
    /// The provider's id for the grant's link to the tenant, if it has one.
    pub tenant_link: Option<String>,
    /// A base-URL override, if any.
    pub base_url: Option<String>,
    /// Its grant.
    pub grant: GrantId,
    /// Whether it can work (its own state, or its grant's).
    pub status: ConnectionStatus,
    /// Why not, in the provider's words.
    pub status_reason: Option<String>,
    /// When its grant's access token expires.
    pub token_expires_at: Option<Timestamp>,
    /// Limits to keep instead of the connector's published ones.
    pub rate_limits: Option<RateLimitPolicy>,
    /// When it was first saved.
    pub created_at: Timestamp,
}

/// Which listing a pull reads: every object, or the objects changed since
/// the cursor. Each keeps its own checkpoint, so a resync never overwrites
/// the checkpoint of a full pull left unfinished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pull {
    /// The full listing; its end reconciles (what it missed may be deleted).
    #[default]
    Full,
    /// The changes since the cursor (`If-Modified-Since`).
    Changes,
}

/// Where a pull in progress stands, committed with each page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The listing it reads.
    pub pull: Pull,
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
    /// A pull of changes in progress, to resume.
    pub changes: Option<Checkpoint>,
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
    /// Records to upsert by external id; each is stamped as seen by the
    /// checkpoint's sweep. A record with a pending local edit keeps its local
    /// view: the provider's copy goes beside it, and a copy whose version is
    /// not the edit's base makes it a conflict.
    pub records: &'a [ParsedObject],
    /// Objects that failed to parse. One with an id that we already hold is
    /// still at the provider: its record keeps its last good copy and is
    /// stamped as seen, and this entry says why it is stale.
    pub quarantined: &'a [QuarantineEntry],
    /// External ids a change feed reported deleted: marked deleted keeping
    /// their last values (a record with a pending local edit becomes a
    /// conflict instead).
    pub tombstones: &'a [String],
    /// How the page's records reached us.
    pub how: Provenance,
    /// Where the pull stands after this page.
    pub checkpoint: &'a Checkpoint,
    /// The run's counts including this page, so a run that dies still shows
    /// what it committed.
    pub counts: &'a RunCounts,
}

/// How a change reached a record, kept with it (`changed_how`) so that
/// `tether records --history` can say where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// A page of a full listing.
    FullPage,
    /// A listing of what changed since the cursor.
    ModifiedSince,
    /// A provider's change feed.
    ChangeFeed,
    /// The end of a full pull: an object read by id, or confirmed gone.
    Reconciliation,
    /// A change feed's tombstone.
    Tombstone,
    /// Our own write, as the provider answered it.
    Export,
    /// An application's local edit.
    Local,
    /// A conflict settled by a person.
    Resolve,
}

impl Provenance {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::FullPage => "full_page",
            Provenance::ModifiedSince => "modified_since",
            Provenance::ChangeFeed => "change_feed",
            Provenance::Reconciliation => "reconciliation",
            Provenance::Tombstone => "tombstone",
            Provenance::Export => "export",
            Provenance::Local => "local",
            Provenance::Resolve => "resolve",
        }
    }
}

/// The end of a pull: the cursor advances and the pull's checkpoint is
/// cleared, atomically, under the run's lease; a full pull also marks deleted
/// the records the provider confirmed it no longer has.
#[derive(Debug)]
pub struct PullEnd<'a> {
    /// The (connection, kind) and its holder.
    pub lease: &'a Lease,
    /// The listing that ended (its checkpoint is the one cleared).
    pub pull: Pull,
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
    /// How that change reached it ([`Provenance`]).
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

/// Everything the lifecycle needs from a database. Each method is one
/// transaction; nothing here does a per-record round trip.
#[async_trait]
pub trait Store: GrantStore {
    /// Creates a connection, or replaces the one with the same name in place
    /// (same id, same data: a reconnect repairs it), active again.
    async fn save_connection(&self, connection: &NewConnection) -> Result<Connection>;

    /// The connection with this name.
    async fn connection(&self, name: &str) -> Result<Option<Connection>>;

    /// Every connection, by name.
    async fn connections(&self) -> Result<Vec<Connection>>;

    /// Marks a connection disconnected, keeping its data.
    async fn disconnect(&self, connection: ConnectionId) -> Result<()>;

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

    /// Upserts a page of records (batched), applies its tombstones, stores
    /// its quarantined objects and its checkpoint, in one transaction.
    /// Returns how many records the tombstones marked deleted.
    async fn commit_page(&self, page: PageCommit<'_>) -> Result<u64>;

    /// External ids of the live records of a kind that the full pull `sweep`
    /// has not stamped as seen: the candidates for deletion.
    async fn unseen(
        &self,
        connection: ConnectionId,
        kind: &str,
        sweep: RunId,
    ) -> Result<Vec<String>>;

    /// Marks the deletions of these records (live, not seen by the pull
    /// `run` started) as held for a person, under the run's lease; a later
    /// pull that sees one of them again clears the mark. Returns how many.
    async fn hold_deletions(&self, lease: &Lease, run: RunId, ids: &[String]) -> Result<u64>;

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

    /// The record of `kind` that `key` names, deleted or not.
    async fn record(
        &self,
        connection: ConnectionId,
        kind: &str,
        key: &RecordKey,
    ) -> Result<Option<StoredRecord>>;

    /// Records by local id, of any kind (`local:<id>` references name them).
    async fn records_by_id(
        &self,
        connection: ConnectionId,
        ids: &[i64],
    ) -> Result<Vec<StoredRecord>>;

    /// Writes a validated local edit (or a person's resolution of a
    /// conflict) and its row of the change log, in one transaction.
    /// Refused with `Conflict` when the record's revision moved on since it
    /// was read; returns the record's local id.
    async fn stage(&self, change: &StagedChange<'_>) -> Result<i64>;

    /// The records of a kind with a pending edit, by local id after `after_id`.
    async fn pending(
        &self,
        connection: ConnectionId,
        kind: &str,
        after_id: i64,
        limit: u64,
    ) -> Result<Vec<StoredRecord>>;

    /// Records what export learnt of each record, under the run's lease,
    /// each swapped on the revision it was read at (one whose revision moved
    /// on, because the application edited it meanwhile, is left for the
    /// caller to read again: its entry in the answer is false).
    async fn settle(
        &self,
        lease: &Lease,
        run: RunId,
        settlements: &[Settlement<'_>],
    ) -> Result<Vec<bool>>;

    /// The change log of one record, oldest first.
    async fn history(&self, record: i64) -> Result<Vec<ChangeEntry>>;
}

/// What export learnt of one record, swapped on its revision.
#[derive(Debug)]
pub struct Settlement<'a> {
    /// The record.
    pub record: i64,
    /// The revision it was read at.
    pub revision: i64,
    /// What to record.
    pub outcome: Settled<'a>,
}

/// The outcomes export records.
#[derive(Debug)]
pub enum Settled<'a> {
    /// About to be sent with this key: until its answer is recorded the
    /// outcome is unknown (`PendingState::Uncertain`).
    Sending {
        /// The idempotency key sent with it.
        idempotency_key: &'a str,
    },
    /// The provider holds it as `object`: linked (its id and version
    /// stored), exported, and its pending edit cleared, or replaced by
    /// `rest`, what the application changed while it was being sent.
    Written {
        /// The provider's object as it now stands.
        object: &'a ParsedObject,
        /// The record's local view to keep (`object`'s data when `rest` is `None`).
        data: &'a str,
        /// The edit still to send.
        rest: Option<&'a Pending>,
    },
    /// Deleted at the provider as the kind is deleted there.
    Deleted {
        /// The provider's object as it now stands, when it stays readable.
        object: Option<&'a ParsedObject>,
    },
    /// Refused by the provider (or waiting on a reference that is not
    /// exported); stays pending with the message.
    Refused {
        /// Why, in the provider's words.
        message: &'a str,
    },
    /// The provider changed or deleted the object after the edit's base:
    /// nothing was written; its copy is kept beside the edit.
    Conflict {
        /// The provider's current object; `None` when it no longer has it.
        remote: Option<&'a ParsedObject>,
        /// What happened, for people.
        message: &'a str,
    },
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
