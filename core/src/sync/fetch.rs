//! The fetching half of the pull: lists pages and parses their objects ahead
//! of the commits, so the network, JSON parsing and the database overlap.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::future::Future;

use serde_json::value::RawValue;
use tokio::sync::mpsc;

use crate::http::{Api, RetryPolicy};
use crate::store::{Provenance, QuarantineEntry, RunId};
use crate::{ErrorKind, ObjectKind, Page, PageRequest, PageToken, ParsedObject, Result, Timestamp};

/// Objects made ready for the store.
pub(super) struct Prepared {
    pub records: Vec<ParsedObject>,
    pub quarantined: Vec<QuarantineEntry>,
}

/// A listing page made ready for the store.
pub(super) struct PreparedPage {
    pub objects: Prepared,
    /// Ids a change feed reported deleted.
    pub tombstones: Vec<String>,
    /// How its records reached us.
    pub how: Provenance,
    pub fetched: usize,
    pub next: Option<PageToken>,
    pub provider_time: Option<Timestamp>,
    pub total_hint: Option<u64>,
}

pub(super) struct Fetcher {
    pub api: Api,
    pub kind: &'static dyn ObjectKind,
    pub run: RunId,
    pub start: Option<PageToken>,
    /// Only what changed after this provider time (a resync); `None` for all.
    pub modified_since: Option<Timestamp>,
    pub page_retry: RetryPolicy,
}

impl Fetcher {
    /// Sends prepared pages until the listing ends, the receiver hangs up, or
    /// a page fails (the failure is sent too).
    pub async fn run(self, tx: mpsc::Sender<Result<PreparedPage>>) {
        let mut token = self.start.clone();
        loop {
            let page = self.fetch(token.clone()).await;
            let next = match &page {
                Ok(p) => p.next.clone(),
                Err(_) => None,
            };
            let failed = page.is_err();
            if tx.send(page).await.is_err() || failed {
                return;
            }
            match next {
                Some(n) => token = Some(n),
                None => return,
            }
        }
    }

    async fn fetch(&self, token: Option<PageToken>) -> Result<PreparedPage> {
        let page = retry_malformed(self.page_retry, self.kind, || {
            self.kind.list_page(
                &self.api,
                PageRequest {
                    token: token.clone(),
                    modified_since: self.modified_since,
                },
            )
        })
        .await?;
        Ok(PreparedPage {
            fetched: page.objects.len(),
            objects: prepare(self.kind, self.run, &page.objects),
            tombstones: Vec::new(),
            how: match self.modified_since {
                Some(_) => Provenance::ModifiedSince,
                None => Provenance::FullPage,
            },
            next: page.next,
            provider_time: page.provider_time,
            total_hint: page.total_hint,
        })
    }
}

/// Calls `read` again while the provider's answer comes back garbled; other
/// failures were already retried by the HTTP layer and are returned as they are.
pub(super) async fn retry_malformed<F, Fut>(
    policy: RetryPolicy,
    kind: &dyn ObjectKind,
    mut read: F,
) -> Result<Page>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Page>>,
{
    let mut delays = policy.backoff();
    loop {
        match read().await {
            Err(e) if e.kind() == ErrorKind::Malformed => match delays.next() {
                Some(delay) => {
                    tracing::warn!(kind = kind.name(), error = %e, ?delay, "answer garbled; asking again");
                    tokio::time::sleep(delay).await;
                }
                None => return Err(e),
            },
            other => return other,
        }
    }
}

/// Parses provider objects into records; one that does not parse is
/// quarantined with the reason, and the others go on.
pub(super) fn prepare(kind: &dyn ObjectKind, run: RunId, objects: &[Box<RawValue>]) -> Prepared {
    let mut records: Vec<ParsedObject> = Vec::with_capacity(objects.len());
    let mut at = HashMap::with_capacity(objects.len());
    let mut quarantined = Vec::new();
    for raw in objects {
        match kind.parse(raw) {
            Ok(record) => {
                // One upsert statement cannot touch a row twice: the last copy wins.
                match at.entry(record.external_id.clone()) {
                    Entry::Occupied(i) => records[*i.get()] = record,
                    Entry::Vacant(slot) => {
                        slot.insert(records.len());
                        records.push(record);
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "quarantined");
                quarantined.push(QuarantineEntry {
                    kind: kind.name().to_owned(),
                    external_id: e.external_id.clone(),
                    error: e.to_string(),
                    payload: raw.get().to_owned(),
                    run_id: run,
                    created_at: chrono::Utc::now(),
                });
            }
        }
    }
    Prepared {
        records,
        quarantined,
    }
}
