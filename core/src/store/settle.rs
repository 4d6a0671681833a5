//! What export learns of the records it sends.

use crate::ParsedObject;
use crate::pending::Pending;

/// What export learnt of one record, swapped on its revision.
#[derive(Debug)]
pub struct Settlement<'a> {
    /// The record.
    pub record: i64,
    /// The revision it was read at.
    pub revision: i64,
    /// What to record.
    pub outcome: Settled<'a>,
}

/// The outcomes export records.
#[derive(Debug)]
pub enum Settled<'a> {
    /// About to be sent with this key: until its answer is recorded the
    /// outcome is unknown (`PendingState::Uncertain`).
    Sending {
        /// The idempotency key sent with it.
        idempotency_key: &'a str,
    },
    /// The provider holds it as `object`: linked (its id and version
    /// stored), exported, and its pending edit cleared, or replaced by
    /// `rest`, what the application changed while it was being sent.
    Written {
        /// The provider's object as it now stands.
        object: &'a ParsedObject,
        /// The record's local view to keep (`object`'s data when `rest` is `None`).
        data: &'a str,
        /// The edit still to send.
        rest: Option<&'a Pending>,
    },
    /// Deleted at the provider as the kind is deleted there.
    Deleted {
        /// The provider's object as it now stands, when it stays readable.
        object: Option<&'a ParsedObject>,
    },
    /// Refused by the provider (or waiting on a reference that is not
    /// exported); stays pending with the message.
    Refused {
        /// Why, in the provider's words.
        message: &'a str,
    },
    /// The provider changed or deleted the object after the edit's base:
    /// nothing was written; its copy is kept beside the edit.
    Conflict {
        /// The provider's current object; `None` when it no longer has it.
        remote: Option<&'a ParsedObject>,
        /// What happened, for people.
        message: &'a str,
    },
}
