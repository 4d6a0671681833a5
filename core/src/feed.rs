//! A provider's change feed: one call that answers for several kinds at
//! once (QuickBooks' `/cdc`), with deleted objects as tombstones. Resync
//! asks it instead of each kind's listing where it covers the kind and the
//! cursor is within its window; a kind whose answer was cut at the feed's
//! cap falls back to its own listing of changes, and a cursor older than
//! the window to a full pull.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::value::RawValue;

use crate::http::Api;
use crate::{Result, Timestamp};

/// The feed's hook; a connector that has one returns it from
/// [`crate::Connector::change_feed`].
#[async_trait]
pub trait ChangeFeed: Send + Sync {
    /// How far back the feed reaches (QuickBooks: 30 days).
    fn window(&self) -> Duration;

    /// Whether the feed answers for `kind`.
    fn covers(&self, kind: &str) -> bool;

    /// What changed in `kinds` since `since` (provider time), in one call.
    async fn changes(&self, api: &Api, kinds: &[&str], since: Timestamp) -> Result<FeedAnswer>;
}

/// One answer of a change feed.
#[derive(Debug, Default)]
pub struct FeedAnswer {
    /// The provider's clock when it answered.
    pub provider_time: Option<Timestamp>,
    /// What changed, per kind asked for.
    pub kinds: Vec<FeedChanges>,
}

/// What changed in one kind.
#[derive(Debug, Default)]
pub struct FeedChanges {
    /// The kind.
    pub kind: String,
    /// The changed objects, raw, as the kind's parse hook reads them.
    pub objects: Vec<Box<RawValue>>,
    /// The ids of objects deleted since then.
    pub tombstones: Vec<String>,
    /// False when the answer for this kind was cut at the feed's cap: it is
    /// not all that changed, so the kind's own listing of changes is read.
    pub complete: bool,
}
