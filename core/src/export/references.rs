//! A pending edit's `local:<id>` references to other local records: each
//! is rewritten to the provider id of the record it names, and an edit
//! whose reference has none yet (its create not exported, or refused)
//! waits, saying which record it waits for.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::Result;
use crate::local::{LOCAL_REF, find_refs, rewrite_refs};
use crate::store::StoredRecord;

use super::Exporter;
use super::plan::pending_error;

/// A referenced local record, as export needs it.
struct Reference {
    kind: String,
    external_id: Option<String>,
    why: Option<String>,
}

/// The local records a page of pending edits references, by local id.
pub(super) struct References(HashMap<i64, Reference>);

impl Exporter<'_> {
    /// The provider ids of the local records `records` reference.
    pub(super) async fn references(&self, records: &[StoredRecord]) -> Result<References> {
        let ids: Vec<i64> = records
            .iter()
            .filter_map(|r| r.pending.as_ref())
            .flat_map(|p| find_refs(&p.patch))
            .map(|(_, id)| id)
            .collect();
        if ids.is_empty() {
            return Ok(References(HashMap::new()));
        }
        let found = self.store.records_by_id(self.connection, &ids).await?;
        Ok(References(
            found
                .into_iter()
                .map(|r| {
                    let reference = Reference {
                        kind: r.kind.clone(),
                        external_id: r.external_id.clone(),
                        why: pending_error(&r),
                    };
                    (r.id, reference)
                })
                .collect(),
        ))
    }
}

impl References {
    /// For a dry run: a record an earlier kind of the same export would
    /// create has a provider id by the time this kind is sent.
    pub(super) fn assume_created(&mut self, would_create: &HashSet<i64>) {
        for (id, reference) in self.0.iter_mut() {
            if reference.external_id.is_none() && would_create.contains(id) {
                reference.external_id =
                    Some(format!("(created by this export from {LOCAL_REF}{id})"));
            }
        }
    }

    /// `patch` with its `local:<id>` references replaced by provider ids,
    /// or why one cannot be yet.
    pub(super) fn resolve(&self, patch: &Value) -> std::result::Result<Value, String> {
        let mut ids = HashMap::new();
        for (path, id) in find_refs(patch) {
            match self.0.get(&id) {
                Some(Reference {
                    external_id: Some(external),
                    ..
                }) => {
                    ids.insert(id, external.clone());
                }
                Some(Reference { kind, why, .. }) => {
                    return Err(format!(
                        "field `{path}` waits for {LOCAL_REF}{id} ({kind}) to be exported{}",
                        why.as_ref().map(|w| format!(": {w}")).unwrap_or_default()
                    ));
                }
                None => {
                    return Err(format!(
                        "field `{path}` references {LOCAL_REF}{id}, which no longer exists"
                    ));
                }
            }
        }
        Ok(rewrite_refs(patch, &ids))
    }
}
