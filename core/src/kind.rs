//! An object kind: one collection of one provider, its capabilities, and the
//! small hooks the core's loops call.

use async_trait::async_trait;
use serde_json::value::RawValue;

use crate::http::Api;
use crate::{Error, Page, PageRequest, ParseError, ParsedObject, Result};

/// How deletions of a kind reach us (see DESIGN.md, "Deletion detection").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletionStrategy {
    /// The object stays, with a status that means deleted (`ParsedObject::deleted`).
    Status,
    /// A change feed lists deleted ids.
    Tombstone,
    /// The object disappears; only a full id listing reveals it.
    Vanish,
    /// Objects are never deleted.
    Never,
}

impl DeletionStrategy {
    /// The name stored with a record whose deletion was seen this way.
    pub fn as_str(self) -> &'static str {
        match self {
            DeletionStrategy::Status => "status",
            DeletionStrategy::Tombstone => "tombstone",
            DeletionStrategy::Vanish => "vanish",
            DeletionStrategy::Never => "never",
        }
    }

    /// The source recorded when a full listing no longer returns an object
    /// and the provider confirms it is gone: the kind's own strategy, or
    /// `vanish` for a kind that declared it never deletes (it just did).
    pub fn confirmed_absent_source(self) -> &'static str {
        match self {
            DeletionStrategy::Never => DeletionStrategy::Vanish.as_str(),
            other => other.as_str(),
        }
    }
}

/// How a kind's full listing is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// In pages of at most this many objects.
    Paged {
        /// The largest page the provider serves.
        max_page_size: u32,
    },
    /// All at once.
    Unpaged,
}

/// What a provider lets us do with a kind. The core gates behaviour on these
/// instead of calling methods that answer "unsupported".
#[derive(Debug, Clone, Copy)]
pub struct KindCapabilities {
    /// How the full listing is paged.
    pub paging: Paging,
    /// Whether the listing can be narrowed to "changed since" a time.
    pub modified_since: bool,
    /// How deletions show up.
    pub deletion: DeletionStrategy,
    /// The most ids one [`ObjectKind::read_by_ids`] call may carry; `None`
    /// when the provider cannot read the kind by ids. Without it a record
    /// that a full listing missed can never be confirmed deleted.
    pub read_by_ids: Option<usize>,
    /// Whether and how it can be written; `None` for read-only kinds.
    pub write: Option<WriteCapabilities>,
}

/// What export may do with a kind, declared once by the connector: local
/// edits are checked against it before they are accepted, and export sends
/// what it allows.
#[derive(Debug, Clone, Copy)]
pub struct WriteCapabilities {
    /// Objects a single write call may carry.
    pub batch_size: usize,
    /// Whether the provider replays a request carrying the same idempotency key.
    pub idempotency_key: bool,
    /// Fields a new object must carry.
    pub required: &'static [&'static str],
    /// Fields that cannot change once the object exists at the provider
    /// (the provider treats them as identity).
    pub locked_fields: &'static [&'static str],
    /// The field holding the object's status, read by `status_rules` and `delete`.
    pub status_field: Option<&'static str>,
    /// Which edits each status allows; statuses not listed allow any edit.
    pub status_rules: &'static [(&'static str, EditScope)],
    /// How an object is deleted at the provider.
    pub delete: RemoteDelete,
}

/// What may still be edited in a given status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditScope {
    /// Any field.
    Any,
    /// Only these fields.
    Only(&'static [&'static str]),
    /// Any field while every one of `amounts` is zero (nothing paid or
    /// allocated); after that only the fields of `then`.
    AnyWhileZero {
        /// The amounts that must be zero.
        amounts: &'static [&'static str],
        /// What may change once one of them is not.
        then: &'static [&'static str],
    },
    /// Nothing: the object is final.
    Nothing,
}

