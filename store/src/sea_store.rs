//! [`SeaStore`]: opening the database, and the `Store` trait wired to the
//! per-concern implementations in the sibling modules.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use chrono::SubsecRound;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use tether_core::auth::{GrantId, GrantStatus, GrantStore, NewTokens, StoredGrant};
use tether_core::lease::{Lease, LeaseInfo};
use tether_core::pending::{RecordKey, StagedChange};
use tether_core::store::{
    ChangeEntry, Connection, ConnectionId, KindTotals, NewConnection, PageCommit, PullEnd,
    QuarantineEntry, RecordQuery, Run, RunCounts, RunId, RunStatus, RunType, Settlement, Store,
    StoredRecord, SyncState,
};
use tether_core::{Result, Timestamp};

use crate::error::{Doing, StoreError};
use crate::migration::Migrator;
use crate::open;

/// The sea-orm implementation of core's [`Store`], on SQLite or PostgreSQL.
///
/// Cheap to clone: it holds a connection pool.
#[derive(Debug, Clone)]
pub struct SeaStore {
    db: DatabaseConnection,
    /// A SQLite file's write connection (see [`open::sqlite_writer`]);
    /// `None` where `db` takes the writes too.
    writer: Option<DatabaseConnection>,
}

/// The PostgreSQL advisory lock key migrations hold ("tether" in ASCII).
const MIGRATION_LOCK: i64 = 0x7465_7468_6572;

impl SeaStore {
    /// Opens the database at `url` and applies pending migrations.
    ///
    /// `sqlite://path` (the file and its directory are created when missing;
    /// WAL journal, `synchronous=NORMAL`, a busy timeout and foreign keys are
    /// set on every connection), `sqlite::memory:`, or `postgres://...`.
    pub async fn connect(url: &str) -> Result<SeaStore> {
        let (db, writer) = if url.starts_with("sqlite:") {
            (open::sqlite(url).await?, open::sqlite_writer(url).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (open::postgres(url).await?, None)
        } else {
            return Err(StoreError::UnsupportedUrl(open::redact(url)).into());
        };
        let store = SeaStore { db, writer };
        store.migrate().await?;
        Ok(store)
    }

    /// The URL [`SeaStore::connect`] takes for a SQLite file at `path`,
    /// created when missing.
    pub fn url_for_sqlite_path(path: impl AsRef<Path>) -> String {
        // sqlx percent-decodes the path, so `%`, `?` and `#` must be encoded.
        let raw = path.as_ref().to_string_lossy();
        let mut encoded = String::with_capacity(raw.len());
        for c in raw.chars() {
            match c {
                '%' => encoded.push_str("%25"),
                '?' => encoded.push_str("%3F"),
                '#' => encoded.push_str("%23"),
                c => encoded.push(c),
            }
        }
        format!("sqlite://{encoded}?mode=rwc")
    }

    /// The file a `sqlite:` URL names; `None` for other engines and for
    /// in-memory databases.
    pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        if !url.starts_with("sqlite:") || memory {
            return None;
        }
        open::sqlite_path(url).ok()
    }

    /// Applies any migration not yet applied; a no-op on an up-to-date schema.
    ///
    /// On PostgreSQL several processes may start at once against a new
    /// database (workers of one deployment); each would create the same
    /// tables and all but one fail. One migrates at a time: a transaction
    /// holds an advisory lock while the migrations run, the others wait on
    /// it and then find nothing left to do.
    pub async fn migrate(&self) -> Result<()> {
        let lock = match self.backend() {
            DbBackend::Postgres => Some(self.migration_lock().await?),
            _ => None,
        };
        Migrator::up(&self.db, None)
            .await
            .doing(|| "applying the store's migrations".to_owned())?;
        if let Some(lock) = lock {
            lock.commit()
                .await
                .doing(|| "releasing the migration lock".to_owned())?;
        }
        Ok(())
    }

    /// A transaction holding the PostgreSQL advisory lock that migrations
    /// take; committing it releases the lock.
    async fn migration_lock(&self) -> Result<DatabaseTransaction> {
        let lock = self
            .db
            .begin()
            .await
            .doing(|| "opening the migration lock's transaction".to_owned())?;
        lock.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            .await
            .doing(|| "waiting for another process's migrations".to_owned())?;
        Ok(lock)
    }

