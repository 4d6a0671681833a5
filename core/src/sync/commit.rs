//! A page's way into the store: consecutive pages fetched while the last
//! commit ran go in together, each with the checkpoint and counts after it,
//! in one store transaction, so a kill still resumes from a committed page.

use crate::Timestamp;
use crate::store::{Checkpoint, PageCommit};

use super::fetch::PreparedPage;
use super::{KindRun, Syncer};

impl Syncer<'_> {
    /// Commits consecutive pages, each with the checkpoint after it, in one
    /// store transaction; returns the last one's provider time.
    pub(super) async fn commit(
        &self,
        work: &mut KindRun<'_>,
        checkpoint: &mut Checkpoint,
        pages: Vec<PreparedPage>,
    ) -> crate::Result<Timestamp> {
        let api_calls = work.api_calls(&self.api);
        let mut counts = work.counts;
        let mut states = Vec::with_capacity(pages.len());
        for page in &pages {
            if checkpoint.pending_cursor.is_none() {
                checkpoint.pending_cursor = page.provider_time.and_then(|t| {
                    t.checked_sub_signed(chrono::Duration::from_std(self.options.overlap).ok()?)
                });
            }
            checkpoint.next = page.next.clone();
            checkpoint.pages += 1;
            counts.pages += 1;
            counts.fetched += page.fetched as i64;
            counts.stored += page.objects.records.len() as i64;
            counts.quarantined += page.objects.quarantined.len() as i64;
            counts.api_calls = api_calls;
            let provider_time = page.provider_time.unwrap_or_else(chrono::Utc::now);
            states.push((provider_time, checkpoint.clone(), counts));
        }
        let commits: Vec<PageCommit<'_>> = pages
            .iter()
            .zip(&states)
            .map(|(page, (provider_time, checkpoint, counts))| PageCommit {
                lease: work.lease,
                run: work.run,
                synced_at: *provider_time,
                records: &page.objects.records,
                quarantined: &page.objects.quarantined,
                tombstones: &page.tombstones,
                how: page.how,
                checkpoint,
                counts,
            })
            .collect();
        let tombstoned = self.store.commit_pages(&commits).await?;
        counts.deleted += tombstoned as i64;
        work.counts = counts;
        let total_hint = pages.last().and_then(|p| p.total_hint);
        self.observer
            .page(work.kind.name(), counts.fetched as u64, total_hint);
        Ok(states
            .last()
            .map_or_else(chrono::Utc::now, |(provider_time, _, _)| *provider_time))
    }
}
