//! How deletions of each Xero collection reach us. Xero's own quirks:
//! transactions are never removed, only given a final status; contacts can
//! only be archived; items, accounts and tracking categories are hard-deleted
//! and modified-since never reports them.

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

/// Contacts are archived, never deleted: `ARCHIVED` is a status like any
/// other, listed with `includeArchived=true`.
pub(crate) const ARCHIVE_ONLY: Deletion = Deletion {
    strategy: DeletionStrategy::Never,
    statuses: &[],
};

/// Items, accounts and tracking categories vanish (`DELETE` → 204); only a
/// full listing shows they are gone.
pub(crate) const VANISH: Deletion = Deletion {
    strategy: DeletionStrategy::Vanish,
    statuses: &[],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_decide_deletion() {
        assert!(DELETED_OR_VOIDED.is_deleted(Some("VOIDED")));
        assert!(!DELETED_OR_VOIDED.is_deleted(Some("AUTHORISED")));
        assert!(!DELETED_OR_VOIDED.is_deleted(None));
        assert!(!ARCHIVE_ONLY.is_deleted(Some("ARCHIVED")));
        assert!(DELETED_STATUS.is_deleted(Some("DELETED")));
    }
}
