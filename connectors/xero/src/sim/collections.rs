//! The table of collections: one row per Xero object kind, saying how the
//! spec lets it be listed, filtered, paged and deleted.

/// One Xero object kind served by the simulator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Contacts,
    Invoices,
    CreditNotes,
    Payments,
    BankTransactions,
    ManualJournals,
    Items,
    Accounts,
    TaxRates,
    TrackingCategories,
}

/// How an object leaves the collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Deletion {
    /// Stays listed with a DELETED/VOIDED status (invoices, payments, ...).
    Status,
    /// `DELETE` removes it for good (items, accounts, tracking categories).
    Hard,
    /// Can only be archived, hidden from lists unless `includeArchived=true`.
    Archive,
}

/// Which flag marks an element with validation errors in write responses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErrorFlag {
    HasErrors,
    HasValidationErrors,
    None,
}

/// The facts about one collection that the generic code needs.
#[derive(Debug)]
pub(crate) struct Desc {
    pub kind: Kind,
    /// Path segment and envelope key (`Invoices`).
    pub name: &'static str,
    /// snake_case name used by the Rust handle (`credit_notes`).
    pub snake: &'static str,
    /// The id field (`InvoiceID`); `TaxType` for tax rates.
    pub id_field: &'static str,
    /// The natural key (`InvoiceNumber`, contact `Name`, item `Code`, ...).
    pub number_field: Option<&'static str>,
    /// The status field and its values (index = status code in the store).
    pub status_field: Option<&'static str>,
    pub statuses: &'static [&'static str],
    /// Spec lists `page`/`pageSize` and the envelope has `pagination`.
    pub paged: bool,
    /// Spec lists the `If-Modified-Since` header and objects carry `UpdatedDateUTC`.
    pub modified_since: bool,
    /// Spec lists `includeArchived`.
    pub include_archived: bool,
    /// Spec lists `summaryOnly`; these fields are dropped then.
    pub summary_strip: Option<&'static [&'static str]>,
    /// Spec lists `IDs`.
    pub ids_param: bool,
    /// Line items field, left out of unpaged list responses as Xero does.
    pub lines_field: Option<&'static str>,
    pub deletion: Deletion,
    pub error_flag: ErrorFlag,
    /// Schema has `StatusAttributeString` (set to OK on written elements).
    pub status_attribute: bool,
    /// Singular name used in messages.
    pub singular: &'static str,
}

const INVOICE_STATUSES: &[&str] = &[
    "DRAFT",
    "SUBMITTED",
    "AUTHORISED",
    "PAID",
    "VOIDED",
    "DELETED",
];

