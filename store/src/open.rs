//! Opening the database: a SQLite pool with the settings Tether relies on,
//! or a PostgreSQL pool after one direct connection, so that a server that
//! cannot be reached is said at once, with its cause, instead of after the
//! pool's 30 s of silent retries as "pool timed out".

use std::time::Duration;

use sea_orm::sqlx;
use sea_orm::sqlx::ConnectOptions as _;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr, RuntimeErr};

use crate::error::StoreError;

/// How long a SQLite writer waits for another's lock before failing.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections in a SQLite file pool: WAL lets readers run beside the one writer.
const SQLITE_POOL_SIZE: u32 = 4;
/// WAL pages between automatic checkpoints (SQLite's default is 1,000, less
/// than one page commit writes, so nearly every commit also checkpointed).
/// A checkpoint writes each page once however many commits changed it in
/// between, so spacing them out writes the index's hot leaves fewer times.
const SQLITE_WAL_AUTOCHECKPOINT: u32 = 65_536;
/// What a WAL file is cut back to once a checkpoint has emptied it, so the
/// file a large sync grew does not stay on disk.
const SQLITE_WAL_KEPT_BYTES: u64 = 64 * 1024 * 1024;
/// The page cache of the connection SQLite writes go through, in KiB: a
/// page commit's upsert walks the external-id index at random places, and
/// the pages it finds in this cache are not read again from the file.
const SQLITE_WRITER_CACHE_KIB: u32 = 64 * 1024;
/// How long the first PostgreSQL connection may take.
const POSTGRES_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens a SQLite pool; the file and its directory are created when missing.
pub(crate) async fn sqlite(url: &str) -> Result<DatabaseConnection, StoreError> {
    let (memory, target) = sqlite_target(url)?;
    let mut options = sqlite_options(url, None);
    if memory {
        // An in-memory database lives as long as its last connection: keep one.
        options
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None);
    } else {
        options.max_connections(SQLITE_POOL_SIZE);
    }
    Database::connect(options)
        .await
        .map_err(|e| cannot_open(target, &e))
}

/// Opens the one connection a SQLite file's write transactions share;
/// `None` for an in-memory database, whose only connection does everything.
///
/// SQLite has one writer at a time. Writers on several connections each
/// wait for its lock in SQLite's busy handler, which sleeps and polls: the
/// lock sits idle while they sleep, and a writer can lose every race and
/// wait for seconds. Queued on one connection instead, they are served in
/// turn (the pool's wait is first come, first served) and the lock is
/// passed on at once. The connection also keeps its page cache from one
/// commit to the next, where a connection that saw another one write
/// discards its cache: the index pages a page commit touches stay in memory.
pub(crate) async fn sqlite_writer(url: &str) -> Result<Option<DatabaseConnection>, StoreError> {
    let (memory, target) = sqlite_target(url)?;
    if memory {
        return Ok(None);
    }
    let mut options = sqlite_options(url, Some(SQLITE_WRITER_CACHE_KIB));
    options
        .max_connections(1)
        .acquire_timeout(SQLITE_BUSY_TIMEOUT);
    Database::connect(options)
        .await
        .map(Some)
        .map_err(|e| cannot_open(target, &e))
}

/// Whether a SQLite URL is in memory, and how an error names it; creates
/// the directory of a file.
fn sqlite_target(url: &str) -> Result<(bool, String), StoreError> {
    let memory = url.contains(":memory:") || url.contains("mode=memory");
    if memory {
        return Ok((true, "an in-memory SQLite database".to_owned()));
    }
    let path = sqlite_path(url)?;
    create_parent_dir(&path)?;
    Ok((false, format!("the SQLite database {}", path.display())))
}

/// The settings of every SQLite connection; `cache_kib` replaces SQLite's
/// default page cache (2 MiB).
fn sqlite_options(url: &str, cache_kib: Option<u32>) -> ConnectOptions {
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false).map_sqlx_sqlite_opts(move |o| {
        let o = o
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
            .foreign_keys(true)
            // Statement journals (an upsert's undo within the page's
            // transaction) stay in memory instead of spilling to a temp file.
            .pragma("temp_store", "memory")
            .pragma("wal_autocheckpoint", SQLITE_WAL_AUTOCHECKPOINT.to_string())
            .pragma("journal_size_limit", SQLITE_WAL_KEPT_BYTES.to_string());
        match cache_kib {
            // A negative size is in KiB rather than pages.
            Some(kib) => o.pragma("cache_size", format!("-{kib}")),
            None => o,
        }
    });
    options
}

