//! Local edits, as an application embedding Tether (or `tether put`, `edit`,
//! `delete`) makes them: each is checked against the kind's rules and typed
//! schema, then made durable at once, the record and its change-log row in
//! one transaction, bumping `local_updated_at` and remembering the provider
//! version it was based on. Nothing reaches the provider until export.

mod check;
mod name;
mod patch;
mod refs;
mod resolve;
mod rules;

use serde_json::Value;

use crate::pending::{ChangeOp, Pending, PendingState, RecordKey, StagedChange};
use crate::store::{ConnectionId, Store, StoredRecord};
use crate::{Error, ErrorKind, ObjectKind, ObjectWriter, Result, WriteCapabilities};

use crate::store::Provenance;
pub use check::check_typed;
pub use name::record_key;
pub(crate) use patch::{apply as apply_patch, diff as diff_objects};
pub use refs::LOCAL_REF;
pub(crate) use refs::{find as find_refs, rewrite as rewrite_refs};
pub use resolve::{Keep, resolve};
use rules::Subject;

/// What an application asks of a record.
#[derive(Debug, Clone)]
pub enum LocalEdit {
    /// A new object, in the provider's shape, with `"local:<id>"` where a
    /// provider id of another local record will stand.
    Create(Value),
    /// A JSON merge patch (RFC 7396) to a record.
    Update(RecordKey, Value),
    /// Deleting a record, the way the provider deletes its kind.
    Delete(RecordKey),
    /// Voiding a record the provider has, for kinds it voids.
    Void(RecordKey),
}

/// How many times an edit is recomputed when the record moved on meanwhile.
const ATTEMPTS: usize = 3;

/// Accepts a local edit of `kind` for `connection`: refused with an error
/// naming the object, field and rule when it breaks one (nothing is
/// stored), else durable before this returns. Returns the record's local id.
pub async fn stage(
    store: &dyn Store,
    connection: ConnectionId,
    kind: &dyn ObjectKind,
    edit: LocalEdit,
) -> Result<i64> {
    let (caps, writer) = writable(kind)?;
    let mut last = None;
    for _ in 0..ATTEMPTS {
        let attempt = match &edit {
            LocalEdit::Create(object) => {
                return create(store, connection, kind, &caps, writer, object).await;
            }
            LocalEdit::Update(key, change) => {
                update(store, connection, kind, &caps, writer, key, change).await
            }
            LocalEdit::Delete(key) => {
                retire(store, connection, kind, &caps, key, ChangeOp::Delete).await
            }
            LocalEdit::Void(_) if !writer.can_void() => {
                return Err(Error::invalid(format!(
                    "{}: the provider does not void them; delete instead",
                    kind.name()
                )));
            }
            LocalEdit::Void(key) => {
                retire(store, connection, kind, &caps, key, ChangeOp::Void).await
            }
        };
        match attempt {
            Err(e) if e.kind() == ErrorKind::Conflict => last = Some(e),
            other => return other,
        }
    }
    Err(last.unwrap_or_else(|| Error::new(ErrorKind::Conflict, "the record kept changing")))
}

/// The kind's write rules and hooks, or why it cannot be written.
fn writable(kind: &dyn ObjectKind) -> Result<(WriteCapabilities, &dyn ObjectWriter)> {
    let caps = kind.capabilities().write.ok_or_else(|| {
        Error::invalid(format!(
            "{}: the provider does not allow writing this kind",
            kind.name()
        ))
    })?;
    let writer = kind.writer().ok_or_else(|| {
        Error::config(format!(
            "{}: declares writes but has no writer",
            kind.name()
        ))
    })?;
    Ok((caps, writer))
}

async fn create(
    store: &dyn Store,
    connection: ConnectionId,
    kind: &dyn ObjectKind,
    caps: &WriteCapabilities,
    writer: &dyn ObjectWriter,
    object: &Value,
) -> Result<i64> {
    let subject = Subject {
        kind: kind.name(),
        key: "(new)".to_owned(),
    };
    if !object.is_object() {
        return Err(Error::invalid(format!("{subject}: expected a JSON object")));
    }
    rules::check_create(&subject, caps, object)?;
    check_refs(store, connection, &subject, object).await?;
    check_schema(&subject, writer, object)?;
    let pending = Pending {
        op: ChangeOp::Create,
        patch: object.clone(),
        state: PendingState::Ready,
        base_version: None,
        error: None,
        attempt: 0,
        idempotency_key: None,
    };
    store
        .stage(&StagedChange {
            connection,
            kind: kind.name(),
            record: None,
            data: object,
            pending: Some(&pending),
            source: Provenance::Local,
            op: "create",
            input: object,
        })
        .await
}