/// How deleting an object is expressed to the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteDelete {
    /// Set the status field: per current status, the status that deletes
    /// (Xero: a draft invoice becomes `DELETED`, an authorised one `VOIDED`,
    /// a contact `ARCHIVED`). A status not listed cannot be deleted.
    Status(&'static [(&'static str, &'static str)]),
    /// Set this boolean field to `false`: the object stays, inactive, which
    /// is the provider's deleted (an `Active` flag on a name list).
    Deactivate(&'static str),
    /// Deleted outright by the writer's `delete` hook; the object is gone
    /// afterwards.
    Hard,
    /// The provider does not allow deleting it.
    NotAllowed,
}

impl WriteCapabilities {
    /// What deleting `current` sends, decided in this one place for staging
    /// (which refuses early) and export (which sends it): the fields that
    /// delete it, `None` when it is deleted outright, or why it cannot be.
    pub fn delete_fields(
        &self,
        current: &serde_json::Value,
    ) -> Result<Option<serde_json::Value>, String> {
        match self.delete {
            RemoteDelete::Hard => Ok(None),
            RemoteDelete::NotAllowed => Err("the provider does not allow deleting it".into()),
            RemoteDelete::Deactivate(field) => Ok(Some(serde_json::json!({ field: false }))),
            RemoteDelete::Status(by_status) => {
                let field = self.status_field.unwrap_or("Status");
                let status = current
                    .get(field)
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("");
                match by_status.iter().find(|(from, _)| *from == status) {
                    Some((_, to)) => Ok(Some(serde_json::json!({ field: to }))),
                    None => Err(format!(
                        "cannot be deleted while `{field}` is {status} (rule: only {} can be deleted)",
                        by_status
                            .iter()
                            .map(|(from, _)| *from)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                }
            }
        }
    }
}

/// One collection of one provider. The core owns the loops; a kind fills the
/// hooks: list one page, and read one object.
#[async_trait]
pub trait ObjectKind: Send + Sync + 'static {
    /// The kind's name, the snake case of the provider's collection (`invoices`).
    fn name(&self) -> &'static str;

    /// What the provider lets us do with it.
    fn capabilities(&self) -> KindCapabilities;

    /// Fetches one page of the listing. Follows the provider's own pagination
    /// and never assumes the requested page size was honoured.
    async fn list_page(&self, api: &Api, request: PageRequest) -> Result<Page>;

    /// Reads one raw object into a record, or names the field that is wrong.
    fn parse(&self, raw: &RawValue) -> Result<ParsedObject, ParseError>;

    /// Reads the objects with these ids (at most `capabilities().read_by_ids`
    /// of them), raw and whole as a listing page shows them, as one page. An
    /// id the provider no longer has is simply absent from the answer: that
    /// absence is what confirms a deletion, so an answer must never leave out
    /// an object that exists. Called only when the capability is declared.
    async fn read_by_ids(&self, _api: &Api, _ids: &[String]) -> Result<Page> {
        Err(Error::config(format!(
            "{} declares no read by ids",
            self.name()
        )))
    }

    /// The write hook, for kinds whose capabilities include `write`.
    fn writer(&self) -> Option<&dyn ObjectWriter> {
        None
    }

    /// The fields that name an object to a person (an invoice number, a
    /// contact's name), in order of preference: listings show the first
    /// one present, with the status field of its write rules.
    fn label_fields(&self) -> &'static [&'static str] {
        &[]
    }
}

/// One object to push.
#[derive(Debug, Clone)]
pub struct WriteRequest {
    /// The provider's id, `None` to create.
    pub external_id: Option<String>,
    /// The provider's version of the object this write is based on, as
    /// export just read it (`None` to create): a provider with optimistic
    /// concurrency sends it back (a sync token, an ETag) and refuses the
    /// write when the object moved on since.
    pub version: Option<String>,
    /// What to send, in the provider's shape: the whole object for a
    /// create; for an update, only the fields that change.
    pub body: serde_json::Value,
}

/// The provider's answer for one object.
#[derive(Debug, Clone)]
pub enum WriteOutcome {
    /// Written; the provider's object as it now stands.
    Written(ParsedObject),
    /// Deleted outright; nothing is left to read.
    Deleted,
    /// Refused; the provider's message, naming the field.
    Rejected(String),
    /// Refused because the object changed at the provider after the version
    /// the write was based on (a stale sync token): recorded as a
    /// conflict, both sides kept, as when export sees the change first. The
    /// writer reads the provider's current object for it.
    Conflict {
        /// The provider's object as it now stands.
        current: ParsedObject,
        /// The provider's message.
        message: String,
    },
}

/// The write hooks of a writable kind. Export (in core) batches, orders,
/// checks versions and records outcomes; a connector only speaks to its
/// provider.
#[async_trait]
pub trait ObjectWriter: Send + Sync {
    /// Checks a local object against the kind's typed schema before it is
    /// accepted; the error names the field. `local:<id>` references stand
    /// where provider ids will.
    fn check(&self, object: &serde_json::Value) -> Result<(), ParseError>;

    /// Creates or updates a batch (at most `batch_size`) in one call that
    /// carries `idempotency_key` where the provider has one; one outcome per
    /// request, in order.
    async fn write_batch(
        &self,
        api: &Api,
        batch: &[WriteRequest],
        idempotency_key: &str,
    ) -> Result<Vec<WriteOutcome>>;

    /// Deletes one object outright (kinds whose delete is
    /// `RemoteDelete::Hard`); `request` names it and the version it is
    /// based on, its body is empty.
    async fn delete(&self, _api: &Api, request: &WriteRequest) -> Result<WriteOutcome> {
        Err(Error::config(format!(
            "deleting {}: this kind is not deleted outright",
            request.external_id.as_deref().unwrap_or("(no id)")
        )))
    }

    /// Whether the provider voids objects of this kind (the object stays,
    /// its amounts zeroed): what [`ObjectWriter::void`] does.
    fn can_void(&self) -> bool {
        false
    }

    /// Voids one object at the provider; `request` names it and the
    /// version it is based on, its body is empty. The answer is the voided
    /// object, written like any update.
    async fn void(&self, _api: &Api, request: &WriteRequest) -> Result<WriteOutcome> {
        Err(Error::config(format!(
            "voiding {}: this kind is not voided",
            request.external_id.as_deref().unwrap_or("(no id)")
        )))
    }

    /// After a create whose answer was lost: the provider's objects that may
    /// be the one it made, found by the kind's natural key (an invoice
    /// number, a contact name, an item code) or, where that is not unique,
    /// by content. Export links the first one no other record holds.
    async fn find_created(
        &self,
        api: &Api,
        object: &serde_json::Value,
    ) -> Result<Vec<Box<RawValue>>>;
}
