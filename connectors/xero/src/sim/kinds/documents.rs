//! Invoices and credit notes: numbering, status transitions, totals, and
//! the changes Xero makes without a new `UpdatedDateUTC` (see `silent`).

use rust_decimal::Decimal;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::contacts::resolve_contact;
use super::doc_rules::{currency, day, transition};
use super::lines::{self, Side};
use super::silent::{note_contact_role, unjournalled_edit};
use super::{Ctx, Failure, Target, load_and_merge};
use crate::sim::collections::Kind;
use crate::sim::dates::{date_string, day_start, xero_date};
use crate::sim::model::*;

const INVOICE_READ_ONLY: &[&str] = &[
    "Payments",
    "CreditNotes",
    "Prepayments",
    "Overpayments",
    "AmountDue",
    "AmountPaid",
    "AmountCredited",
    "SubTotal",
    "TotalTax",
    "Total",
    "TotalDiscount",
    "UpdatedDateUTC",
    "FullyPaidOnDate",
    "DateString",
    "DueDateString",
    "HasErrors",
    "IsDiscounted",
    "HasAttachments",
    "StatusAttributeString",
    "ValidationErrors",
    "Warnings",
    "RemainingCredit",
    "Allocations",
    "AppliedAmount",
];

fn sum_payments(p: &Option<Vec<PaymentRef>>) -> Decimal {
    p.iter()
        .flatten()
        .map(|p| p.Amount.map_or(Decimal::ZERO, |a| a.0))
        .sum()
}

