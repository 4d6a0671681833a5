//! The store's own errors. Every one says what the store was doing when it
//! failed, and all of them reach the engine as [`ErrorKind::Store`].

use sea_orm::DbErr;
use tether_core::{Error, ErrorKind};

/// Why a store operation failed, with what was being done at the time so a
/// log line names the connection, kind or run involved.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a statement.
    #[error("{doing}: {source}")]
    Db {
        /// What the store was doing, e.g. "committing a page of xero/invoices".
        doing: String,
        /// The database's error.
        #[source]
        source: DbErr,
    },
    /// A stored value could not be read back (bad JSON, unknown status name).
    #[error("{doing}: {problem}")]
    Corrupt {
        /// What the store was reading.
        doing: String,
        /// What was wrong with it.
        problem: String,
    },
    /// The database could not be opened; the cause is said in plain words.
    #[error("cannot open {target}: {problem}")]
    Open {
        /// What was being opened (a path, or a URL without its password).
        target: String,
        /// Why, as a person would check it.
        problem: String,
    },
    /// The URL names no engine the store supports.
    #[error("unsupported database URL `{0}`: expected sqlite://... or postgres://...")]
    UnsupportedUrl(String),
    /// The SQLite file's directory could not be created.
    #[error("creating the directory for the SQLite database {path}: {source}")]
    CreateDir {
        /// The directory.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A row the operation needs is missing (a run id that was never started).
    #[error("{0}")]
    Missing(String),
    /// A record changed between the moment an edit was computed and the
    /// moment it was written (another writer got there first).
    #[error("{kind} record {record} changed while this edit was being made; read it again")]
    Moved {
        /// The kind.
        kind: String,
        /// The record's local id.
        record: i64,
    },
    /// The run's lease was taken over by another process (this one stalled
    /// past its expiry); the write was refused so the two never interleave.
    #[error(
        "the lease on {kind} of connection {connection} was taken over by another process; nothing more is written by this run"
    )]
    LeaseLost {
        /// The kind.
        kind: String,
        /// The connection.
        connection: i64,
    },
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        let kind = match e {
            StoreError::UnsupportedUrl(_) => ErrorKind::Config,
            StoreError::LeaseLost { .. } | StoreError::Moved { .. } => ErrorKind::Conflict,
            _ => ErrorKind::Store,
        };
        Error::new(kind, e.to_string()).with_source(e)
    }
}

/// Attaches "what was being done" to a sea-orm result.
pub(crate) trait Doing<T> {
    /// Wraps the error with a description built only on failure.
    fn doing(self, what: impl FnOnce() -> String) -> Result<T, StoreError>;
}

impl<T> Doing<T> for Result<T, DbErr> {
    fn doing(self, what: impl FnOnce() -> String) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Db {
            doing: what(),
            source,
        })
    }
}
