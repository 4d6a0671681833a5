//! The ten QuickBooks entities the simulator serves, and the names each goes
//! by: Tether's kind name, Intuit's entity name, and the lower-case path
//! segment of its write and read-one endpoints; and what may be read
//! besides them (the company's own `CompanyInfo`).

/// One QuickBooks entity, in Tether's sync order (references first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Entity {
    Account,
    Customer,
    Vendor,
    Item,
    Invoice,
    Bill,
    Payment,
    BillPayment,
    CreditMemo,
    JournalEntry,
}

impl Entity {
    /// Every entity, in sync order; `index()` is the position here.
    pub(crate) const ALL: [Entity; 10] = [
        Entity::Account,
        Entity::Customer,
        Entity::Vendor,
        Entity::Item,
        Entity::Invoice,
        Entity::Bill,
        Entity::Payment,
        Entity::BillPayment,
        Entity::CreditMemo,
        Entity::JournalEntry,
    ];

    /// Position in [`Entity::ALL`], for per-entity tables.
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// Intuit's entity name, as queries, answers and CDC spell it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Entity::Account => "Account",
            Entity::Customer => "Customer",
            Entity::Vendor => "Vendor",
            Entity::Item => "Item",
            Entity::Invoice => "Invoice",
            Entity::Bill => "Bill",
            Entity::Payment => "Payment",
            Entity::BillPayment => "BillPayment",
            Entity::CreditMemo => "CreditMemo",
            Entity::JournalEntry => "JournalEntry",
        }
    }

    /// Tether's kind name (`bill_payments`, ...).
    pub(crate) fn kind(self) -> &'static str {
        match self {
            Entity::Account => "accounts",
            Entity::Customer => "customers",
            Entity::Vendor => "vendors",
            Entity::Item => "items",
            Entity::Invoice => "invoices",
            Entity::Bill => "bills",
            Entity::Payment => "payments",
            Entity::BillPayment => "bill_payments",
            Entity::CreditMemo => "credit_memos",
            Entity::JournalEntry => "journal_entries",
        }
    }

    /// The entity Intuit names `name`, in any case (queries and paths
    /// are case-insensitive: `invoice`, `Invoice`, `billpayment`).
    pub(crate) fn from_name(name: &str) -> Option<Entity> {
        Entity::ALL
            .into_iter()
            .find(|e| e.name().eq_ignore_ascii_case(name))
    }

    /// The entity of Tether's kind name.
    pub(crate) fn from_kind(kind: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.kind() == kind)
    }

    /// Name-list entities are never deleted, only made inactive.
    pub(crate) fn is_name_list(self) -> bool {
        matches!(
            self,
            Entity::Account | Entity::Customer | Entity::Vendor | Entity::Item
        )
    }

    /// Whether `?operation=void` applies (docs.md: Invoice, Payment, BillPayment).
    pub(crate) fn voidable(self) -> bool {
        matches!(
            self,
            Entity::Invoice | Entity::Payment | Entity::BillPayment
        )
    }
}

/// What a query or a read by id may name: one of the ten entities, or the
/// company's `CompanyInfo`, which is read only here (not one of Tether's
/// kinds: never written, not in CDC, no snapshot).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Readable {
    Entity(Entity),
    CompanyInfo,
}

impl Readable {
    /// What Intuit names `name`, in any case.
    pub(crate) fn from_name(name: &str) -> Option<Readable> {
        match Entity::from_name(name) {
            Some(e) => Some(Readable::Entity(e)),
            None => name
                .eq_ignore_ascii_case("CompanyInfo")
                .then_some(Readable::CompanyInfo),
        }
    }

    /// Intuit's name, as answers spell it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Readable::Entity(e) => e.name(),
            Readable::CompanyInfo => "CompanyInfo",
        }
    }

    /// Whether queries answer only active objects unless `Active` is asked.
    pub(crate) fn is_name_list(self) -> bool {
        matches!(self, Readable::Entity(e) if e.is_name_list())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_any_case() {
        for e in Entity::ALL {
            assert_eq!(Entity::from_name(&e.name().to_lowercase()), Some(e));
            assert_eq!(Entity::from_kind(e.kind()), Some(e));
            assert_eq!(Entity::ALL[e.index()], e);
        }
        assert_eq!(Entity::from_name("billpayment"), Some(Entity::BillPayment));
        assert_eq!(Entity::from_name("Employee"), None);
        assert!(Entity::Item.is_name_list() && !Entity::Bill.is_name_list());
        assert_eq!(
            Readable::from_name("companyinfo"),
            Some(Readable::CompanyInfo)
        );
        assert_eq!(Entity::from_name("CompanyInfo"), None, "not an entity");
        assert!(!Readable::CompanyInfo.is_name_list());
        assert!(Readable::Entity(Entity::Vendor).is_name_list());
    }
}
