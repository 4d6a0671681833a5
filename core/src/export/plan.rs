//! Deciding what to do with each pending record: rewrite its `local:<id>`
//! references, look for uncertain creates at the provider, compare updates
//! and deletes with the provider's current versions, and say what will be
//! sent. Reads only; a dry run stops here.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::local::{apply_patch, diff_objects};
use crate::pending::{ChangeOp, Pending, PendingState};
use crate::store::StoredRecord;
use crate::{ObjectKind, ParsedObject, RemoteDelete, Result, WriteRequest};

use super::Exporter;

/// What export does (or, in a dry run, would do) with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Create it at the provider.
    Create,
    /// Send its change.
    Update,
    /// Delete it the way the provider deletes its kind.
    Delete,
    /// Void it: it stays at the provider, its amounts zeroed.
    Void,
    /// Link it to the object the provider already made from it (a create
    /// whose answer was lost).
    Link,
    /// Nothing: the provider changed or deleted it after the local edit.
    Conflict,
    /// Nothing: refused (by the provider, or waiting on a reference).
    Refused,
    /// Nothing: an earlier conflict waits for `tether resolve`.
    Unresolved,
}

/// One record's planned action (and, after a real run, its outcome).
#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    /// The record's local id.
    pub record: i64,
    /// The provider's id, when it has one.
    pub external_id: Option<String>,
    /// What is (or would be) done.
    pub action: Action,
    /// Why, for conflicts and refusals.
    pub message: Option<String>,
}

/// A record to send.
pub(super) struct Send {
    pub record: StoredRecord,
    pub action: Action,
    /// What the provider is sent.
    pub request: WriteRequest,
}

/// An outcome known without writing.
pub(super) enum Known {
    /// Found at the provider: link it (and keep `rest` pending).
    Link(ParsedObject, Option<Pending>),
    /// Deleted at the provider already (or never sent): done.
    Deleted(Option<ParsedObject>),
    /// The provider moved on.
    Conflict(Option<ParsedObject>, String),
    /// Refused before sending.
    Refused(String),
}

/// The plan for a page of pending records.
#[derive(Default)]
pub(super) struct Plan {
    /// Creates, updates and status deletes, sent in batches.
    pub writes: Vec<Send>,
    /// Outright deletes, one call each.
    pub deletes: Vec<Send>,
    /// Outcomes known already.
    pub known: Vec<(StoredRecord, Known)>,
    /// Earlier conflicts left alone.
    pub unresolved: Vec<StoredRecord>,
}

impl Plan {
    /// Every record's planned action, in local-id order.
    pub fn items(&self) -> Vec<Planned> {
        let mut items: Vec<Planned> = self
            .writes
            .iter()
            .chain(&self.deletes)
            .map(|s| planned(&s.record, s.action, None))
            .chain(self.known.iter().map(|(r, k)| {
                let (action, message) = match k {
                    Known::Link(..) => (Action::Link, None),
                    Known::Deleted(_) => (Action::Delete, None),
                    Known::Conflict(_, m) => (Action::Conflict, Some(m.clone())),
                    Known::Refused(m) => (Action::Refused, Some(m.clone())),
                };
                planned(r, action, message)
            }))
            .chain(
                self.unresolved
                    .iter()
                    .map(|r| planned(r, Action::Unresolved, pending_error(r))),
            )
            .collect();
        items.sort_by_key(|p| p.record);
        items
    }
}

fn planned(record: &StoredRecord, action: Action, message: Option<String>) -> Planned {
    Planned {
        record: record.id,
        external_id: record.external_id.clone(),
        action,
        message,
    }
}

/// Why a pending record was not exported, as its last export said.
pub(super) fn pending_error(record: &StoredRecord) -> Option<String> {
    record.pending.as_ref().and_then(|p| p.error.clone())
}