/// Opens a PostgreSQL pool, once one connection has shown the server answers.
pub(crate) async fn postgres(url: &str) -> Result<DatabaseConnection, StoreError> {
    let target = format!("the PostgreSQL database {}", redact(url));
    let direct: sqlx::postgres::PgConnectOptions =
        url.parse().map_err(|e: sqlx::Error| StoreError::Open {
            target: target.clone(),
            problem: format!("the URL is not valid: {e}"),
        })?;
    match tokio::time::timeout(POSTGRES_CONNECT_TIMEOUT, direct.connect()).await {
        Err(_) => {
            return Err(StoreError::Open {
                target,
                problem: format!(
                    "the server did not answer within {} s",
                    POSTGRES_CONNECT_TIMEOUT.as_secs()
                ),
            });
        }
        Ok(Err(e)) => return Err(cannot_open(target, &e)),
        Ok(Ok(connection)) => {
            let _ = sqlx::Connection::close(connection).await;
        }
    }
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false);
    Database::connect(options)
        .await
        .map_err(|e| cannot_open(target, &e))
}

/// An opening failure, said once: the innermost cause in plain words.
fn cannot_open(target: String, error: &(dyn std::error::Error + 'static)) -> StoreError {
    StoreError::Open {
        target,
        problem: plain_cause(error),
    }
}

fn plain_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let sqlx_error = match error.downcast_ref::<DbErr>() {
        Some(DbErr::Conn(RuntimeErr::SqlxError(e))) => Some(&**e),
        _ => error.downcast_ref::<sqlx::Error>(),
    };
    if let Some(sqlx::Error::Database(db)) = sqlx_error {
        return match db.code().as_deref() {
            // SQLITE_NOTADB
            Some("26") => "the file is not a SQLite database".to_owned(),
            // SQLITE_CANTOPEN
            Some("14") => {
                "the file cannot be opened (check the folder and its permissions)".to_owned()
            }
            _ => db.message().to_owned(),
        };
    }
    let mut innermost = error;
    let mut io_kind = None;
    while let Some(cause) = innermost.source() {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            io_kind = Some(io.kind());
        }
        innermost = cause;
    }
    match io_kind {
        Some(std::io::ErrorKind::ConnectionRefused) => {
            "connection refused (is the server running, and are host and port right?)".to_owned()
        }
        _ => innermost.to_string(),
    }
}

/// The file a SQLite URL names.
pub(crate) fn sqlite_path(url: &str) -> Result<std::path::PathBuf, StoreError> {
    let options: sqlx::sqlite::SqliteConnectOptions =
        url.parse().map_err(|e: sqlx::Error| StoreError::Open {
            target: url.to_owned(),
            problem: format!("the SQLite URL is not valid: {e}"),
        })?;
    Ok(options.get_filename().to_path_buf())
}

/// Creates the directory a SQLite file lives in.
fn create_parent_dir(path: &std::path::Path) -> Result<(), StoreError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.display().to_string(),
                source,
            })
        }
        _ => Ok(()),
    }
}

/// A URL with any password replaced, fit for an error message.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://u:secret@host:5432/db"),
            "postgres://u:***@host:5432/db"
        );
        assert_eq!(redact("postgres://u@host/db"), "postgres://u@host/db");
    }

    #[tokio::test]
    async fn a_file_that_is_not_a_database_is_said_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.db");
        std::fs::write(&path, "hello, this is not SQLite, but long enough to have a header at least one hundred bytes long so SQLite reads it as a header and refuses it").unwrap();
        let e = sqlite(&crate::SeaStore::url_for_sqlite_path(&path))
            .await
            .expect_err("not a database");
        assert_eq!(
            e.to_string(),
            format!(
                "cannot open the SQLite database {}: the file is not a SQLite database",
                path.display()
            )
        );
    }

    #[tokio::test]
    async fn a_postgres_server_that_is_down_is_said_at_once() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let started = std::time::Instant::now();
        let e = postgres(&format!("postgres://u:pw@127.0.0.1:{port}/db"))
            .await
            .expect_err("nothing listens");
        assert!(started.elapsed() < Duration::from_secs(5), "said at once");
        assert_eq!(
            e.to_string(),
            format!(
                "cannot open the PostgreSQL database postgres://u:***@127.0.0.1:{port}/db: \
                 connection refused (is the server running, and are host and port right?)"
            )
        );
    }
}
