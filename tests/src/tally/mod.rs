//! Tally: a small provider that exists only for the tests, shaped like
//! QuickBooks Online where it matters to core (a company id in every path,
//! listings by position, `SyncToken` versions, and a change feed, `/cdc`,
//! that answers for several entities in one call, lists deletions as
//! tombstones, caps each answer and reaches 30 days back). It proves that
//! core's traits carry such a provider, and it passes the conformance suite
//! like every connector.

mod connector;
mod sandbox;
mod server;

pub use connector::{ACCOUNTS, CDC_MAX_OBJECTS, CUSTOMERS, ITEMS, TallyConnector};
pub use server::{REALM, TallyHandle};