async fn update(
    store: &dyn Store,
    connection: ConnectionId,
    kind: &dyn ObjectKind,
    caps: &WriteCapabilities,
    writer: &dyn ObjectWriter,
    key: &RecordKey,
    change: &Value,
) -> Result<i64> {
    let record = load(store, connection, kind, key).await?;
    let subject = subject(kind, &record);
    if !change.is_object() {
        return Err(Error::invalid(format!(
            "{subject}: expected a JSON merge patch (an object)"
        )));
    }
    refuse_if_gone(&subject, &record)?;
    rules::check_update(
        &subject,
        caps,
        &record.data,
        record.external_id.is_some(),
        change,
    )?;
    check_refs(store, connection, &subject, change).await?;
    let data = patch::apply(&record.data, change);
    check_schema(&subject, writer, &data)?;
    let pending = match &record.pending {
        Some(p) if p.op == ChangeOp::Create => Pending {
            patch: data.clone(),
            state: after_edit(p.state),
            ..p.clone()
        },
        Some(p) => Pending {
            op: ChangeOp::Update,
            patch: patch::compose(&p.patch, change),
            state: after_edit(p.state),
            error: None,
            ..p.clone()
        },
        None => Pending {
            op: ChangeOp::Update,
            patch: change.clone(),
            state: PendingState::Ready,
            base_version: record.remote_version.clone(),
            error: None,
            attempt: 0,
            idempotency_key: None,
        },
    };
    store
        .stage(&StagedChange {
            connection,
            kind: kind.name(),
            record: Some((record.id, record.revision)),
            data: &data,
            pending: Some(&pending),
            source: Provenance::Local,
            op: "update",
            input: change,
        })
        .await
}

/// Stages a delete or a void (`op`): the record leaves or is zeroed at the
/// provider, and takes no other edit until exported.
async fn retire(
    store: &dyn Store,
    connection: ConnectionId,
    kind: &dyn ObjectKind,
    caps: &WriteCapabilities,
    key: &RecordKey,
    op: ChangeOp,
) -> Result<i64> {
    let record = load(store, connection, kind, key).await?;
    let subject = subject(kind, &record);
    refuse_if_gone(&subject, &record)?;
    match (op, &record.external_id) {
        (ChangeOp::Void, None) => {
            return Err(Error::invalid(format!(
                "{subject}: not at the provider yet, so there is nothing to void; delete it instead"
            )));
        }
        (ChangeOp::Delete, Some(_)) => {
            rules::delete_fields(&subject, caps, &record.data)?;
        }
        _ => {}
    }
    let pending = match &record.pending {
        Some(p) => Pending {
            op,
            patch: Value::Null,
            state: after_edit(p.state),
            error: None,
            ..p.clone()
        },
        None => Pending {
            op,
            patch: Value::Null,
            state: PendingState::Ready,
            base_version: record.remote_version.clone(),
            error: None,
            attempt: 0,
            idempotency_key: None,
        },
    };
    store
        .stage(&StagedChange {
            connection,
            kind: kind.name(),
            record: Some((record.id, record.revision)),
            data: &record.data,
            pending: Some(&pending),
            source: Provenance::Local,
            op: op.as_str(),
            input: &Value::Null,
        })
        .await
}

/// The object reads as the kind's typed schema; the error names the field.
fn check_schema(subject: &Subject<'_>, writer: &dyn ObjectWriter, object: &Value) -> Result<()> {
    writer
        .check(object)
        .map_err(|e| Error::invalid(format!("{subject}: field `{}`: {}", e.field, e.problem)))
}

/// An edit makes a refused change ready to send again; a conflict waits
/// for a person, and an uncertain send still has to be looked for first.
fn after_edit(state: PendingState) -> PendingState {
    match state {
        PendingState::Refused => PendingState::Ready,
        other => other,
    }
}

async fn load(
    store: &dyn Store,
    connection: ConnectionId,
    kind: &dyn ObjectKind,
    key: &RecordKey,
) -> Result<StoredRecord> {
    store
        .record(connection, kind.name(), key)
        .await?
        .ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("{} {key}: no such record", kind.name()),
            )
        })
}

fn subject<'a>(kind: &'a dyn ObjectKind, record: &StoredRecord) -> Subject<'a> {
    let key = match &record.external_id {
        Some(external) => format!("{} ({external})", record.id),
        None => format!("{} (not exported yet)", record.id),
    };
    Subject {
        kind: kind.name(),
        key,
    }
}

fn refuse_if_gone(subject: &Subject<'_>, record: &StoredRecord) -> Result<()> {
    if record
        .pending
        .as_ref()
        .is_some_and(|p| matches!(p.op, ChangeOp::Delete | ChangeOp::Void))
    {
        return Err(Error::invalid(format!(
            "{subject}: is being deleted or voided; it cannot be edited"
        )));
    }
    // A status deletion (voided, deleted) is the status rules' to judge.
    let status = record.deletion_source.as_deref() == Some("status");
    if record.deleted_at.is_some() && record.pending.is_none() && !status {
        return Err(Error::invalid(format!(
            "{subject}: was deleted ({}); it cannot be edited",
            record.deletion_source.as_deref().unwrap_or("deleted")
        )));
    }
    Ok(())
}

/// Every `local:<id>` in `value` names a live record of this connection.
async fn check_refs(
    store: &dyn Store,
    connection: ConnectionId,
    subject: &Subject<'_>,
    value: &Value,
) -> Result<()> {
    let found = refs::find(value);
    if found.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = found.iter().map(|(_, id)| *id).collect();
    let records = store.records_by_id(connection, &ids).await?;
    for (path, id) in &found {
        let live = records
            .iter()
            .any(|r| r.id == *id && r.deleted_at.is_none());
        if !live {
            return Err(Error::invalid(format!(
                "{subject}: field `{path}` references {LOCAL_REF}{id}, which is not a live record of this connection"
            )));
        }
    }
    Ok(())
}
