//! The schema, as sea-orm migrations applied in order by [`Migrator`].
//!
//! Each migration is frozen once released: a schema change is a new file
//! appended to [`Migrator::migrations`], never an edit. Every migration runs
//! in a transaction on both engines, so a failure leaves no half-built table.

use sea_orm_migration::prelude::*;

mod m0001_create_connections;
mod m0002_create_runs;
mod m0003_create_records;
mod m0004_create_sync_state;
mod m0005_create_quarantine;
mod m0006_create_leases;
mod m0007_add_run_worker;
mod m0008_quarantine_per_object;
mod m0009_local_changes;
mod m0010_resync;
mod m0011_grants;
mod m0012_call_budget;
mod m0013_records_ingest;

/// Applies the store's migrations; [`crate::SeaStore::connect`] runs it.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_create_connections::Migration),
            Box::new(m0002_create_runs::Migration),
            Box::new(m0003_create_records::Migration),
            Box::new(m0004_create_sync_state::Migration),
            Box::new(m0005_create_quarantine::Migration),
            Box::new(m0006_create_leases::Migration),
            Box::new(m0007_add_run_worker::Migration),
            Box::new(m0008_quarantine_per_object::Migration),
            Box::new(m0009_local_changes::Migration),
            Box::new(m0010_resync::Migration),
            Box::new(m0011_grants::Migration),
            Box::new(m0012_call_budget::Migration),
            Box::new(m0013_records_ingest::Migration),
        ]
    }
}