    /// The PostgreSQL pool under the store, for the job engine several
    /// `tether run` workers share; `None` on SQLite (one process, no engine).
    pub fn postgres_pool(&self) -> Option<sea_orm::sqlx::PgPool> {
        (self.db.get_database_backend() == DbBackend::Postgres)
            .then(|| self.db.get_postgres_connection_pool().clone())
    }

    /// The underlying connection, for tests and tools that inspect the tables.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Closes the pool, waiting for connections in use to be returned. On
    /// SQLite the write-ahead log is first folded into the database file, so
    /// the file is complete on its own (to copy, mail or open elsewhere).
    pub async fn close(self) -> Result<()> {
        if let Some(writer) = &self.writer {
            writer
                .close_by_ref()
                .await
                .doing(|| "closing the database's write connection".to_owned())?;
        }
        if self.backend() == DbBackend::Sqlite {
            self.db
                .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                .await
                .doing(|| "checkpointing the SQLite write-ahead log".to_owned())?;
        }
        self.db
            .close()
            .await
            .doing(|| "closing the database".to_owned())?;
        Ok(())
    }

    /// Which engine this store runs on.
    pub(crate) fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Starts a transaction that will write. On a SQLite file it waits for
    /// the one write connection, in turn with this process's other writers;
    /// it takes the write lock at `BEGIN` (IMMEDIATE), so a writer of
    /// another process makes it wait out the busy timeout instead of failing
    /// when its read lock cannot be upgraded.
    pub(crate) async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        self.writer
            .as_ref()
            .unwrap_or(&self.db)
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
    }
}

/// A time as both engines keep it: PostgreSQL stores microseconds, so every
/// time is cut to microseconds before it is written and reads back equal.
pub(crate) fn micros(t: Timestamp) -> Timestamp {
    t.trunc_subsecs(6)
}

/// Our clock, at the precision we store.
pub(crate) fn now() -> Timestamp {
    micros(chrono::Utc::now())
}

#[async_trait]
impl GrantStore for SeaStore {
    async fn insert_grant(&self, provider: &str, tokens: &NewTokens) -> Result<GrantId> {
        Ok(self.insert_grant_impl(provider, tokens).await?)
    }

    async fn grant(&self, id: GrantId) -> Result<StoredGrant> {
        Ok(self.grant_impl(id).await?)
    }

    async fn claim_refresh(
        &self,
        id: GrantId,
        version: i64,
        holder: &str,
        ttl: Duration,
    ) -> Result<bool> {
        Ok(self.claim_refresh_impl(id, version, holder, ttl).await?)
    }

    async fn save_tokens(
        &self,
        id: GrantId,
        version: i64,
        holder: &str,
        tokens: &NewTokens,
    ) -> Result<bool> {
        Ok(self.save_tokens_impl(id, version, holder, tokens).await?)
    }

    async fn release_refresh(&self, id: GrantId, holder: &str) -> Result<()> {
        Ok(self.release_refresh_impl(id, holder).await?)
    }

    async fn set_grant_status(
        &self,
        id: GrantId,
        status: GrantStatus,
        reason: Option<&str>,
    ) -> Result<()> {
        Ok(self.set_grant_status_impl(id, status, reason).await?)
    }

    /// Sessions over the store share each tenant's budget across processes.
    fn call_budget(&self) -> Option<std::sync::Arc<dyn tether_core::http::CallBudget>> {
        Some(std::sync::Arc::new(self.clone()))
    }
}

#[async_trait]
impl Store for SeaStore {
    async fn save_connection(&self, connection: &NewConnection) -> Result<Connection> {
        Ok(self.save_connection_impl(connection).await?)
    }

    async fn connection(&self, name: &str) -> Result<Option<Connection>> {
        Ok(self.connection_impl(name).await?)
    }

    async fn connections(&self) -> Result<Vec<Connection>> {
        Ok(self.connections_impl().await?)
    }

    async fn disconnect(&self, connection: ConnectionId) -> Result<()> {
        Ok(self.disconnect_impl(connection).await?)
    }

    async fn acquire_leases(
        &self,
        leases: &[Lease],
        dead_holders: &[String],
    ) -> Result<Vec<Option<LeaseInfo>>> {
        Ok(self.acquire_leases_impl(leases, dead_holders).await?)
    }

    async fn renew_lease(&self, lease: &Lease) -> Result<bool> {
        Ok(self.renew_lease_impl(lease).await?)
    }

    async fn release_lease(&self, lease: &Lease) -> Result<()> {
        Ok(self.release_lease_impl(lease).await?)
    }