/// `PUT`/`POST` of one invoice.
pub(crate) fn write_invoice(
    ctx: &mut Ctx,
    target: Target,
    incoming: &Map<String, Value>,
) -> Result<(Uuid, String), Failure> {
    let (old, mut inv): (Option<Invoice>, Invoice) =
        load_and_merge(ctx, Kind::Invoices, target, incoming, INVOICE_READ_ONLY)?;
    let mut errors = Vec::new();

    let ty = inv.Type.clone().unwrap_or_default();
    let side = match ty.as_str() {
        "ACCREC" => Side::Sales,
        "ACCPAY" => Side::Purchases,
        "" => {
            errors.push("Invoice Type must be specified (ACCREC or ACCPAY).".to_string());
            Side::Sales
        }
        other => {
            errors.push(format!(
                "'{other}' is not a valid invoice Type; use ACCREC or ACCPAY."
            ));
            Side::Sales
        }
    };
    if old.as_ref().is_some_and(|o| o.Type != inv.Type) {
        errors.push("The Type of an invoice cannot be changed.".to_string());
    }
    let old_status = old.as_ref().and_then(|o| o.Status.clone());
    let status = inv
        .Status
        .clone()
        .unwrap_or_else(|| "DRAFT".to_string())
        .to_ascii_uppercase();
    let paid = sum_payments(&inv.Payments);
    if let Some(m) = transition(
        "invoice",
        old_status.as_deref(),
        &status,
        paid > Decimal::ZERO,
    ) {
        errors.push(m);
    }
    let lines_changed = incoming.contains_key("LineItems") || incoming.contains_key("Contact");
    if paid > Decimal::ZERO && lines_changed && errors.is_empty() {
        errors.push(
            "This document cannot be edited as it has a payment or credit note allocated to it."
                .to_string(),
        );
    }
    inv.Status = Some(status.clone());

    inv.Contact = resolve_contact(ctx, inv.Contact.as_ref(), &mut errors);
    let today = day_start(ctx.now);
    match day(inv.Date.as_deref(), "Date", &mut errors) {
        Some((d, s)) => (inv.Date, inv.DateString) = (Some(d), Some(s)),
        None if inv.Date.is_none() => {
            (inv.Date, inv.DateString) = (Some(xero_date(today)), Some(date_string(today)))
        }
        None => {}
    }
    if let Some((d, s)) = day(inv.DueDate.as_deref(), "DueDate", &mut errors) {
        (inv.DueDate, inv.DueDateString) = (Some(d), Some(s));
    }
    let lat = match lines::line_amount_types(inv.LineAmountTypes.as_deref()) {
        Some(l) => l,
        None => {
            errors.push("LineAmountTypes must be Exclusive, Inclusive or NoTax.".to_string());
            "Exclusive"
        }
    };
    inv.LineAmountTypes = Some(lat.to_string());
    let (code, rate) = currency(inv.CurrencyCode.as_deref(), inv.CurrencyRate, &mut errors);
    (inv.CurrencyCode, inv.CurrencyRate) = (Some(code), Some(rate));

    let mut items = inv.LineItems.take().unwrap_or_default();
    let approved = status == "AUTHORISED";
    let t = lines::complete(ctx, &mut items, lat, side, approved, &mut errors);
    inv.IsDiscounted = Some(
        items
            .iter()
            .any(|l| l.DiscountRate.is_some_and(|d| !d.0.is_zero())),
    );
    inv.LineItems = Some(items);
    inv.SubTotal = Some(Money::new(t.sub_total));
    inv.TotalTax = Some(Money::new(t.total_tax));
    inv.Total = Some(Money::new(t.total));
    let credited = inv.AmountCredited.map_or(Decimal::ZERO, |m| m.0);
    let due = if matches!(status.as_str(), "VOIDED" | "DELETED") {
        Decimal::ZERO
    } else {
        t.total - paid - credited
    };
    inv.AmountPaid = Some(Money::new(paid));
    inv.AmountCredited = Some(Money::new(credited));
    inv.AmountDue = Some(Money::new(due));

    if ty == "ACCREC" {
        match inv.InvoiceNumber.as_deref().filter(|n| !n.is_empty()) {
            None if old.is_none() => {
                ctx.data.counters.next_invoice += 1;
                inv.InvoiceNumber = Some(format!("INV-{:04}", ctx.data.counters.next_invoice));
            }
            Some(n) => {
                let me = inv.InvoiceID;
                let clash = ctx.data.col(Kind::Invoices).iter().any(|(id, e)| {
                    Some(id) != me
                        && e.number.as_deref() == Some(n)
                        && e.raw.starts_with("{\"Type\":\"ACCREC\"")
                        && !matches!(
                            Kind::Invoices.status_name(e.status),
                            Some("DELETED" | "VOIDED")
                        )
                });
                if clash {
                    errors.push("Invoice # must be unique.".to_string());
                }
            }
            None => {}
        }
    }
    inv.Payments.get_or_insert_with(Vec::new);
    inv.CreditNotes.get_or_insert_with(Vec::new);
    inv.Prepayments.get_or_insert_with(Vec::new);
    inv.Overpayments.get_or_insert_with(Vec::new);
    inv.SentToContact.get_or_insert(false);
    inv.HasAttachments.get_or_insert(false);
    inv.Reference.get_or_insert_with(String::new);

    if !errors.is_empty() {
        inv.InvoiceID.get_or_insert(Uuid::nil());
        inv.HasErrors = Some(true);
        inv.StatusAttributeString = Some("ERROR".to_string());
        inv.ValidationErrors = Some(ValidationError::list(&errors));
        return Err(Failure::new(&inv, errors));
    }
    inv.HasErrors = Some(false);
    inv.InvoiceID.get_or_insert_with(Uuid::new_v4);
    inv.UpdatedDateUTC = match old.as_ref() {
        Some(o) if unjournalled_edit(o, incoming) => o.UpdatedDateUTC.clone(),
        _ => Some(xero_date(ctx.now)),
    };
    let stored = ctx.store(&inv)?;
    note_contact_role(ctx, inv.Contact.as_ref().and_then(|c| c.ContactID), &ty)?;
    Ok(stored)
}

