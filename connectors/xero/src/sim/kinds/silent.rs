//! Changes Xero makes without bumping `UpdatedDateUTC`, so that an
//! `If-Modified-Since` pull does not return the changed object. Xero
//! documents them (developer.xero.com/documentation/api/requests-and-responses,
//! "Retrieving modified resources"): "Not all changes will trigger a change
//! of the UpdatedDateUTC field. These include changes to partially paid
//! transactions which don't generate a journal such as DueDate or
//! SentToContact, and Contact fields pulled from other sources such as
//! Balances, IsSupplier, and isCustomer." Only the named fields are
//! reproduced (the simulator serves no `Balances`).

use rust_decimal::Decimal;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Ctx, Failure};
use crate::sim::collections::Kind;
use crate::sim::model::{Contact, Invoice};

/// Invoice fields whose change on a partially paid invoice generates no
/// journal, as the documentation names them.
const UNJOURNALLED: &[&str] = &["DueDate", "SentToContact"];

/// Whether an update of `old` with `incoming` leaves `UpdatedDateUTC` as it
/// was: the invoice is partially paid (AUTHORISED with an amount paid or
/// credited; a fully paid one is PAID and cannot be edited), the request
/// sets DueDate or SentToContact, and every other field it sends keeps the
/// stored value.
pub(crate) fn unjournalled_edit(old: &Invoice, incoming: &Map<String, Value>) -> bool {
    let amount = |m: Option<crate::sim::model::Money>| m.map_or(Decimal::ZERO, |m| m.0);
    let partly_paid = old.Status.as_deref() == Some("AUTHORISED")
        && amount(old.AmountPaid) + amount(old.AmountCredited) > Decimal::ZERO;
    if !partly_paid || !UNJOURNALLED.iter().any(|k| incoming.contains_key(*k)) {
        return false;
    }
    let stored = serde_json::to_value(old).unwrap_or(Value::Null);
    incoming.iter().all(|(k, v)| {
        UNJOURNALLED.contains(&k.as_str()) || k == "InvoiceID" || stored.get(k) == Some(v)
    })
}

/// Marks the contact of a new or changed invoice or credit note as a
/// customer (sales side) or supplier (purchases side), keeping its
/// `UpdatedDateUTC`. The spec's Contact schema: IsCustomer/IsSupplier
/// "Cannot be set via PUT or POST – it is automatically set when an accounts
/// receivable [payable] invoice is generated against this contact"; Xero's
/// API feedback forum (xero.uservoice.com, "Align front-end and api behaviour
/// to list Customers"): "Once an invoice, bill or credit note is raised the
/// isSupplier or isCustomer field is updated accordingly. The contact
/// retains this status."
pub(crate) fn note_contact_role(
    ctx: &mut Ctx,
    contact: Option<Uuid>,
    doc_type: &str,
) -> Result<(), Failure> {
    let Some(id) = contact else {
        return Ok(());
    };
    let Some(mut c) = ctx.get::<Contact>(Kind::Contacts, &id) else {
        return Ok(());
    };
    let flag = match doc_type {
        "ACCREC" | "ACCRECCREDIT" => &mut c.IsCustomer,
        "ACCPAY" | "ACCPAYCREDIT" => &mut c.IsSupplier,
        _ => return Ok(()),
    };
    if *flag == Some(true) {
        return Ok(());
    }
    *flag = Some(true);
    ctx.store(&c).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::model::Money;

    fn inv(status: &str, paid: i64) -> Invoice {
        Invoice {
            Type: Some("ACCREC".into()),
            Status: Some(status.into()),
            Reference: Some("R".into()),
            AmountPaid: Some(Money::new(Decimal::from(paid))),
            ..Default::default()
        }
    }

    fn body(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn only_named_fields_of_partly_paid_invoices() {
        let due = body(serde_json::json!({ "DueDate": "2030-01-01" }));
        assert!(unjournalled_edit(&inv("AUTHORISED", 5), &due));
        assert!(!unjournalled_edit(&inv("AUTHORISED", 0), &due));
        assert!(!unjournalled_edit(&inv("DRAFT", 0), &due));
        let sent = body(
            serde_json::json!({ "SentToContact": true, "Status": "AUTHORISED", "Reference": "R" }),
        );
        assert!(unjournalled_edit(&inv("AUTHORISED", 5), &sent));
        let more = body(serde_json::json!({ "DueDate": "2030-01-01", "Reference": "new" }));
        assert!(!unjournalled_edit(&inv("AUTHORISED", 5), &more));
        let none = body(serde_json::json!({ "Reference": "R" }));
        assert!(!unjournalled_edit(&inv("AUTHORISED", 5), &none));
    }
}