    async fn start_run(&self, lease: &Lease, run_type: RunType) -> Result<RunId> {
        Ok(self.start_run_impl(lease, run_type).await?)
    }

    async fn finish_run(
        &self,
        run: RunId,
        status: RunStatus,
        counts: &RunCounts,
        error: Option<&str>,
    ) -> Result<()> {
        Ok(self.finish_run_impl(run, status, counts, error).await?)
    }

    async fn runs(&self, connection: ConnectionId, limit: u64) -> Result<Vec<Run>> {
        Ok(self.runs_impl(Some(connection), limit).await?)
    }

    async fn recent_runs(&self, limit: u64) -> Result<Vec<Run>> {
        Ok(self.runs_impl(None, limit).await?)
    }

    async fn sync_state(&self, connection: ConnectionId, kind: &str) -> Result<SyncState> {
        Ok(self.sync_state_impl(connection, kind).await?)
    }

    async fn cursors(
        &self,
        connection: Option<ConnectionId>,
    ) -> Result<Vec<(ConnectionId, String, Timestamp)>> {
        Ok(self.cursors_impl(connection).await?)
    }

    async fn commit_page(&self, page: PageCommit<'_>) -> Result<u64> {
        Ok(self.commit_pages_impl(&[page]).await?)
    }

    async fn commit_pages(&self, pages: &[PageCommit<'_>]) -> Result<u64> {
        Ok(self.commit_pages_impl(pages).await?)
    }

    async fn unseen(
        &self,
        connection: ConnectionId,
        kind: &str,
        sweep: RunId,
    ) -> Result<Vec<String>> {
        Ok(self.unseen_impl(connection, kind, sweep).await?)
    }

    async fn hold_deletions(&self, lease: &Lease, run: RunId, ids: &[String]) -> Result<u64> {
        Ok(self.hold_deletions_impl(lease, run, ids).await?)
    }

    async fn finish_pull(&self, end: PullEnd<'_>) -> Result<u64> {
        Ok(self.finish_pull_impl(end).await?)
    }

    async fn records(&self, query: &RecordQuery) -> Result<Vec<StoredRecord>> {
        Ok(self.records_impl(query).await?)
    }

    async fn totals(&self, connection: ConnectionId) -> Result<Vec<KindTotals>> {
        Ok(self.totals_impl(connection).await?)
    }

    async fn quarantined(
        &self,
        connection: ConnectionId,
        limit: u64,
    ) -> Result<Vec<QuarantineEntry>> {
        Ok(self.quarantined_impl(connection, limit).await?)
    }

    async fn record(
        &self,
        connection: ConnectionId,
        kind: &str,
        key: &RecordKey,
    ) -> Result<Option<StoredRecord>> {
        Ok(self.record_impl(connection, kind, key).await?)
    }

    async fn records_by_id(
        &self,
        connection: ConnectionId,
        ids: &[i64],
    ) -> Result<Vec<StoredRecord>> {
        Ok(self.records_by_id_impl(connection, ids).await?)
    }

    async fn stage(&self, change: &StagedChange<'_>) -> Result<i64> {
        Ok(self.stage_impl(change).await?)
    }

    async fn pending(
        &self,
        connection: ConnectionId,
        kind: &str,
        after_id: i64,
        limit: u64,
    ) -> Result<Vec<StoredRecord>> {
        Ok(self.pending_impl(connection, kind, after_id, limit).await?)
    }

    async fn exportable(&self) -> Result<Vec<(ConnectionId, String)>> {
        Ok(self.exportable_impl().await?)
    }

    async fn settle(
        &self,
        lease: &Lease,
        run: RunId,
        settlements: &[Settlement<'_>],
    ) -> Result<Vec<bool>> {
        Ok(self.settle_impl(lease, run, settlements).await?)
    }

    async fn history(&self, record: i64) -> Result<Vec<ChangeEntry>> {
        Ok(self.history_impl(record).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_url_encodes_what_sqlx_would_decode() {
        assert_eq!(
            SeaStore::url_for_sqlite_path("/tmp/a b/t.db"),
            "sqlite:///tmp/a b/t.db?mode=rwc"
        );
        assert_eq!(
            SeaStore::url_for_sqlite_path("/tmp/50%?#/t.db"),
            "sqlite:///tmp/50%25%3F%23/t.db?mode=rwc"
        );
    }
}
