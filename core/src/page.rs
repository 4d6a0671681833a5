//! What a connector's list hook hands back to the core's paging loop.

use serde_json::value::RawValue;

use crate::Timestamp;

/// Where a listing stands, opaque to core: a Xero page number, a QuickBooks
/// `STARTPOSITION`. It is checkpointed, so a restarted sync resumes from it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct PageToken(pub String);

/// One call to a kind's list hook.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// `None` asks for the first page.
    pub token: Option<PageToken>,
    /// Only objects changed after this provider time (resync); `None` for all.
    pub modified_since: Option<Timestamp>,
}

/// One page of provider objects, each still raw so that one malformed object
/// can be quarantined without losing the page.
#[derive(Debug, Default)]
pub struct Page {
    /// The objects, exactly as the provider sent them.
    pub objects: Vec<Box<RawValue>>,
    /// The next page, or `None` when the listing is complete.
    pub next: Option<PageToken>,
    /// The provider's clock when it answered (its `Date` header).
    pub provider_time: Option<Timestamp>,
    /// How many objects the whole listing holds, when the provider says.
    pub total_hint: Option<u64>,
}

/// A provider object made ready for the store.
#[derive(Debug, Clone)]
pub struct ParsedObject {
    /// The provider's id for it.
    pub external_id: String,
    /// The provider's last-modified time, when the kind has one.
    pub remote_updated_at: Option<Timestamp>,
    /// The provider's version of the object, opaque to core: what a local
    /// edit is based on, and what export compares before writing (Xero:
    /// `UpdatedDateUTC`; QuickBooks: `SyncToken`).
    pub version: Option<String>,
    /// Whether its status says it is deleted (for `DeletionStrategy::Status`).
    pub deleted: bool,
    /// The normalised JSON: the provider's object, every field kept, dates in
    /// RFC 3339 UTC and money as exact decimals.
    pub data: String,
}

/// Why one object could not be read; it names the object and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} {}: field `{field}`: {problem}", external_id.as_deref().unwrap_or("(no id)"))]
pub struct ParseError {
    /// The kind of object, e.g. `invoices`.
    pub kind: String,
    /// Its id when that much could be read.
    pub external_id: Option<String>,
    /// The path of the offending field, e.g. `LineItems[2].UnitAmount`.
    pub field: String,
    /// What was wrong and what was expected.
    pub problem: String,
}