impl Exporter<'_> {
    /// Decides what to do with each of `records` (all pending, of `kind`).
    pub(super) async fn plan(
        &self,
        kind: &'static dyn ObjectKind,
        records: Vec<StoredRecord>,
    ) -> Result<Plan> {
        let mut plan = Plan::default();
        let mut references = self.references(&records).await?;
        if self.options.dry_run {
            let would_create = self.would_create.lock().unwrap_or_else(|e| e.into_inner());
            references.assume_created(&would_create);
        }
        let mut to_compare = Vec::new();
        for record in records {
            let Some(pending) = record.pending.clone() else {
                continue;
            };
            if pending.state == PendingState::Conflict {
                plan.unresolved.push(record);
                continue;
            }
            let body = match references.resolve(&pending.patch) {
                Ok(body) => body,
                Err(message) => {
                    plan.known.push((record, Known::Refused(message)));
                    continue;
                }
            };
            match (pending.op, &record.external_id) {
                (ChangeOp::Create, _) if pending.state == PendingState::Uncertain => {
                    match self.find_created(kind, &record, &body).await? {
                        Some(found) => {
                            let rest = rest_after_create(&record, &body, &found);
                            plan.known.push((record, Known::Link(found, rest)));
                        }
                        None => plan.writes.push(create(record, body)),
                    }
                }
                (ChangeOp::Create, _) => plan.writes.push(create(record, body)),
                (ChangeOp::Delete, None) => {
                    // Never reached the provider: nothing to delete there.
                    match self.find_created(kind, &record, &record.data).await? {
                        Some(found) => plan.known.push((
                            record,
                            Known::Link(found.clone(), Some(delete_after_link(&pending, &found))),
                        )),
                        None => plan.known.push((record, Known::Deleted(None))),
                    }
                }
                (_, None) => plan.known.push((
                    record,
                    Known::Refused("an update of a record the provider does not have".into()),
                )),
                (_, Some(_)) => to_compare.push((record, body)),
            }
        }
        self.compare(kind, to_compare, &mut plan).await?;
        if self.options.dry_run {
            let mut would_create = self.would_create.lock().unwrap_or_else(|e| e.into_inner());
            would_create.extend(
                plan.writes
                    .iter()
                    .filter(|s| s.action == Action::Create)
                    .map(|s| s.record.id),
            );
            would_create.extend(plan.known.iter().filter_map(|(r, k)| match k {
                Known::Link(..) => Some(r.id),
                _ => None,
            }));
        }
        Ok(plan)
    }

    /// Updates and deletes of objects the provider has: compared with its
    /// current versions, read in batches by id.
    async fn compare(
        &self,
        kind: &'static dyn ObjectKind,
        records: Vec<(StoredRecord, Value)>,
        plan: &mut Plan,
    ) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let current = self.current_versions(kind, &records).await?;
        let caps = kind.capabilities().write;
        for (record, body) in records {
            let Some(pending) = record.pending.clone() else {
                continue;
            };
            let external = record.external_id.clone().unwrap_or_default();
            let remote = current.get(&external).cloned();
            let delete = pending.op == ChangeOp::Delete;
            let void = pending.op == ChangeOp::Void;
            let hard = caps.is_some_and(|c| c.delete == RemoteDelete::Hard);
            let Some(remote) = remote else {
                if delete && hard {
                    plan.known.push((record, Known::Deleted(None)));
                } else {
                    plan.known.push((
                        record,
                        Known::Conflict(None, "the provider no longer has this object".into()),
                    ));
                }
                continue;
            };
            let moved_on = remote.version != pending.base_version;
            if pending.state == PendingState::Uncertain && moved_on {
                // Our own lost answer, or someone else's edit? (A void
                // cannot be told from another edit: a person decides.)
                if void {
                    plan.known
                        .push((record, Known::Conflict(Some(remote), changed(&pending))));
                } else if delete && remote.deleted {
                    plan.known.push((record, Known::Deleted(Some(remote))));
                } else if !delete && applied(&body, &remote) {
                    plan.known.push((record, Known::Link(remote, None)));
                } else {
                    plan.known
                        .push((record, Known::Conflict(Some(remote), changed(&pending))));
                }
                continue;
            }
            if moved_on {
                plan.known
                    .push((record, Known::Conflict(Some(remote), changed(&pending))));
                continue;
            }
            let send = |action, body| Send {
                request: WriteRequest {
                    external_id: Some(external.clone()),
                    version: remote.version.clone(),
                    body,
                },
                action,
                record: record.clone(),
            };
            if void {
                plan.deletes.push(send(Action::Void, Value::Null));
                continue;
            }
            match (delete, hard) {
                (false, _) => plan.writes.push(send(Action::Update, body)),
                (true, true) => plan.deletes.push(send(Action::Delete, Value::Null)),
                (true, false) => match delete_body(kind, &remote) {
                    Some(body) => plan.writes.push(send(Action::Delete, body)),
                    None => plan.known.push((
                        record,
                        Known::Refused(format!(
                            "cannot be deleted in its status at the provider ({})",
                            remote.data
                        )),
                    )),
                },
            }
        }
        Ok(())
    }

    /// The provider's current objects for these records, by provider id.
    async fn current_versions(
        &self,
        kind: &'static dyn ObjectKind,
        records: &[(StoredRecord, Value)],
    ) -> Result<HashMap<String, ParsedObject>> {
        let ids: Vec<String> = records
            .iter()
            .filter_map(|(r, _)| r.external_id.clone())
            .collect();
        let per_call = kind.capabilities().read_by_ids.unwrap_or(1).max(1);
        let mut current = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(per_call) {
            let page = kind.read_by_ids(&self.api, chunk).await?;
            for raw in &page.objects {
                match kind.parse(raw) {
                    Ok(object) => {
                        current.insert(object.external_id.clone(), object);
                    }
                    Err(e) => tracing::warn!(error = %e, "a current version could not be read"),
                }
            }
        }
        Ok(current)
    }

    /// The object an uncertain create may have made, if the provider has it
    /// and no other record is linked to it.
    async fn find_created(
        &self,
        kind: &'static dyn ObjectKind,
        record: &StoredRecord,
        body: &Value,
    ) -> Result<Option<ParsedObject>> {
        if record.pending.as_ref().map(|p| p.state) != Some(PendingState::Uncertain) {
            return Ok(None);
        }
        let Some(writer) = kind.writer() else {
            return Ok(None);
        };
        for raw in writer.find_created(&self.api, body).await? {
            let Ok(object) = kind.parse(&raw) else {
                continue;
            };
            let key = crate::pending::RecordKey::External(object.external_id.clone());
            let holder = self
                .store
                .record(self.connection, kind.name(), &key)
                .await?;
            // A copy a sync pulled meanwhile is ours; one another local
            // record created or edits is not.
            let taken = holder.is_some_and(|h| {
                h.id != record.id && (h.exported_at.is_some() || h.pending.is_some())
            });
            if !taken {
                return Ok(Some(object));
            }
        }
        Ok(None)
    }
}

