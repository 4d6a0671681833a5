//! The end of a full pull: a record the listing did not return is only a
//! candidate for deletion. The provider is asked for the candidates by id, in
//! batches at list cost; what it still has is committed as seen (and
//! refreshed), and only what it confirms gone is marked deleted. A listing
//! that shifted while it was read therefore costs a few calls, never a false
//! delete; and confirmed deletions that are suspiciously many of the kind's
//! live records are held for a person instead.

use std::collections::HashSet;

use crate::store::{Checkpoint, PageCommit, Provenance};
use crate::{Error, ErrorKind, Result};

use super::fetch::{prepare, retry_malformed};
use super::{KindRun, Syncer};

impl Syncer<'_> {
    /// The records a full pull did not see that the provider confirms gone,
    /// unless they are suspiciously many: then they are held for a person.
    pub(super) async fn deletions(
        &self,
        work: &mut KindRun<'_>,
        checkpoint: &Checkpoint,
    ) -> crate::Result<Vec<String>> {
        let kind = work.kind;
        let unseen = self
            .store
            .unseen(self.connection, kind.name(), checkpoint.sweep)
            .await?;
        let absent = self.confirm_absent(work, checkpoint, unseen).await?;
        if absent.is_empty() || self.options.confirm_deletes {
            return Ok(absent);
        }
        let live = self
            .store
            .totals(self.connection)
            .await?
            .into_iter()
            .find(|t| t.kind == kind.name())
            .map_or(0, |t| t.live.max(0) as u64);
        if !self.options.hold.holds(absent.len() as u64, live) {
            return Ok(absent);
        }
        let held = self
            .store
            .hold_deletions(work.lease, work.run, &absent)
            .await?;
        tracing::warn!(
            kind = kind.name(),
            held,
            live,
            "deletions held for a person to confirm: more than the threshold of the kind's live records"
        );
        work.counts.held = held as i64;
        Ok(Vec::new())
    }

    /// Returns those of `unseen` that the provider confirms it no longer
    /// has; commits the ones it still has as seen.
    pub(super) async fn confirm_absent(
        &self,
        work: &mut KindRun<'_>,
        checkpoint: &Checkpoint,
        unseen: Vec<String>,
    ) -> Result<Vec<String>> {
        let kind = work.kind;
        if unseen.is_empty() {
            return Ok(Vec::new());
        }
        let Some(batch) = kind.capabilities().read_by_ids else {
            tracing::warn!(
                kind = kind.name(),
                unseen = unseen.len(),
                "records the listing did not return stay live: this kind cannot be read by id to confirm they are gone"
            );
            return Ok(Vec::new());
        };
        let mut absent = Vec::new();
        for ids in unseen.chunks(batch.max(1)) {
            if self.cancel.is_cancelled() {
                return Err(Error::new(
                    ErrorKind::Cancelled,
                    "stopped while confirming deletions",
                ));
            }
            let page = retry_malformed(self.options.page_retry, kind, || {
                kind.read_by_ids(&self.api, ids)
            })
            .await?;
            let prepared = prepare(kind, work.run, &page.objects);
            if prepared.quarantined.iter().any(|q| q.external_id.is_none()) {
                // An object came back that we cannot name: it may be any of these.
                tracing::warn!(
                    kind = kind.name(),
                    "an unreadable object without an id came back; none of this batch is marked deleted"
                );
                continue;
            }
            let present: HashSet<&str> = prepared
                .records
                .iter()
                .map(|r| r.external_id.as_str())
                .chain(
                    prepared
                        .quarantined
                        .iter()
                        .filter_map(|q| q.external_id.as_deref()),
                )
                .collect();
            absent.extend(
                ids.iter()
                    .filter(|id| !present.contains(id.as_str()))
                    .cloned(),
            );
            if present.is_empty() {
                continue;
            }
            tracing::info!(
                kind = kind.name(),
                still_there = present.len(),
                "records missing from the listing are still at the provider; kept"
            );
            let mut counts = work.counts;
            counts.stored += prepared.records.len() as i64;
            counts.quarantined += prepared.quarantined.len() as i64;
            counts.api_calls = work.api_calls(&self.api);
            self.store
                .commit_page(PageCommit {
                    lease: work.lease,
                    run: work.run,
                    synced_at: page.provider_time.unwrap_or_else(chrono::Utc::now),
                    records: &prepared.records,
                    quarantined: &prepared.quarantined,
                    tombstones: &[],
                    how: Provenance::Reconciliation,
                    checkpoint,
                    counts: &counts,
                })
                .await?;
            work.counts = counts;
        }
        Ok(absent)
    }
}
