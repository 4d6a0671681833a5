//! What QuickBooks lets an integration write, per entity, as docs.md says:
//! every entity is writable, 30 to a `/batch` request, each request
//! replayed rather than applied twice when it carries the same `requestid`;
//! the fields a new object needs; name lists deleted by making them
//! inactive, transactions outright; and how Tether finds an object it
//! created when the answer was lost (the natural key where QuickBooks keeps
//! one unique, else what the object says about itself).

use tether_core::{RemoteDelete, WriteCapabilities};

use crate::config::BATCH_SIZE;

/// The entities Intuit voids (`operation=void`): the object stays, its
/// amounts zeroed and its note marked voided.
pub(crate) const VOIDABLE: &[&str] = &["Invoice", "Payment", "BillPayment"];

/// An entity's write rules.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QbWrite {
    pub caps: WriteCapabilities,
    /// Top-level text fields a query can narrow a search for a lost create
    /// by (those the object carries).
    pub query_by: &'static [&'static str],
    /// Fields (dotted paths) a found object must share with the one sent.
    pub identified_by: &'static [&'static str],
}

/// A name list's capabilities: deleted by `Active: false`. Its currency,
/// where it has one, is fixed once made: QuickBooks refuses to change the
/// currency of an account, customer or vendor with transactions, so
/// Tether refuses the edit up front.
const fn name_list(required: &'static [&'static str]) -> WriteCapabilities {
    WriteCapabilities {
        batch_size: BATCH_SIZE,
        idempotency_key: true,
        required,
        locked_fields: &["CurrencyRef"],
        status_field: None,
        status_rules: &[],
        delete: RemoteDelete::Deactivate("Active"),
    }
}

/// A transaction's capabilities: deleted outright (`operation=delete`).
/// Its currency follows its customer or vendor and cannot change; nothing
/// else is identity (a `DocNumber` may be edited, as in QuickBooks' own
/// screens). QuickBooks has no status field: a voided document is marked
/// by its zeroed amounts, so no status rules apply.
const fn transaction(required: &'static [&'static str]) -> WriteCapabilities {
    WriteCapabilities {
        batch_size: BATCH_SIZE,
        idempotency_key: true,
        required,
        locked_fields: &["CurrencyRef"],
        status_field: None,
        status_rules: &[],
        delete: RemoteDelete::Hard,
    }
}

/// An account's `Name` is unique among accounts.
pub(crate) const ACCOUNTS: QbWrite = QbWrite {
    caps: name_list(&["Name"]),
    query_by: &["Name"],
    identified_by: &["Name"],
};

/// `DisplayName` is unique across customers and vendors.
pub(crate) const CUSTOMERS: QbWrite = QbWrite {
    caps: name_list(&["DisplayName"]),
    query_by: &["DisplayName"],
    identified_by: &["DisplayName"],
};

/// See [`CUSTOMERS`].
pub(crate) const VENDORS: QbWrite = QbWrite {
    caps: name_list(&["DisplayName"]),
    query_by: &["DisplayName"],
    identified_by: &["DisplayName"],
};

/// An item's `Name` is unique among items. (`IncomeAccountRef` is required
/// too for `Service` and `NonInventory` items; a rule that depends on
/// `Type` is left to QuickBooks' Fault 2020, which names it.)
pub(crate) const ITEMS: QbWrite = QbWrite {
    caps: name_list(&["Name"]),
    query_by: &["Name"],
    identified_by: &["Name"],
};

/// A `DocNumber` is unique per customer only when the company says so:
/// the customer and date narrow it down.
pub(crate) const INVOICES: QbWrite = QbWrite {
    caps: transaction(&["CustomerRef", "Line"]),
    query_by: &["DocNumber", "TxnDate"],
    identified_by: &["DocNumber", "CustomerRef.value", "TxnDate"],
};

/// As invoices.
pub(crate) const CREDIT_MEMOS: QbWrite = QbWrite {
    caps: transaction(&["CustomerRef", "Line"]),
    query_by: &["DocNumber", "TxnDate"],
    identified_by: &["DocNumber", "CustomerRef.value", "TxnDate"],
};

/// A bill's number is the vendor's, not unique: vendor and date narrow it.
pub(crate) const BILLS: QbWrite = QbWrite {
    caps: transaction(&["VendorRef", "Line"]),
    query_by: &["DocNumber", "TxnDate"],
    identified_by: &["DocNumber", "VendorRef.value", "TxnDate"],
};

/// A payment has no number: its customer, amount and date identify it.
pub(crate) const PAYMENTS: QbWrite = QbWrite {
    caps: transaction(&["CustomerRef", "TotalAmt"]),
    query_by: &["TxnDate"],
    identified_by: &["CustomerRef.value", "TotalAmt", "TxnDate"],
};

/// Intuit's reference requires the vendor, how it is paid, the amount and
/// the bills it pays.
pub(crate) const BILL_PAYMENTS: QbWrite = QbWrite {
    caps: transaction(&["VendorRef", "PayType", "TotalAmt", "Line"]),
    query_by: &["TxnDate"],
    identified_by: &["VendorRef.value", "TotalAmt", "TxnDate"],
};

/// A journal entry's lines are all it needs; its number and date, where
/// given, identify it.
pub(crate) const JOURNAL_ENTRIES: QbWrite = QbWrite {
    caps: transaction(&["Line"]),
    query_by: &["DocNumber", "TxnDate"],
    identified_by: &["DocNumber", "TxnDate", "PrivateNote"],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_lists_deactivate_and_transactions_delete() {
        let current = serde_json::json!({"Id": "1", "Active": true});
        assert_eq!(
            CUSTOMERS.caps.delete_fields(&current),
            Ok(Some(serde_json::json!({"Active": false})))
        );
        assert_eq!(INVOICES.caps.delete_fields(&current), Ok(None));
        for w in [
            ACCOUNTS,
            CUSTOMERS,
            VENDORS,
            ITEMS,
            INVOICES,
            BILLS,
            PAYMENTS,
            BILL_PAYMENTS,
            CREDIT_MEMOS,
            JOURNAL_ENTRIES,
        ] {
            assert_eq!(w.caps.batch_size, 30);
            assert!(w.caps.idempotency_key);
            assert!(!w.caps.required.is_empty());
            for field in w.query_by {
                assert!(
                    w.identified_by.contains(field) && !field.contains('.'),
                    "{field}"
                );
            }
        }
    }
}
