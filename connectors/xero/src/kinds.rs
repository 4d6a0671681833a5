//! Xero's collections as Tether object kinds: one table row each, saying how
//! Xero lists it, how its deletions show, and what export may do with it.

use std::marker::PhantomData;

use async_trait::async_trait;
use serde_json::value::RawValue;
use tether_core::http::Api;
use tether_core::{
    KindCapabilities, ObjectKind, ObjectWriter, Page, PageRequest, Paging, ParseError,
    ParsedObject, Result,
};

use crate::config::MAX_PAGE_SIZE;
use crate::deletion::{
    ARCHIVED, ARCHIVED_OR_VANISH, DELETED_OR_VOIDED, DELETED_STATUS, Deletion, VANISH,
};
use crate::schema::{
    Account, BankTransaction, Contact, CreditNote, Invoice, Item, ManualJournal, Payment, TaxRate,
    TrackingCategory, XeroObject,
};
use crate::write_rules::{self, XeroWrite};
use crate::{lister, parse};

/// How one Xero collection is listed and written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Collection {
    /// Tether's name for it: the snake case of Xero's collection.
    pub kind: &'static str,
    /// Xero's path and envelope key (`Invoices`).
    pub path: &'static str,
    pub paging: Paging,
    /// The `order` a full pull asks for, where Xero allows one: the id, so
    /// an object edited during the pull keeps its place (under
    /// `UpdatedDateUTC` it would jump to the end and slide the object after
    /// it onto a page already read).
    pub order: Option<&'static str>,
    /// Whether archived objects must be asked for (`includeArchived=true`).
    pub include_archived: bool,
    /// Whether `If-Modified-Since` narrows the listing.
    pub modified_since: bool,
    /// How a set of these is read by id.
    pub by_ids: ByIds,
    pub deletion: Deletion,
    /// What Xero lets an integration write; `None` for read-only collections.
    pub write: Option<XeroWrite>,
}

/// How Xero reads a set of objects by id: the `IDs` parameter where the
/// endpoint has one, else a `where` filter of ids joined by `OR`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ByIds {
    /// `IDs=a,b,c` (Invoices, Contacts).
    Param,
    /// `where=Field==guid("a") OR …`, or `Field=="a"` for ids that are not GUIDs.
    Where {
        /// Whether the id is a GUID.
        guid: bool,
    },
}

impl ByIds {
    /// The most ids one call carries: the `IDs` list is short; a `where`
    /// filter is kept to a URL of a few kilobytes.
    pub const fn max_ids(self) -> usize {
        match self {
            ByIds::Param => 100,
            ByIds::Where { .. } => 50,
        }
    }
}

/// A Xero collection of objects of type `T`.
pub(crate) struct XeroKind<T> {
    pub(crate) collection: Collection,
    object: PhantomData<fn() -> T>,
}

impl<T> XeroKind<T> {
    const fn new(collection: Collection) -> Self {
        XeroKind {
            collection,
            object: PhantomData,
        }
    }
}

/// The fields that name a Xero object to a person, whatever its kind.
const LABEL_FIELDS: &[&str] = &[
    "InvoiceNumber",
    "CreditNoteNumber",
    "Name",
    "Code",
    "Reference",
    "Narration",
    "TaxType",
];

#[async_trait]
impl<T: XeroObject> ObjectKind for XeroKind<T> {
    fn name(&self) -> &'static str {
        self.collection.kind
    }

    fn label_fields(&self) -> &'static [&'static str] {
        LABEL_FIELDS
    }

    fn capabilities(&self) -> KindCapabilities {
        KindCapabilities {
            paging: self.collection.paging,
            modified_since: self.collection.modified_since,
            deletion: self.collection.deletion.strategy,
            read_by_ids: Some(self.collection.by_ids.max_ids()),
            write: self.collection.write.map(|w| w.caps),
        }
    }

    async fn list_page(&self, api: &Api, request: PageRequest) -> Result<Page> {
        lister::list_page(api, &self.collection, request).await
    }

    fn parse(&self, raw: &RawValue) -> std::result::Result<ParsedObject, ParseError> {
        parse::parse::<T>(&self.collection, raw)
    }

    async fn read_by_ids(&self, api: &Api, ids: &[String]) -> Result<Page> {
        lister::read_by_ids(api, &self.collection, T::ID_FIELD, ids).await
    }

    fn writer(&self) -> Option<&dyn ObjectWriter> {
        self.collection.write.map(|_| self as &dyn ObjectWriter)
    }
}

const PAGED: Paging = Paging::Paged {
    max_page_size: MAX_PAGE_SIZE,
};

