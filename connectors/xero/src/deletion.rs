//! How deletions of each Xero collection reach us. Xero's own quirks:
//! transactions are never removed, only given a final status; contacts can
//! only be archived (an archived contact counts as deleted, with its status
//! as the reason, and is live again once restored); items are hard-deleted,
//! and accounts and tracking categories either archived or, when unused,
//! hard-deleted; modified-since never reports a hard delete.

use tether_core::DeletionStrategy;

/// A collection's deletion strategy and, for `Status`, the statuses that mean deleted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deletion {
    pub strategy: DeletionStrategy,
    pub statuses: &'static [&'static str],
}

impl Deletion {
    /// Whether an object with this status counts as deleted.
    pub fn is_deleted(&self, status: Option<&str>) -> bool {
        status.is_some_and(|s| self.statuses.contains(&s))
    }
}

/// Invoices, credit notes, bank transactions and manual journals stay listed
/// when deleted or voided.
pub(crate) const DELETED_OR_VOIDED: Deletion = Deletion {
    strategy: DeletionStrategy::Status,
    statuses: &["DELETED", "VOIDED"],
};

/// Payments and tax rates carry `DELETED`.
pub(crate) const DELETED_STATUS: Deletion = Deletion {
    strategy: DeletionStrategy::Status,
    statuses: &["DELETED"],
};

/// Contacts are archived, never deleted: `ARCHIVED` (listed with
/// `includeArchived=true`) is their deletion.
pub(crate) const ARCHIVED: Deletion = Deletion {
    strategy: DeletionStrategy::Status,
    statuses: &["ARCHIVED"],
};

/// Items vanish (`DELETE` → 204); only a full listing shows they are gone.
pub(crate) const VANISH: Deletion = Deletion {
    strategy: DeletionStrategy::Vanish,
    statuses: &[],
};

/// Accounts and tracking categories are archived while in use, and vanish
/// when deleted unused.
pub(crate) const ARCHIVED_OR_VANISH: Deletion = Deletion {
    strategy: DeletionStrategy::Vanish,
    statuses: &["ARCHIVED", "DELETED"],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_decide_deletion() {
        assert!(DELETED_OR_VOIDED.is_deleted(Some("VOIDED")));
        assert!(!DELETED_OR_VOIDED.is_deleted(Some("AUTHORISED")));
        assert!(!DELETED_OR_VOIDED.is_deleted(None));
        assert!(ARCHIVED.is_deleted(Some("ARCHIVED")));
        assert!(!ARCHIVED.is_deleted(Some("ACTIVE")));
        assert!(ARCHIVED_OR_VANISH.is_deleted(Some("ARCHIVED")));
        assert!(!VANISH.is_deleted(Some("ARCHIVED")));
        assert!(DELETED_STATUS.is_deleted(Some("DELETED")));
    }
}
