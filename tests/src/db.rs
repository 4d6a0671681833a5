//! A fresh database per test.

use sea_orm::{ConnectionTrait, Database};
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
                let name = format!("tether_e2e_{}", uuid::Uuid::new_v4().simple());
                let conn = Database::connect(&admin)
                    .await
                    .expect("connect to PostgreSQL");
                conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create test database");
                conn.close().await.ok();
                let url = match admin.rfind('/') {
                    Some(slash) if slash > "postgres://".len() => {
                        format!("{}/{name}", &admin[..slash])
                    }
                    _ => format!("{admin}/{name}"),
                };
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
        if let Some((admin, name)) = &self.postgres
            && let Ok(conn) = Database::connect(admin).await
        {
            let _ = conn
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await;
        }
    }
}
