//! Local edits waiting for export: what an application asks of a record,
//! and where its way to the provider stands. The provider's version is
//! opaque here (Xero: `UpdatedDateUTC`; QuickBooks: a `SyncToken`).

use serde::Serialize;
use serde_json::Value;

use crate::store::ConnectionId;
use crate::store::Provenance;

/// What a local edit does to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    /// A new object, unknown to the provider until exported.
    Create,
    /// A change to an object (a JSON merge patch).
    Update,
    /// A deletion, done the way the provider deletes this kind.
    Delete,
    /// A void: the object stays at the provider with its amounts zeroed
    /// (a provider's `operation=void`), for kinds whose writer voids.
    Void,
}

impl ChangeOp {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOp::Create => "create",
            ChangeOp::Update => "update",
            ChangeOp::Delete => "delete",
            ChangeOp::Void => "void",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "create" => ChangeOp::Create,
            "update" => ChangeOp::Update,
            "delete" => ChangeOp::Delete,
            "void" => ChangeOp::Void,
            _ => return None,
        })
    }
}

/// Where a pending edit's export stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingState {
    /// Waiting for the next export.
    Ready,
    /// Sent (or about to be) with no answer recorded: whether the provider
    /// applied it is unknown, so the next export looks for it before
    /// sending it again.
    Uncertain,
    /// The provider refused it; the error says why. An edit makes it ready.
    Refused,
    /// The provider changed or deleted the object after the version the
    /// edit was based on; nothing is sent until a person resolves it.
    Conflict,
}

impl PendingState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PendingState::Ready => "ready",
            PendingState::Uncertain => "uncertain",
            PendingState::Refused => "refused",
            PendingState::Conflict => "conflict",
        }
    }

    /// Reads a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "ready" => PendingState::Ready,
            "uncertain" => PendingState::Uncertain,
            "refused" => PendingState::Refused,
            "conflict" => PendingState::Conflict,
            _ => return None,
        })
    }
}

/// A record's local edit that has not reached the provider yet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pending {
    /// What it does.
    pub op: ChangeOp,
    /// The whole object for a create; the accumulated JSON merge patch for
    /// an update; nothing for a delete.
    pub patch: Value,
    /// Where its export stands.
    pub state: PendingState,
    /// The provider version the edit was based on (`None` for a create).
    pub base_version: Option<String>,
    /// Why it was refused or is in conflict.
    pub error: Option<String>,
    /// Sends whose answer never came.
    pub attempt: i64,
    /// The idempotency key of the send in flight.
    pub idempotency_key: Option<String>,
}

/// How an application names a record: by our local id, or by the
/// provider's id once it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordKey {
    /// Our local id.
    Local(i64),
    /// The provider's id.
    External(String),
}

impl std::fmt::Display for RecordKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordKey::Local(id) => write!(f, "{id}"),
            RecordKey::External(id) => f.write_str(id),
        }
    }
}

/// A local edit, validated, as the store writes it: the record and a row
/// of the change log, in one transaction.
#[derive(Debug)]
pub struct StagedChange<'a> {
    /// The connection.
    pub connection: ConnectionId,
    /// The kind.
    pub kind: &'a str,
    /// The record it changes, with the revision it was computed against
    /// (the store refuses it with `Conflict` if the record moved on);
    /// `None` for a create.
    pub record: Option<(i64, i64)>,
    /// The record's local view after the edit.
    pub data: &'a Value,
    /// The pending edit after this one (accumulated); `None` when nothing is
    /// left to export (a conflict settled in the provider's favour).
    pub pending: Option<&'a Pending>,
    /// Who made it ([`Provenance::Local`], [`Provenance::Resolve`]).
    pub source: Provenance,
    /// For the change log: `create`, `update`, `delete`, `keep_local`, `keep_remote`.
    pub op: &'a str,
    /// What the application sent, for the change log.
    pub input: &'a Value,
}