/// Most collections are read by id with a `where` filter on their GUID.
const GUID_WHERE: ByIds = ByIds::Where { guid: true };

pub(crate) static CONTACTS: XeroKind<Contact> = XeroKind::new(Collection {
    kind: "contacts",
    path: "Contacts",
    paging: PAGED,
    order: Some("ContactID ASC"),
    include_archived: true,
    modified_since: true,
    by_ids: ByIds::Param,
    deletion: ARCHIVED,
    write: Some(write_rules::CONTACTS),
});

pub(crate) static INVOICES: XeroKind<Invoice> = XeroKind::new(Collection {
    kind: "invoices",
    path: "Invoices",
    paging: PAGED,
    order: Some("InvoiceID ASC"),
    include_archived: false,
    modified_since: true,
    by_ids: ByIds::Param,
    deletion: DELETED_OR_VOIDED,
    write: Some(write_rules::INVOICES),
});

pub(crate) static CREDIT_NOTES: XeroKind<CreditNote> = XeroKind::new(Collection {
    kind: "credit_notes",
    path: "CreditNotes",
    paging: PAGED,
    order: Some("CreditNoteID ASC"),
    include_archived: false,
    modified_since: true,
    by_ids: GUID_WHERE,
    deletion: DELETED_OR_VOIDED,
    write: Some(write_rules::CREDIT_NOTES),
});

pub(crate) static PAYMENTS: XeroKind<Payment> = XeroKind::new(Collection {
    kind: "payments",
    path: "Payments",
    paging: PAGED,
    order: Some("PaymentID ASC"),
    include_archived: false,
    modified_since: true,
    by_ids: GUID_WHERE,
    deletion: DELETED_STATUS,
    write: Some(write_rules::PAYMENTS),
});

pub(crate) static BANK_TRANSACTIONS: XeroKind<BankTransaction> = XeroKind::new(Collection {
    kind: "bank_transactions",
    path: "BankTransactions",
    paging: PAGED,
    order: Some("BankTransactionID ASC"),
    include_archived: false,
    modified_since: true,
    by_ids: GUID_WHERE,
    deletion: DELETED_OR_VOIDED,
    write: Some(write_rules::BANK_TRANSACTIONS),
});

pub(crate) static MANUAL_JOURNALS: XeroKind<ManualJournal> = XeroKind::new(Collection {
    kind: "manual_journals",
    path: "ManualJournals",
    paging: PAGED,
    // Xero rejects `order` on manual journals in practice: page in its default order.
    order: None,
    include_archived: false,
    modified_since: true,
    by_ids: GUID_WHERE,
    deletion: DELETED_OR_VOIDED,
    write: Some(write_rules::MANUAL_JOURNALS),
});

pub(crate) static ITEMS: XeroKind<Item> = XeroKind::new(Collection {
    kind: "items",
    path: "Items",
    paging: Paging::Unpaged,
    order: None,
    include_archived: false,
    modified_since: true,
    by_ids: GUID_WHERE,
    deletion: VANISH,
    write: Some(write_rules::ITEMS),
});

pub(crate) static ACCOUNTS: XeroKind<Account> = XeroKind::new(Collection {
    kind: "accounts",
    path: "Accounts",
    paging: Paging::Unpaged,
    order: None,
    include_archived: false,
    modified_since: true,
    by_ids: GUID_WHERE,
    deletion: ARCHIVED_OR_VANISH,
    write: None,
});

pub(crate) static TAX_RATES: XeroKind<TaxRate> = XeroKind::new(Collection {
    kind: "tax_rates",
    path: "TaxRates",
    paging: Paging::Unpaged,
    order: None,
    include_archived: false,
    // Tax rates carry no UpdatedDateUTC: every pull is whole.
    modified_since: false,
    by_ids: ByIds::Where { guid: false },
    deletion: DELETED_STATUS,
    write: None,
});

pub(crate) static TRACKING_CATEGORIES: XeroKind<TrackingCategory> = XeroKind::new(Collection {
    kind: "tracking_categories",
    path: "TrackingCategories",
    paging: Paging::Unpaged,
    order: None,
    include_archived: true,
    modified_since: false,
    by_ids: GUID_WHERE,
    deletion: ARCHIVED_OR_VANISH,
    write: None,
});

/// Every kind, settings first, then the kinds that reference them.
pub(crate) static KINDS: [&dyn ObjectKind; 10] = [
    &ACCOUNTS,
    &TAX_RATES,
    &TRACKING_CATEGORIES,
    &ITEMS,
    &CONTACTS,
    &INVOICES,
    &CREDIT_NOTES,
    &PAYMENTS,
    &BANK_TRANSACTIONS,
    &MANUAL_JOURNALS,
];
