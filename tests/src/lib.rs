//! The harness of Tether's end-to-end tests: real parts only. Each test gets
//! a fresh store (a SQLite file, or a fresh PostgreSQL database when
//! `TETHER_TEST_POSTGRES_URL` is set), a Xero simulator on loopback, and a
//! connection made through the real client-credentials flow.

// Linking the connector crates keeps their `inventory` registrations.
use tether_xero as _;

mod compare;
pub mod conformance;
mod connecting;
mod cut;
mod db;
mod env;
pub mod tally;
mod xero_app;

pub use compare::{
    SILENT_FIELDS, assert_store_matches_provider, assert_store_matches_provider_except, canonical,
    stored_records,
};
pub use connecting::{browse, connect_app, connect_by_consent, open_session, refresh_token_of};
pub use cut::{Cut, cut_resync, cut_sync};
pub use db::{Backend, TestDb};
pub use env::{Env, kinds_named, sim_config};
pub use xero_app::XeroApp;

/// Runs each listed `async fn(Backend)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_every_store {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$test($crate::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$test($crate::Backend::Postgres).await
            }
        }
    )*};
}
