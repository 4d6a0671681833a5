//! A customer's or vendor's `Balance`: what their open invoices (or bills)
//! still owe. QuickBooks keeps it itself; a write to a form or a payment
//! moves it for the parties it names, before and after.

use rust_decimal::Decimal;
use serde_json::Value;

use crate::sim::entity::Entity;
use crate::sim::money;
use crate::sim::store::{Books, ref_id};

/// The party whose balance a write of `e` moves: its entity, its
/// reference field, and the forms that make up its balance.
pub(crate) fn party_of(e: Entity) -> Option<(Entity, &'static str, Entity)> {
    match e {
        Entity::Invoice | Entity::Payment => {
            Some((Entity::Customer, "CustomerRef", Entity::Invoice))
        }
        Entity::Bill | Entity::BillPayment => Some((Entity::Vendor, "VendorRef", Entity::Bill)),
        _ => None,
    }
}

/// The party `obj` names, if any.
pub(crate) fn party_id(obj: Option<&Value>, field: &str) -> Option<u64> {
    obj.and_then(|o| ref_id(&o[field]))
}

/// Sets each party's `Balance` to the sum of its forms' balances (a
/// figure QuickBooks keeps, not a change of the party: no new `SyncToken`).
pub(crate) fn refresh(books: &mut Books, e: Entity, ids: &[u64]) {
    let Some((party, field, forms)) = party_of(e) else {
        return;
    };
    for &id in ids {
        let owed: Decimal = books
            .table(forms)
            .rows
            .iter()
            .map(|(_, r)| r)
            .filter(|r| ref_id(&r.obj[field]) == Some(id))
            .filter_map(|r| money::read(&r.obj["Balance"]))
            .sum();
        books
            .table_mut(party)
            .touch_silently(id, |obj| obj["Balance"] = money::json(owed));
    }
}
