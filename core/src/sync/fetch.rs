//! The fetching half of the pull: lists pages and parses their objects ahead
//! of the commits, so the network, JSON parsing and the database overlap.

use tokio::sync::mpsc;

use crate::http::{Api, RetryPolicy};
use crate::store::{QuarantineEntry, RecordUpsert, RunId};
use crate::{ErrorKind, ObjectKind, PageRequest, PageToken, Result, Timestamp};

/// A page made ready for the store.
pub(super) struct PreparedPage {
    pub records: Vec<RecordUpsert>,
    pub quarantined: Vec<QuarantineEntry>,
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
        let mut delays = self.page_retry.backoff();
        let page = loop {
            let request = PageRequest {
                token: token.clone(),
                modified_since: None,
            };
            match self.kind.list_page(&self.api, request).await {
                Ok(page) => break page,
                Err(e) if e.kind() == ErrorKind::Malformed => match delays.next() {
                    Some(delay) => {
                        tracing::warn!(kind = self.kind.name(), error = %e, ?delay, "page failed; retrying");
                        tokio::time::sleep(delay).await;
                    }
                    None => return Err(e),
                },
                Err(e) => return Err(e),
            }
        };
        let fetched = page.objects.len();
        let mut records: Vec<RecordUpsert> = Vec::with_capacity(fetched);
        let mut ids = std::collections::HashMap::with_capacity(fetched);
        let mut quarantined = Vec::new();
        for raw in &page.objects {
            match self.kind.parse(raw) {
                Ok(object) => {
                    let record = RecordUpsert {
                        external_id: object.external_id,
                        remote_updated_at: object.remote_updated_at,
                        deleted: object.deleted,
                        data: object.data,
                    };
                    // One upsert statement cannot touch a row twice: the last copy wins.
                    match ids.entry(record.external_id.clone()) {
                        std::collections::hash_map::Entry::Occupied(at) => {
                            records[*at.get()] = record
                        }
                        std::collections::hash_map::Entry::Vacant(slot) => {
                            slot.insert(records.len());
                            records.push(record);
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "quarantined");
                    quarantined.push(QuarantineEntry {
                        kind: self.kind.name().to_owned(),
                        external_id: e.external_id.clone(),
                        error: e.to_string(),
                        payload: raw.get().to_owned(),
                        run_id: self.run,
                        created_at: chrono::Utc::now(),
                    });
                }
            }
        }
        Ok(PreparedPage {
            records,
            quarantined,
            fetched,
            next: page.next,
            provider_time: page.provider_time,
            total_hint: page.total_hint,
        })
    }
}
