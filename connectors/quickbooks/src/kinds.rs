//! QuickBooks' entities as Tether object kinds: one table row each, saying
//! what Intuit calls it, where it is written, which family it belongs to
//! (name list or transaction: how it is queried and deleted), and what
//! export may do with it.

use std::marker::PhantomData;

use async_trait::async_trait;
use serde_json::value::RawValue;
use tether_core::http::Api;
use tether_core::{
    KindCapabilities, ObjectKind, ObjectWriter, Page, PageRequest, Paging, ParseError,
    ParsedObject, Result,
};

use crate::config::{IDS_PER_READ, MAX_RESULTS};
use crate::deletion::Family;
use crate::schema::{
    Account, Bill, BillPayment, CreditMemo, Customer, Invoice, Item, JournalEntry, Payment,
    QbObject, Vendor,
};
use crate::write_rules::{self, QbWrite};
use crate::{lister, parse};

/// One QuickBooks entity.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entity {
    /// Tether's name for it: the snake case plural (`bill_payments`).
    pub kind: &'static str,
    /// Intuit's entity name, as queries, answers and `/cdc` spell it.
    pub name: &'static str,
    /// The lower-case path segment writes and reads of one go to.
    pub path: &'static str,
    pub family: Family,
    /// What Intuit lets an integration write.
    pub write: QbWrite,
}

/// A QuickBooks entity whose objects are `T`s.
pub(crate) struct QbKind<T> {
    pub(crate) entity: Entity,
    object: PhantomData<fn() -> T>,
}

impl<T> QbKind<T> {
    const fn new(entity: Entity) -> Self {
        QbKind {
            entity,
            object: PhantomData,
        }
    }
}

/// The fields that name a QuickBooks object to a person: a document's
/// number, a customer's or vendor's display name, an item's or account's name.
const LABEL_FIELDS: &[&str] = &["DocNumber", "DisplayName", "Name", "PaymentRefNum"];

#[async_trait]
impl<T: QbObject> ObjectKind for QbKind<T> {
    fn label_fields(&self) -> &'static [&'static str] {
        LABEL_FIELDS
    }

    // Tether's kind name; `Entity::name` is Intuit's entity name.
    #[expect(clippy::misnamed_getters, reason = "core's `name` is the kind name")]
    fn name(&self) -> &'static str {
        self.entity.kind
    }

    fn capabilities(&self) -> KindCapabilities {
        KindCapabilities {
            paging: Paging::Paged {
                max_page_size: MAX_RESULTS,
            },
            modified_since: true,
            deletion: self.entity.family.strategy(),
            read_by_ids: Some(IDS_PER_READ),
            write: Some(self.entity.write.caps),
        }
    }

    async fn list_page(&self, api: &Api, request: PageRequest) -> Result<Page> {
        lister::list_page(api, &self.entity, request).await
    }

    fn parse(&self, raw: &RawValue) -> std::result::Result<ParsedObject, ParseError> {
        parse::parse::<T>(&self.entity, raw)
    }

    async fn read_by_ids(&self, api: &Api, ids: &[String]) -> Result<Page> {
        lister::read_by_ids(api, &self.entity, ids).await
    }

    fn writer(&self) -> Option<&dyn ObjectWriter> {
        Some(self as &dyn ObjectWriter)
    }
}

pub(crate) static ACCOUNTS: QbKind<Account> = QbKind::new(Entity {
    kind: "accounts",
    name: "Account",
    path: "account",
    family: Family::NameList,
    write: write_rules::ACCOUNTS,
});

pub(crate) static CUSTOMERS: QbKind<Customer> = QbKind::new(Entity {
    kind: "customers",
    name: "Customer",
    path: "customer",
    family: Family::NameList,
    write: write_rules::CUSTOMERS,
});

pub(crate) static VENDORS: QbKind<Vendor> = QbKind::new(Entity {
    kind: "vendors",
    name: "Vendor",
    path: "vendor",
    family: Family::NameList,
    write: write_rules::VENDORS,
});

pub(crate) static ITEMS: QbKind<Item> = QbKind::new(Entity {
    kind: "items",
    name: "Item",
    path: "item",
    family: Family::NameList,
    write: write_rules::ITEMS,
});

pub(crate) static INVOICES: QbKind<Invoice> = QbKind::new(Entity {
    kind: "invoices",
    name: "Invoice",
    path: "invoice",
    family: Family::Transaction,
    write: write_rules::INVOICES,
});

pub(crate) static BILLS: QbKind<Bill> = QbKind::new(Entity {
    kind: "bills",
    name: "Bill",
    path: "bill",
    family: Family::Transaction,
    write: write_rules::BILLS,
});

pub(crate) static PAYMENTS: QbKind<Payment> = QbKind::new(Entity {
    kind: "payments",
    name: "Payment",
    path: "payment",
    family: Family::Transaction,
    write: write_rules::PAYMENTS,
});

pub(crate) static BILL_PAYMENTS: QbKind<BillPayment> = QbKind::new(Entity {
    kind: "bill_payments",
    name: "BillPayment",
    path: "billpayment",
    family: Family::Transaction,
    write: write_rules::BILL_PAYMENTS,
});

pub(crate) static CREDIT_MEMOS: QbKind<CreditMemo> = QbKind::new(Entity {
    kind: "credit_memos",
    name: "CreditMemo",
    path: "creditmemo",
    family: Family::Transaction,
    write: write_rules::CREDIT_MEMOS,
});

pub(crate) static JOURNAL_ENTRIES: QbKind<JournalEntry> = QbKind::new(Entity {
    kind: "journal_entries",
    name: "JournalEntry",
    path: "journalentry",
    family: Family::Transaction,
    write: write_rules::JOURNAL_ENTRIES,
});

/// Every kind, in sync order: the names transactions refer to first.
pub(crate) static KINDS: [&dyn ObjectKind; 10] = [
    &ACCOUNTS,
    &CUSTOMERS,
    &VENDORS,
    &ITEMS,
    &INVOICES,
    &BILLS,
    &PAYMENTS,
    &BILL_PAYMENTS,
    &CREDIT_MEMOS,
    &JOURNAL_ENTRIES,
];

/// The same entities as rows, for what works across kinds (the change feed).
pub(crate) static ENTITIES: [&Entity; 10] = [
    &ACCOUNTS.entity,
    &CUSTOMERS.entity,
    &VENDORS.entity,
    &ITEMS.entity,
    &INVOICES.entity,
    &BILLS.entity,
    &PAYMENTS.entity,
    &BILL_PAYMENTS.entity,
    &CREDIT_MEMOS.entity,
    &JOURNAL_ENTRIES.entity,
];

/// The entity of Tether's kind name.
pub(crate) fn entity(kind: &str) -> Option<&'static Entity> {
    ENTITIES.iter().copied().find(|e| e.kind == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_matches_itself() {
        for (kind, entity) in KINDS.iter().zip(ENTITIES) {
            assert_eq!(kind.name(), entity.kind);
            assert_eq!(entity.path, entity.name.to_lowercase());
            let caps = kind.capabilities();
            assert_eq!(caps.deletion, entity.family.strategy());
            assert_eq!(caps.read_by_ids, Some(100));
            assert!(kind.writer().is_some() && caps.write.is_some());
        }
        assert_eq!(entity("bill_payments").map(|e| e.name), Some("BillPayment"));
        assert!(entity("contacts").is_none());
    }
}
