//! The harness of Tether's end-to-end tests: real parts only. Each test gets
//! a fresh store (a SQLite file, or a fresh PostgreSQL database when
//! `TETHER_TEST_POSTGRES_URL` is set), a Xero simulator on loopback, and a
//! connection made through the real client-credentials flow.

// Linking every connector keeps their `inventory` registrations.
use tether_connectors as _;

mod compare;
pub mod conformance;
mod connecting;
mod cut;
mod db;
mod env;
mod quickbooks_app;
mod quickbooks_sim;
mod simulator;
pub mod tally;
mod xero_app;
mod xero_sim;

pub use compare::{
    SILENT_FIELDS, assert_store_matches_provider, assert_store_matches_provider_except, canonical,
    stored_records,
};
pub use connecting::{browse, connect_app, connect_by_consent, open_session, refresh_token_of};
pub use cut::{Cut, cut_resync, cut_sync};
pub use db::{Backend, TestDb, create_postgres, drop_postgres};
pub use env::{Env, kinds_named, sim_config};
pub use quickbooks_app::QuickBooksApp;
pub use simulator::{ScaledLimits, Scenario, Simulator};
pub use xero_app::XeroApp;

/// The Xero simulator, as provider-neutral tests name it.
pub type XeroSimulator = tether_xero::sim::SimHandle;

/// The QuickBooks simulator, as provider-neutral tests name it.
pub type QuickBooksSimulator = tether_quickbooks::sim::SimHandle;

/// Runs each listed `async fn<S: Simulator>(Backend)` against every
/// provider's simulator, each on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_every_provider {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            mod xero {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::super::$test::<$crate::XeroSimulator>($crate::Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::super::$test::<$crate::XeroSimulator>($crate::Backend::Postgres).await
                }
            }
            mod quickbooks {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::super::$test::<$crate::QuickBooksSimulator>($crate::Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::super::$test::<$crate::QuickBooksSimulator>($crate::Backend::Postgres).await
                }
            }
        }
    )*};
}

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
