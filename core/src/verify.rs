//! The proof that the store is in step: every record of a kind compared
//! with the provider's full listing (ids, versions, content, deletion), at
//! list cost, changing nothing. Usable in production after any resync.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde::Serialize;
use serde_json::Value;

use crate::http::Api;
use crate::store::{ConnectionId, RecordQuery, Store};
use crate::{ObjectKind, PageRequest, Result};

/// Ids listed per kind of drift; the counts are complete.
const SAMPLE: usize = 10;

/// How far a kind's records have drifted from the provider's objects.
#[derive(Debug, Default, Serialize)]
pub struct Drift {
    /// The kind.
    pub kind: &'static str,
    /// Provider objects compared.
    pub compared: u64,
    /// At the provider, but missing here.
    pub missing: Sample,
    /// Live here, but not listed by the provider.
    pub extra: Sample,
    /// A different version or content.
    pub changed: Sample,
    /// Deleted at the provider but live here, or deleted here while the
    /// provider lists it live.
    pub deletion: Sample,
    /// Records with a local edit not yet exported: compared with nothing.
    pub pending: u64,
    /// API calls the comparison took.
    pub api_calls: u64,
}

impl Drift {
    /// Whether anything differs.
    pub fn any(&self) -> bool {
        self.missing.count + self.extra.count + self.changed.count + self.deletion.count > 0
    }
}

/// A count and the first few ids it counts.
#[derive(Debug, Default, Serialize)]
pub struct Sample {
    /// How many.
    pub count: u64,
    /// The first of them.
    pub ids: Vec<String>,
}

impl Sample {
    fn add(&mut self, id: &str) {
        self.count += 1;
        if self.ids.len() < SAMPLE {
            self.ids.push(id.to_owned());
        }
    }
}

/// What is kept of a stored record while the listing is read.
struct Stored {
    version: Option<String>,
    digest: u64,
    deleted: bool,
    pending: bool,
    seen: bool,
}

/// Compares `kind`'s records of `connection` with the provider's listing.
pub async fn verify_kind(
    store: &dyn Store,
    api: &Api,
    connection: ConnectionId,
    kind: &'static dyn ObjectKind,
) -> Result<Drift> {
    let calls_before = api.stats().calls();
    let mut drift = Drift {
        kind: kind.name(),
        ..Drift::default()
    };
    let mut ours = stored(store, connection, kind, &mut drift).await?;
    let mut token = None;
    loop {
        let page = kind
            .list_page(
                api,
                PageRequest {
                    token: token.take(),
                    modified_since: None,
                },
            )
            .await?;
        for raw in &page.objects {
            let Ok(object) = kind.parse(raw) else {
                continue;
            };
            drift.compared += 1;
            let id = object.external_id.as_str();
            let Some(record) = ours.get_mut(id) else {
                drift.missing.add(id);
                continue;
            };
            record.seen = true;
            if record.pending {
                continue;
            }
            if record.deleted != object.deleted {
                drift.deletion.add(id);
                continue;
            }
            let content = serde_json::from_str::<Value>(&object.data).map(|v| digest(&v));
            if record.version != object.version || content.ok() != Some(record.digest) {
                drift.changed.add(id);
            }
        }
        match page.next {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    for (id, record) in &ours {
        if !record.seen && !record.deleted && !record.pending {
            drift.extra.add(id);
        }
    }
    drift.api_calls = api.stats().calls() - calls_before;
    Ok(drift)
}

/// The kind's records with an external id, digested.
async fn stored(
    store: &dyn Store,
    connection: ConnectionId,
    kind: &dyn ObjectKind,
    drift: &mut Drift,
) -> Result<HashMap<String, Stored>> {
    let mut ours = HashMap::new();
    let mut after_id = 0;
    loop {
        let batch = store
            .records(&RecordQuery {
                connection,
                kind: kind.name().to_owned(),
                after_id,
                limit: 5000,
                include_deleted: true,
            })
            .await?;
        let Some(last) = batch.last() else {
            return Ok(ours);
        };
        after_id = last.id;
        for record in batch {
            let pending = record.pending.is_some();
            if pending {
                drift.pending += 1;
            }
            let Some(id) = record.external_id else {
                continue;
            };
            ours.insert(
                id,
                Stored {
                    version: record.remote_version,
                    digest: digest(&record.data),
                    deleted: record.deleted_at.is_some(),
                    pending,
                    seen: false,
                },
            );
        }
    }
}

/// A digest of a JSON value, the same for equal values.
fn digest(value: &Value) -> u64 {
    let mut h = DefaultHasher::new();
    value.to_string().hash(&mut h);
    h.finish()
}