/// `PUT`/`POST` of one credit note.
pub(crate) fn write_credit_note(
    ctx: &mut Ctx,
    target: Target,
    incoming: &Map<String, Value>,
) -> Result<(Uuid, String), Failure> {
    let (old, mut cn): (Option<CreditNote>, CreditNote) =
        load_and_merge(ctx, Kind::CreditNotes, target, incoming, INVOICE_READ_ONLY)?;
    let mut errors = Vec::new();
    let ty = cn.Type.clone().unwrap_or_default();
    let side = match ty.as_str() {
        "ACCRECCREDIT" => Side::Sales,
        "ACCPAYCREDIT" => Side::Purchases,
        _ => {
            errors.push("Credit note Type must be ACCRECCREDIT or ACCPAYCREDIT.".to_string());
            Side::Sales
        }
    };
    if old.as_ref().is_some_and(|o| o.Type != cn.Type) {
        errors.push("The Type of a credit note cannot be changed.".to_string());
    }
    let old_status = old.as_ref().and_then(|o| o.Status.clone());
    let status = cn
        .Status
        .clone()
        .unwrap_or_else(|| "DRAFT".to_string())
        .to_ascii_uppercase();
    if let Some(m) = transition("credit note", old_status.as_deref(), &status, false) {
        errors.push(m);
    }
    cn.Status = Some(status.clone());
    cn.Contact = resolve_contact(ctx, cn.Contact.as_ref(), &mut errors);
    let today = day_start(ctx.now);
    match day(cn.Date.as_deref(), "Date", &mut errors) {
        Some((d, s)) => (cn.Date, cn.DateString) = (Some(d), Some(s)),
        None if cn.Date.is_none() => {
            (cn.Date, cn.DateString) = (Some(xero_date(today)), Some(date_string(today)))
        }
        None => {}
    }
    let lat = lines::line_amount_types(cn.LineAmountTypes.as_deref()).unwrap_or_else(|| {
        errors.push("LineAmountTypes must be Exclusive, Inclusive or NoTax.".to_string());
        "Exclusive"
    });
    cn.LineAmountTypes = Some(lat.to_string());
    let (code, rate) = currency(cn.CurrencyCode.as_deref(), cn.CurrencyRate, &mut errors);
    (cn.CurrencyCode, cn.CurrencyRate) = (Some(code), Some(rate));
    let mut items = cn.LineItems.take().unwrap_or_default();
    let t = lines::complete(
        ctx,
        &mut items,
        lat,
        side,
        status == "AUTHORISED",
        &mut errors,
    );
    cn.LineItems = Some(items);
    cn.SubTotal = Some(Money::new(t.sub_total));
    cn.TotalTax = Some(Money::new(t.total_tax));
    cn.Total = Some(Money::new(t.total));
    let remaining = match status.as_str() {
        "AUTHORISED" | "DRAFT" | "SUBMITTED" => t.total,
        _ => Decimal::ZERO,
    };
    cn.RemainingCredit = Some(Money::new(remaining));
    if ty == "ACCRECCREDIT"
        && cn.CreditNoteNumber.as_deref().is_none_or(str::is_empty)
        && old.is_none()
    {
        ctx.data.counters.next_credit_note += 1;
        cn.CreditNoteNumber = Some(format!("CN-{:04}", ctx.data.counters.next_credit_note));
    }
    cn.Payments.get_or_insert_with(Vec::new);
    cn.Allocations.get_or_insert_with(Vec::new);
    cn.HasAttachments.get_or_insert(false);
    cn.Reference.get_or_insert_with(String::new);
    if !errors.is_empty() {
        cn.CreditNoteID.get_or_insert(Uuid::nil());
        cn.HasErrors = Some(true);
        cn.StatusAttributeString = Some("ERROR".to_string());
        cn.ValidationErrors = Some(ValidationError::list(&errors));
        return Err(Failure::new(&cn, errors));
    }
    cn.HasErrors = None;
    cn.CreditNoteID.get_or_insert_with(Uuid::new_v4);
    cn.UpdatedDateUTC = Some(xero_date(ctx.now));
    let stored = ctx.store(&cn)?;
    note_contact_role(ctx, cn.Contact.as_ref().and_then(|c| c.ContactID), &ty)?;
    Ok(stored)
}
