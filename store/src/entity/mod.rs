//! sea-orm entities, one file per table. They mirror the migrations in
//! [`crate::migration`]; the migrations, not these, define the schema.

pub mod changes;
pub mod connections;
pub mod grants;
pub mod leases;
pub mod quarantine;
pub mod records;
pub mod runs;
pub mod sync_state;
