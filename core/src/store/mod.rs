//! The store the lifecycle writes to. `tether-store` implements it with
//! sea-orm; core only sees these types.

mod connection;
mod pull;
mod records;
mod run;
mod settle;

use async_trait::async_trait;

pub use connection::{Connection, ConnectionId, ConnectionStatus, NewConnection};
pub use pull::{
    Checkpoint, PageCommit, Provenance, Pull, PullEnd, QuarantineEntry, Reconcile, SyncState,
};
pub use records::{ChangeEntry, KindTotals, RecordQuery, StoredRecord};
pub use run::{Run, RunCounts, RunId, RunStatus, RunType};
pub use settle::{Settled, Settlement};

use crate::Result;
use crate::auth::GrantStore;
use crate::lease::{Lease, LeaseInfo};
use crate::pending::{RecordKey, StagedChange};

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

    /// Recent runs of every connection, newest first: what a deployment's
    /// workers did, whoever ran them.
    async fn recent_runs(&self, limit: u64) -> Result<Vec<Run>>;

    /// The sync state of a (connection, kind); empty when never synced.
    async fn sync_state(&self, connection: ConnectionId, kind: &str) -> Result<SyncState>;

    /// Every (connection, kind)'s cursor in one read, of one connection or
    /// of all (those never synced are absent): views over many connections
    /// (a worker's priorities and lag, `tether status`) would otherwise read
    /// them kind by kind.
    async fn cursors(
        &self,
        connection: Option<ConnectionId>,
    ) -> Result<Vec<(ConnectionId, String, crate::Timestamp)>>;

    /// Upserts a page of records (batched), applies its tombstones, stores
    /// its quarantined objects and its checkpoint, in one transaction.
    /// Returns how many records the tombstones marked deleted.
    async fn commit_page(&self, page: PageCommit<'_>) -> Result<u64>;

    /// Commits consecutive pages of one pull as [`Store::commit_page`]
    /// does, in one transaction when the store can: a transaction's fixed
    /// costs (the lease check, the checkpoint, the commit) are paid once,
    /// and an index page that several of the pages' records land on is
    /// written once. Each page keeps its own `synced_at` and provenance; the
    /// last page's checkpoint and counts are the ones that stay. Returns how
    /// many records the tombstones marked deleted.
    async fn commit_pages(&self, pages: &[PageCommit<'_>]) -> Result<u64> {
        let mut tombstoned = 0;
        for page in pages {
            tombstoned += self.commit_page(*page).await?;
        }
        Ok(tombstoned)
    }

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

    /// Every (connection, kind) with an edit an export would send (ready,
    /// or sent without a known answer): one question for a scheduler
    /// looking after every connection, instead of one per writable kind.
    async fn exportable(&self) -> Result<Vec<(ConnectionId, String)>>;

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
