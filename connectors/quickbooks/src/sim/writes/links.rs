//! What payments do to what they pay: a Payment lowers the `Balance` of the
//! invoices its lines link, a BillPayment that of the bills; changing,
//! deleting or voiding the payment gives the difference back. Each form
//! whose balance moves is itself changed (new `SyncToken`, new time), so
//! CDC shows it.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::Value;

use crate::sim::entity::Entity;
use crate::sim::fault::Fault;
use crate::sim::store::Books;
use crate::sim::{money, totals};

/// The entity a payment entity pays and its `TxnType` in `LinkedTxn`.
fn target(e: Entity) -> Option<(Entity, &'static str)> {
    match e {
        Entity::Payment => Some((Entity::Invoice, "Invoice")),
        Entity::BillPayment => Some((Entity::Bill, "Bill")),
        _ => None,
    }
}

/// Moves the balances of the forms `old` applied to and `new` applies to
/// (either absent for a create or a delete). Checks every form first (each
/// must exist, no balance may go below zero), so a refusal changes nothing.
pub(crate) fn settle(
    books: &mut Books,
    e: Entity,
    old: Option<&Value>,
    new: Option<&Value>,
    now_ms: i64,
) -> Result<(), Fault> {
    let Some((form, txn_type)) = target(e) else {
        return Ok(());
    };
    // Per form: what its balance gains back (old) less what it gives (new).
    let mut delta: BTreeMap<u64, Decimal> = BTreeMap::new();
    for (id, amount) in old
        .map(|o| totals::applied(o, txn_type))
        .unwrap_or_default()
    {
        *delta.entry(id).or_default() += amount;
    }
    for (id, amount) in new
        .map(|n| totals::applied(n, txn_type))
        .unwrap_or_default()
    {
        *delta.entry(id).or_default() -= amount;
    }
    let mut changed = Vec::new();
    for (id, d) in delta.into_iter().filter(|(_, d)| !d.is_zero()) {
        let Some(obj) = books.get(form, id) else {
            if d < Decimal::ZERO {
                return Err(Fault::invalid_reference("LinkedTxn", &id.to_string()));
            }
            continue; // The form is gone; nothing to give back.
        };
        let balance = money::read(&obj["Balance"]).unwrap_or_default() + d;
        if balance < Decimal::ZERO {
            return Err(Fault::business(format!(
                "The payment is more than the open balance of {txn_type} {id}"
            )));
        }
        let mut obj = obj.clone();
        obj["Balance"] = money::json(balance);
        changed.push((id, obj));
    }
    for (id, obj) in changed {
        books.replace(form, id, obj, now_ms);
    }
    Ok(())
}

/// What payments have taken off a form's balance (zero for a voided one).
pub(crate) fn paid(obj: &Value) -> Decimal {
    match (money::read(&obj["TotalAmt"]), money::read(&obj["Balance"])) {
        (Some(t), Some(b)) => t - b,
        _ => Decimal::ZERO,
    }
}
