//! A resync's one call to the provider's change feed, for every kind it can
//! answer; each kind then commits its share as one page of its own pull.

use std::collections::HashMap;

use crate::feed::ChangeFeed;
use crate::{ObjectKind, Result, Timestamp};

use super::{Syncer, choose};

/// One kind's share of the feed's answer.
pub(super) struct FeedShare {
    /// The objects and tombstones of the kind.
    pub changes: crate::feed::FeedChanges,
    /// The provider's clock when it answered.
    pub provider_time: Option<Timestamp>,
    /// API calls the feed took, carried by the first kind that reports it.
    pub calls: u64,
}

impl Syncer<'_> {
    /// Asks the feed, in one call, for what changed in those of `kinds` it
    /// can bring up to date (see [`choose::feed_answers`]), since the
    /// oldest of their cursors. Kinds it cannot answer get no share.
    pub(super) async fn ask_feed(
        &self,
        feed: &dyn ChangeFeed,
        kinds: &[&'static dyn ObjectKind],
    ) -> Result<HashMap<&'static str, FeedShare>> {
        let now = chrono::Utc::now();
        let mut asked: Vec<&'static str> = Vec::new();
        let mut since: Option<Timestamp> = None;
        for kind in kinds {
            let state = self.store.sync_state(self.connection, kind.name()).await?;
            if let Some(cursor) = state.cursor
                && choose::feed_answers(feed, *kind, &state, &self.options, now)
            {
                asked.push(kind.name());
                since = Some(since.map_or(cursor, |s| s.min(cursor)));
            }
        }
        let Some(since) = since else {
            return Ok(HashMap::new());
        };
        let calls_before = self.api.stats().calls();
        let answer = feed.changes(&self.api, &asked, since).await?;
        let mut calls = self.api.stats().calls() - calls_before;
        let mut shares = HashMap::new();
        for changes in answer.kinds {
            let Some(kind) = asked.iter().copied().find(|k| *k == changes.kind) else {
                tracing::warn!(
                    kind = changes.kind,
                    "the change feed answered for a kind not asked for; ignored"
                );
                continue;
            };
            shares.insert(
                kind,
                FeedShare {
                    changes,
                    provider_time: answer.provider_time,
                    calls: std::mem::take(&mut calls),
                },
            );
        }
        Ok(shares)
    }
}
