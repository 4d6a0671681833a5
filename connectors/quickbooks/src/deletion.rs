//! How deletions of each QuickBooks entity reach us. QuickBooks' own
//! quirks: name lists (accounts, customers, vendors, items) are never
//! deleted, only made inactive (`Active: false`), and a query leaves
//! inactive ones out unless it says `Active IN (true,false)`; transactions
//! are deleted outright, vanish from queries, and `/cdc` answers a
//! tombstone (`"status": "Deleted"`) for them. A voided invoice or payment
//! is not deleted: it stays, zeroed, and is live.

use tether_core::DeletionStrategy;

/// Which of QuickBooks' two families an entity belongs to, which decides
/// how it is queried and how its deletions show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// Name lists: inactive is QuickBooks' deleted, so a record whose
    /// `Active` is `false` is stored as deleted (`status`), and live again
    /// once made active. Queries must ask for inactive ones too.
    NameList,
    /// Transactions: deleted outright. The change feed's tombstones say so
    /// (`tombstone`); a full pull confirms an absence by reading the ids.
    Transaction,
}

impl Family {
    /// The strategy core is told.
    pub fn strategy(self) -> DeletionStrategy {
        match self {
            Family::NameList => DeletionStrategy::Status,
            Family::Transaction => DeletionStrategy::Tombstone,
        }
    }

    /// Whether an object with this `Active` counts as deleted.
    pub fn is_deleted(self, active: Option<bool>) -> bool {
        self == Family::NameList && active == Some(false)
    }

    /// The condition that makes a query answer inactive objects too (name
    /// lists only): without it an inactive object looks deleted outright.
    pub fn include_inactive(self) -> Option<&'static str> {
        match self {
            Family::NameList => Some("Active IN (true,false)"),
            Family::Transaction => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inactive_names_are_deleted_transactions_never_by_status() {
        assert!(Family::NameList.is_deleted(Some(false)));
        assert!(!Family::NameList.is_deleted(Some(true)));
        assert!(!Family::NameList.is_deleted(None), "absent reads as active");
        assert!(!Family::Transaction.is_deleted(Some(false)));
        assert_eq!(Family::NameList.strategy(), DeletionStrategy::Status);
        assert_eq!(Family::Transaction.strategy(), DeletionStrategy::Tombstone);
        assert!(Family::Transaction.include_inactive().is_none());
    }
}
