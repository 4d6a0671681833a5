//! Several processes starting at once against a new PostgreSQL database
//! (workers of one deployment) all open it: one migrates, the others wait
//! for it and find nothing left to do.

use sea_orm::{ConnectionTrait, Database};
use tether_store::SeaStore;

/// How many stores open the new database at once.
const AT_ONCE: usize = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stores_opened_at_once_on_a_new_database_all_open() {
    let Ok(admin) = std::env::var("TETHER_TEST_POSTGRES_URL") else {
        eprintln!("TETHER_TEST_POSTGRES_URL is not set; skipping the PostgreSQL migration race");
        return;
    };
    let name = format!("tether_race_{}", uuid::Uuid::new_v4().simple());
    let admin_db = Database::connect(admin.as_str())
        .await
        .expect("admin connection");
    admin_db
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create the database");
    let (base, _) = admin.rsplit_once('/').expect("a database in the URL");
    let url = format!("{base}/{name}");

    let opens: Vec<_> = (0..AT_ONCE)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { SeaStore::connect(&url).await })
        })
        .collect();
    let mut stores = Vec::new();
    for open in opens {
        let store = open
            .await
            .expect("the task ran")
            .unwrap_or_else(|e| panic!("a store opened at the same time failed: {e}"));
        stores.push(store);
    }
    let applied = stores[0]
        .db()
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT COUNT(*) AS n FROM seaql_migrations",
        ))
        .await
        .expect("read the migration table")
        .expect("a row");
    let n: i64 = applied.try_get("", "n").expect("a count");
    assert!(n > 0, "the migrations were applied");
    let twice = stores[0]
        .db()
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT COUNT(*) AS n FROM (SELECT version FROM seaql_migrations GROUP BY version HAVING COUNT(*) > 1) d",
        ))
        .await
        .expect("read the migration table")
        .expect("a row");
    assert_eq!(
        twice.try_get::<i64>("", "n").expect("a count"),
        0,
        "each migration once"
    );

    for store in stores {
        store.close().await.expect("close");
    }
    admin_db
        .execute_unprepared(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .await
        .expect("drop the database");
}
