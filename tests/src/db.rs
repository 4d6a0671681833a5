//! A fresh database per test.

use sea_orm::{ConnectionTrait, Database, DbErr};
use tether_store::SeaStore;

/// Which engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temp dir.
    Sqlite,
    /// A fresh database on the server at `TETHER_TEST_POSTGRES_URL`.
    Postgres,
}

/// A database that exists for one test.
pub struct TestDb {
    /// Its URL.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// Creates one; `None` (with a message) when PostgreSQL is not configured.
    pub async fn create(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = SeaStore::url_for_sqlite_path(dir.path().join("tether.db"));
                Some(TestDb {
                    url,
                    _dir: Some(dir),
                    postgres: None,
                })
            }
            Backend::Postgres => {
                let Ok(admin) = std::env::var("TETHER_TEST_POSTGRES_URL") else {
                    eprintln!(
                        "skipped: set TETHER_TEST_POSTGRES_URL to run the PostgreSQL variant"
                    );
                    return None;
                };
                let (url, name) = create_postgres(&admin, "tether_e2e")
                    .await
                    .expect("create a test database on PostgreSQL");
                Some(TestDb {
                    url,
                    _dir: None,
                    postgres: Some((admin, name)),
                })
            }
        }
    }

    /// Drops a PostgreSQL test database (call at the end of a passing test).
    pub async fn drop_database(self) {
        if let Some((admin, name)) = &self.postgres {
            let _ = drop_postgres(admin, name).await;
        }
    }
}

/// Creates a database named `prefix` and a random suffix on the PostgreSQL
/// server of `server` (a URL naming any database on it); returns its URL and
/// its name. Each test or bench run gets its own, dropped by
/// [`drop_postgres`].
pub async fn create_postgres(server: &str, prefix: &str) -> Result<(String, String), DbErr> {
    let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(server).await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await?;
    admin.close().await?;
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (server, String::new()),
    };
    let base = base.rsplit_once('/').map_or(base, |(base, _)| base);
    Ok((format!("{base}/{name}{query}"), name))
}

/// Drops a database [`create_postgres`] made, whoever is still connected.
pub async fn drop_postgres(server: &str, name: &str) -> Result<(), DbErr> {
    let admin = Database::connect(server).await?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await?;
    admin.close().await
}