static TABLE: [Desc; 10] = [
    Desc {
        kind: Kind::Contacts,
        name: "Contacts",
        snake: "contacts",
        id_field: "ContactID",
        number_field: Some("Name"),
        status_field: Some("ContactStatus"),
        statuses: &["ACTIVE", "ARCHIVED", "GDPRREQUEST"],
        paged: true,
        modified_since: true,
        include_archived: true,
        summary_strip: Some(&[
            "Addresses",
            "Phones",
            "ContactGroups",
            "ContactPersons",
            "PaymentTerms",
            "BankAccountDetails",
            "SalesDefaultAccountCode",
            "PurchasesDefaultAccountCode",
            "Website",
        ]),
        ids_param: true,
        lines_field: None,
        deletion: Deletion::Archive,
        error_flag: ErrorFlag::HasValidationErrors,
        status_attribute: true,
        singular: "contact",
    },
    Desc {
        kind: Kind::Invoices,
        name: "Invoices",
        snake: "invoices",
        id_field: "InvoiceID",
        number_field: Some("InvoiceNumber"),
        status_field: Some("Status"),
        statuses: INVOICE_STATUSES,
        paged: true,
        modified_since: true,
        include_archived: false,
        summary_strip: Some(&[
            "LineItems",
            "Payments",
            "CreditNotes",
            "Prepayments",
            "Overpayments",
        ]),
        ids_param: true,
        lines_field: Some("LineItems"),
        deletion: Deletion::Status,
        error_flag: ErrorFlag::HasErrors,
        status_attribute: true,
        singular: "invoice",
    },
    Desc {
        kind: Kind::CreditNotes,
        name: "CreditNotes",
        snake: "credit_notes",
        id_field: "CreditNoteID",
        number_field: Some("CreditNoteNumber"),
        status_field: Some("Status"),
        statuses: INVOICE_STATUSES,
        paged: true,
        modified_since: true,
        include_archived: false,
        summary_strip: None,
        ids_param: false,
        lines_field: Some("LineItems"),
        deletion: Deletion::Status,
        error_flag: ErrorFlag::HasErrors,
        status_attribute: true,
        singular: "credit note",
    },
    Desc {
        kind: Kind::Payments,
        name: "Payments",
        snake: "payments",
        id_field: "PaymentID",
        number_field: None,
        status_field: Some("Status"),
        statuses: &["AUTHORISED", "DELETED"],
        paged: true,
        modified_since: true,
        include_archived: false,
        summary_strip: None,
        ids_param: false,
        lines_field: None,
        deletion: Deletion::Status,
        error_flag: ErrorFlag::HasValidationErrors,
        status_attribute: true,
        singular: "payment",
    },
    Desc {
        kind: Kind::BankTransactions,
        name: "BankTransactions",
        snake: "bank_transactions",
        id_field: "BankTransactionID",
        number_field: None,
        status_field: Some("Status"),
        statuses: &["AUTHORISED", "DELETED", "VOIDED"],
        paged: true,
        modified_since: true,
        include_archived: false,
        summary_strip: None,
        ids_param: false,
        lines_field: Some("LineItems"),
        deletion: Deletion::Status,
        error_flag: ErrorFlag::None,
        status_attribute: true,
        singular: "bank transaction",
    },
    Desc {
        kind: Kind::ManualJournals,
        name: "ManualJournals",
        snake: "manual_journals",
        id_field: "ManualJournalID",
        number_field: None,
        status_field: Some("Status"),
        statuses: &["DRAFT", "POSTED", "DELETED", "VOIDED", "ARCHIVED"],
        paged: true,
        modified_since: true,
        include_archived: false,
        summary_strip: None,
        ids_param: false,
        lines_field: Some("JournalLines"),
        deletion: Deletion::Status,
        error_flag: ErrorFlag::None,
        status_attribute: true,
        singular: "manual journal",
    },
    Desc {
        kind: Kind::Items,
        name: "Items",
        snake: "items",
        id_field: "ItemID",
        number_field: Some("Code"),
        status_field: None,
        statuses: &[],
        paged: false,
        modified_since: true,
        include_archived: false,
        summary_strip: None,
        ids_param: false,
        lines_field: None,
        deletion: Deletion::Hard,
        error_flag: ErrorFlag::None,
        status_attribute: true,
        singular: "item",
    },
    Desc {
        kind: Kind::Accounts,
        name: "Accounts",
        snake: "accounts",
        id_field: "AccountID",
        number_field: Some("Code"),
        status_field: Some("Status"),
        statuses: &["ACTIVE", "ARCHIVED", "DELETED"],
        paged: false,
        modified_since: true,
        include_archived: false,
        summary_strip: None,
        ids_param: false,
        lines_field: None,
        deletion: Deletion::Hard,
        error_flag: ErrorFlag::None,
        status_attribute: false,
        singular: "account",
    },
    Desc {
        kind: Kind::TaxRates,
        name: "TaxRates",
        snake: "tax_rates",
        id_field: "TaxType",
        number_field: Some("TaxType"),
        status_field: Some("Status"),
        statuses: &["ACTIVE", "DELETED", "ARCHIVED", "PENDING"],
        paged: false,
        modified_since: false,
        include_archived: false,
        summary_strip: None,
        ids_param: false,
        lines_field: None,
        deletion: Deletion::Status,
        error_flag: ErrorFlag::None,
        status_attribute: true,
        singular: "tax rate",
    },
    Desc {
        kind: Kind::TrackingCategories,
        name: "TrackingCategories",
        snake: "tracking_categories",
        id_field: "TrackingCategoryID",
        number_field: Some("Name"),
        status_field: Some("Status"),
        statuses: &["ACTIVE", "ARCHIVED", "DELETED"],
        paged: false,
        modified_since: false,
        include_archived: true,
        summary_strip: None,
        ids_param: false,
        lines_field: None,
        deletion: Deletion::Hard,
        error_flag: ErrorFlag::None,
        status_attribute: false,
        singular: "tracking category",
    },
];

impl Kind {
    /// Every kind, in store order.
    pub(crate) const ALL: [Kind; 10] = [
        Kind::Contacts,
        Kind::Invoices,
        Kind::CreditNotes,
        Kind::Payments,
        Kind::BankTransactions,
        Kind::ManualJournals,
        Kind::Items,
        Kind::Accounts,
        Kind::TaxRates,
        Kind::TrackingCategories,
    ];

    /// Position in [`Kind::ALL`] and in the store's collection array.
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn desc(self) -> &'static Desc {
        &TABLE[self.index()]
    }

    /// The kind of a path segment, case-insensitively (Xero's paths are).
    pub(crate) fn from_path(segment: &str) -> Option<Kind> {
        TABLE
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(segment))
            .map(|d| d.kind)
    }

    /// The kind of a snake_case name (`credit_notes`), or of a path name.
    pub(crate) fn from_snake(name: &str) -> Option<Kind> {
        TABLE
            .iter()
            .find(|d| d.snake == name)
            .map(|d| d.kind)
            .or_else(|| Kind::from_path(name))
    }

    /// Code of a status value in the store (`u8::MAX` when unknown).
    pub(crate) fn status_code(self, status: &str) -> u8 {
        self.desc()
            .statuses
            .iter()
            .position(|s| *s == status)
            .map(|p| p as u8)
            .unwrap_or(u8::MAX)
    }

    /// The status value of a code.
    pub(crate) fn status_name(self, code: u8) -> Option<&'static str> {
        self.desc().statuses.get(code as usize).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_kind_order() {
        for k in Kind::ALL {
            assert_eq!(k.desc().kind, k);
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(Kind::from_path("invoices"), Some(Kind::Invoices));
        assert_eq!(Kind::from_snake("credit_notes"), Some(Kind::CreditNotes));
        assert_eq!(Kind::from_snake("TaxRates"), Some(Kind::TaxRates));
        assert_eq!(Kind::from_path("Nope"), None);
        assert_eq!(Kind::Invoices.status_code("PAID"), 3);
        assert_eq!(Kind::Invoices.status_name(3), Some("PAID"));
        assert_eq!(Kind::Items.status_code("ACTIVE"), u8::MAX);
    }

    #[test]
    fn spec_paging_matches() {
        let paged: Vec<_> = Kind::ALL.iter().filter(|k| k.desc().paged).collect();
        assert_eq!(paged.len(), 6);
        assert!(!Kind::Items.desc().paged);
        assert!(!Kind::TaxRates.desc().modified_since);
    }
}
