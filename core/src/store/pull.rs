//! A pull in progress: its checkpoint, the pages it commits and how it ends.

use super::{RunCounts, RunId};
use crate::lease::Lease;
use crate::{PageToken, ParsedObject, Timestamp};

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
#[derive(Debug, Clone, Copy)]
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