fn create(record: StoredRecord, body: Value) -> Send {
    Send {
        record,
        action: Action::Create,
        request: WriteRequest {
            external_id: None,
            version: None,
            body,
        },
    }
}

/// What is left to send after linking a create: the local changes made
/// since it was sent (none, usually).
fn rest_after_create(record: &StoredRecord, sent: &Value, found: &ParsedObject) -> Option<Pending> {
    let changes = diff_objects(sent, &record.data);
    if changes.as_object().is_none_or(|m| m.is_empty()) {
        return None;
    }
    Some(Pending {
        op: ChangeOp::Update,
        patch: changes,
        state: PendingState::Ready,
        base_version: found.version.clone(),
        error: None,
        attempt: 0,
        idempotency_key: None,
    })
}

/// A delete still to do on an object just found and linked.
fn delete_after_link(pending: &Pending, found: &ParsedObject) -> Pending {
    Pending {
        op: ChangeOp::Delete,
        patch: Value::Null,
        state: PendingState::Ready,
        base_version: found.version.clone(),
        error: None,
        attempt: pending.attempt,
        idempotency_key: None,
    }
}

/// Whether the provider's object already carries everything `body` sets.
fn applied(body: &Value, remote: &ParsedObject) -> bool {
    let Ok(data) = serde_json::from_str::<Value>(&remote.data) else {
        return false;
    };
    apply_patch(&data, body) == data
}

fn changed(pending: &Pending) -> String {
    format!(
        "changed at the provider after this edit was made (the edit was based on version {})",
        pending.base_version.as_deref().unwrap_or("-")
    )
}

/// The status change that deletes `remote`, as the kind declares it.
fn delete_body(kind: &dyn ObjectKind, remote: &ParsedObject) -> Option<Value> {
    let data: Value = serde_json::from_str(&remote.data).ok()?;
    kind.capabilities()
        .write?
        .delete_fields(&data)
        .ok()
        .flatten()
}
