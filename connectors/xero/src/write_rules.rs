//! What Xero lets an integration write, per collection, as its documentation
//! and its validation errors say: the fields a new object needs, the fields
//! that are its identity once it exists, what each status still allows, how
//! each collection is deleted, and how Tether finds an object it created
//! when the answer was lost (the natural key, or the fields that identify it
//! where Xero has no unique key: a bill's number is not unique).

use tether_core::{EditScope, RemoteDelete, WriteCapabilities};

/// A Xero collection's write rules.
#[derive(Debug, Clone, Copy)]
pub(crate) struct XeroWrite {
    pub caps: WriteCapabilities,
    /// Fields that identify an object created from a local record, used in
    /// a `where` filter of the ones the record carries.
    pub identified_by: &'static [&'static str],
}

/// Fields of an invoice or credit note that carry no money: Xero lets them
/// change while payments are applied but the document is not yet paid.
const NON_FINANCIAL: &[&str] = &[
    "Reference",
    "DueDate",
    "ExpectedPaymentDate",
    "PlannedPaymentDate",
    "Url",
    "SentToContact",
    "BrandingThemeID",
];

/// Documents (invoices, credit notes): any edit while draft or submitted;
/// while authorised, any edit until something is paid or allocated, then
/// only the non-financial fields; paid, voided or deleted, nothing. (Xero's
/// web app lets a paid document's reference and due date change; its API
/// refuses every edit of one: "This document cannot be edited as it has a
/// payment or credit note allocated to it.")
const DOCUMENT_RULES: &[(&str, EditScope)] = &[
    (
        "AUTHORISED",
        EditScope::AnyWhileZero {
            amounts: &["AmountPaid", "AmountCredited", "AppliedAmount"],
            then: NON_FINANCIAL,
        },
    ),
    ("PAID", EditScope::Nothing),
    ("VOIDED", EditScope::Nothing),
    ("DELETED", EditScope::Nothing),
];

/// Drafts are deleted, authorised documents voided; paid ones cannot go.
const DOCUMENT_DELETE: RemoteDelete = RemoteDelete::Status(&[
    ("DRAFT", "DELETED"),
    ("SUBMITTED", "DELETED"),
    ("AUTHORISED", "VOIDED"),
]);

/// Xero accepts up to 50 objects per write in practice; larger batches
/// time out.
const BATCH: usize = 50;

pub(crate) const CONTACTS: XeroWrite = XeroWrite {
    caps: WriteCapabilities {
        batch_size: BATCH,
        idempotency_key: true,
        required: &["Name"],
        locked_fields: &[],
        status_field: Some("ContactStatus"),
        // An archived contact must be restored before anything else changes.
        status_rules: &[("ARCHIVED", EditScope::Only(&["ContactStatus"]))],
        // Contacts are never deleted, only archived.
        delete: RemoteDelete::Status(&[("ACTIVE", "ARCHIVED")]),
    },
    // An active contact's name is unique.
    identified_by: &["Name"],
};

pub(crate) const INVOICES: XeroWrite = XeroWrite {
    caps: WriteCapabilities {
        batch_size: BATCH,
        idempotency_key: true,
        required: &["Type", "Contact"],
        locked_fields: &["Type", "CurrencyCode"],
        status_field: Some("Status"),
        status_rules: DOCUMENT_RULES,
        delete: DOCUMENT_DELETE,
    },
    // A sales invoice's number is unique; a bill's is not, so its contact
    // and reference narrow it down.
    identified_by: &["Type", "InvoiceNumber", "Contact.ContactID", "Reference"],
};

pub(crate) const CREDIT_NOTES: XeroWrite = XeroWrite {
    caps: WriteCapabilities {
        batch_size: BATCH,
        idempotency_key: true,
        required: &["Type", "Contact"],
        locked_fields: &["Type", "CurrencyCode"],
        status_field: Some("Status"),
        status_rules: DOCUMENT_RULES,
        delete: DOCUMENT_DELETE,
    },
    identified_by: &["Type", "CreditNoteNumber", "Contact.ContactID", "Reference"],
};

pub(crate) const PAYMENTS: XeroWrite = XeroWrite {
    caps: WriteCapabilities {
        batch_size: BATCH,
        idempotency_key: true,
        required: &["Invoice", "Account", "Amount"],
        locked_fields: &["Invoice", "Account", "Amount", "Date"],
        status_field: Some("Status"),
        // A payment is never edited, only deleted.
        status_rules: &[
            ("AUTHORISED", EditScope::Only(&["Status"])),
            ("DELETED", EditScope::Nothing),
        ],
        delete: RemoteDelete::Status(&[("AUTHORISED", "DELETED")]),
    },
    identified_by: &["Invoice.InvoiceID", "Amount", "Reference"],
};

pub(crate) const BANK_TRANSACTIONS: XeroWrite = XeroWrite {
    caps: WriteCapabilities {
        batch_size: BATCH,
        idempotency_key: true,
        required: &["Type", "Contact", "LineItems", "BankAccount"],
        locked_fields: &["Type", "BankAccount", "CurrencyCode"],
        status_field: Some("Status"),
        status_rules: &[
            ("VOIDED", EditScope::Nothing),
            ("DELETED", EditScope::Nothing),
        ],
        delete: RemoteDelete::Status(&[("AUTHORISED", "DELETED")]),
    },
    identified_by: &[
        "Type",
        "Contact.ContactID",
        "BankAccount.AccountID",
        "Reference",
    ],
};

pub(crate) const MANUAL_JOURNALS: XeroWrite = XeroWrite {
    caps: WriteCapabilities {
        batch_size: BATCH,
        idempotency_key: true,
        required: &["Narration", "JournalLines"],
        locked_fields: &[],
        status_field: Some("Status"),
        status_rules: &[
            ("VOIDED", EditScope::Nothing),
            ("DELETED", EditScope::Nothing),
        ],
        delete: RemoteDelete::Status(&[("DRAFT", "DELETED"), ("POSTED", "VOIDED")]),
    },
    identified_by: &["Narration"],
};

pub(crate) const ITEMS: XeroWrite = XeroWrite {
    caps: WriteCapabilities {
        batch_size: BATCH,
        idempotency_key: true,
        required: &["Code"],
        locked_fields: &[],
        status_field: None,
        status_rules: &[],
        // Items are deleted outright (`DELETE /Items/{id}`).
        delete: RemoteDelete::Hard,
    },
    // An item's code is unique.
    identified_by: &["Code"],
};
