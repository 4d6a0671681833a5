//! Settling a conflict: a person decides which side wins. `Local` rebases
//! the edit on the provider's current version and sends it again with the
//! next export; `Remote` drops the edit and takes the provider's object.

use serde_json::Value;

use crate::pending::{ChangeOp, Pending, PendingState, StagedChange};
use crate::store::{ConnectionId, Store};
use crate::{Error, ErrorKind, Result};

use super::patch;
use crate::store::Provenance;

/// Which side of a conflict wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// The local edit, re-based on the provider's version.
    Local,
    /// The provider's object; the local edit is dropped.
    Remote,
}

/// Settles the conflict of record `id` of `connection`.
pub async fn resolve(
    store: &dyn Store,
    connection: ConnectionId,
    id: i64,
    keep: Keep,
) -> Result<()> {
    let record = store
        .records_by_id(connection, &[id])
        .await?
        .pop()
        .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("record {id}: no such record")))?;
    let subject = format!("{} {id}", record.kind);
    let pending = match &record.pending {
        Some(p) if p.state == PendingState::Conflict => p.clone(),
        _ => {
            return Err(Error::invalid(format!(
                "{subject}: is not in conflict (see `tether conflicts`)"
            )));
        }
    };
    let (data, rebased, op) = match (keep, &record.remote_data) {
        (Keep::Remote, Some(remote)) => (remote.clone(), None, "keep_remote"),
        // The provider deleted it: nothing to take; the next full sync
        // confirms the deletion and marks the record deleted.
        (Keep::Remote, None) => (record.data.clone(), None, "keep_remote"),
        (Keep::Local, None) => {
            return Err(Error::invalid(format!(
                "{subject}: the provider deleted this object; keeping the local copy would create a \
                 new one: create it with `tether put` and resolve this conflict with --keep remote"
            )));
        }
        (Keep::Local, Some(remote)) => {
            let data = match pending.op {
                ChangeOp::Update => patch::apply(remote, &pending.patch),
                _ => remote.clone(),
            };
            let rebased = Pending {
                state: PendingState::Ready,
                base_version: record.remote_version.clone(),
                error: None,
                ..pending.clone()
            };
            (data, Some(rebased), "keep_local")
        }
    };
    store
        .stage(&StagedChange {
            connection,
            kind: &record.kind,
            record: Some((record.id, record.revision)),
            data: &data,
            pending: rebased.as_ref(),
            source: Provenance::Resolve,
            op,
            input: &Value::String(op.to_owned()),
        })
        .await
        .map(|_| ())
}
