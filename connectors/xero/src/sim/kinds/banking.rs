//! Bank transactions (spend / receive money) and manual journals.

use rust_decimal::Decimal;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::contacts::resolve_contact;
use super::lines::{self, Side};
use super::{Ctx, Failure, Target, load_and_merge};
use crate::sim::collections::Kind;
use crate::sim::dates::{date_string, day_start, parse_request_date, xero_date};
use crate::sim::model::*;

const READ_ONLY: &[&str] = &[
    "UpdatedDateUTC",
    "SubTotal",
    "TotalTax",
    "Total",
    "HasAttachments",
    "DateString",
    "StatusAttributeString",
    "ValidationErrors",
    "Warnings",
    "PrepaymentID",
    "OverpaymentID",
];

/// Date of a request as (`/Date()/`, `DateString`), today when absent.
fn date(ctx: &Ctx, v: Option<&str>, errors: &mut Vec<String>) -> (String, String) {
    let ms = match v {
        None => day_start(ctx.now),
        Some(s) => parse_request_date(s).unwrap_or_else(|| {
            errors.push(format!("The Date '{s}' is not a valid date."));
            day_start(ctx.now)
        }),
    };
    (xero_date(ms), date_string(ms))
}

/// `PUT`/`POST` of one bank transaction.
pub(crate) fn write_bank_transaction(
    ctx: &mut Ctx,
    target: Target,
    incoming: &Map<String, Value>,
) -> Result<(Uuid, String), Failure> {
    let (old, mut bt): (Option<BankTransaction>, BankTransaction) =
        load_and_merge(ctx, Kind::BankTransactions, target, incoming, READ_ONLY)?;
    let mut errors = Vec::new();
    let side = match bt.Type.as_deref() {
        Some("RECEIVE") => Side::Sales,
        Some("SPEND") => Side::Purchases,
        Some(t) if old.is_some() => {
            if t.starts_with("RECEIVE") {
                Side::Sales
            } else {
                Side::Purchases
            }
        }
        _ => {
            errors.push("Bank transaction Type must be RECEIVE or SPEND.".to_string());
            Side::Sales
        }
    };
    let old_status = old.as_ref().and_then(|o| o.Status.clone());
    let status = bt
        .Status
        .clone()
        .unwrap_or_else(|| "AUTHORISED".into())
        .to_ascii_uppercase();
    match (old_status.as_deref(), status.as_str()) {
        (None, "AUTHORISED") | (Some("AUTHORISED"), "AUTHORISED") => {}
        (Some("AUTHORISED"), "DELETED" | "VOIDED")
            if old.as_ref().and_then(|o| o.IsReconciled) == Some(true) =>
        {
            errors.push("A reconciled bank transaction cannot be deleted.".to_string());
        }
        (Some("AUTHORISED"), "DELETED" | "VOIDED") => {}
        (Some("DELETED" | "VOIDED"), _) => {
            errors.push("Bank transaction not of valid status for modification".to_string());
        }
        (_, s) => errors.push(format!(
            "A bank transaction cannot be given the status {s}."
        )),
    }
    bt.Status = Some(status);
    let bank = bt.BankAccount.clone().unwrap_or_default();
    match ctx.account_ref(&bank) {
        Some(a) if a.Type.as_deref() == Some("BANK") && a.Status.as_deref() == Some("ACTIVE") => {
            bt.BankAccount = Some(AccountRef {
                AccountID: a.AccountID,
                Code: a.Code.clone(),
                Name: a.Name.clone(),
            });
            bt.CurrencyCode.get_or_insert(
                a.CurrencyCode
                    .clone()
                    .unwrap_or_else(|| super::BASE_CURRENCY.into()),
            );
        }
        _ => errors.push(
            "A valid BankAccount (AccountID or Code of a BANK account) must be specified."
                .to_string(),
        ),
    }
    bt.Contact = resolve_contact(ctx, bt.Contact.as_ref(), &mut errors);
    let (d, s) = date(ctx, bt.Date.as_deref(), &mut errors);
    (bt.Date, bt.DateString) = (Some(d), Some(s));
    let lat = lines::line_amount_types(bt.LineAmountTypes.as_deref()).unwrap_or_else(|| {
        errors.push("LineAmountTypes must be Exclusive, Inclusive or NoTax.".to_string());
        "Exclusive"
    });
    bt.LineAmountTypes = Some(lat.to_string());
    let mut items = bt.LineItems.take().unwrap_or_default();
    if items.is_empty() {
        errors.push("A bank transaction must have at least one line item.".to_string());
    }
    let t = lines::complete(ctx, &mut items, lat, side, true, &mut errors);
    bt.LineItems = Some(items);
    bt.SubTotal = Some(Money::new(t.sub_total));
    bt.TotalTax = Some(Money::new(t.total_tax));
    bt.Total = Some(Money::new(t.total));
    bt.IsReconciled.get_or_insert(false);
    bt.HasAttachments.get_or_insert(false);
    if !errors.is_empty() {
        bt.BankTransactionID.get_or_insert(Uuid::nil());
        bt.StatusAttributeString = Some("ERROR".to_string());
        bt.ValidationErrors = Some(ValidationError::list(&errors));
        return Err(Failure::new(&bt, errors));
    }
    bt.BankTransactionID.get_or_insert_with(Uuid::new_v4);
    bt.UpdatedDateUTC = Some(xero_date(ctx.now));
    ctx.store(&bt)
}

/// `PUT`/`POST` of one manual journal.
pub(crate) fn write_manual_journal(
    ctx: &mut Ctx,
    target: Target,
    incoming: &Map<String, Value>,
) -> Result<(Uuid, String), Failure> {
    let (old, mut mj): (Option<ManualJournal>, ManualJournal) =
        load_and_merge(ctx, Kind::ManualJournals, target, incoming, READ_ONLY)?;
    let mut errors = Vec::new();
    if mj.Narration.as_deref().is_none_or(|n| n.trim().is_empty()) {
        errors.push("Narration must be specified.".to_string());
    }
    let old_status = old.as_ref().and_then(|o| o.Status.clone());
    let status = mj
        .Status
        .clone()
        .unwrap_or_else(|| "DRAFT".into())
        .to_ascii_uppercase();
    let allowed = matches!(
        (old_status.as_deref(), status.as_str()),
        (None, "DRAFT" | "POSTED")
            | (Some("DRAFT"), "DRAFT" | "POSTED" | "DELETED")
            | (Some("POSTED"), "POSTED" | "VOIDED")
    );
    if !allowed {
        errors.push(match old_status {
            Some(o) => format!("A manual journal cannot change status from {o} to {status}."),
            None => format!("A manual journal cannot be created with a status of {status}."),
        });
    }
    mj.Status = Some(status);
    let (d, _) = date(ctx, mj.Date.as_deref(), &mut errors);
    mj.Date = Some(d);
    let lat = lines::line_amount_types(mj.LineAmountTypes.as_deref().or(Some("NoTax")))
        .unwrap_or("NoTax");
    mj.LineAmountTypes = Some(lat.to_string());
    let cats = ctx.tracking();
    let mut journal = mj.JournalLines.take().unwrap_or_default();
    if journal.len() < 2 {
        errors.push("A manual journal must have at least two journal lines.".to_string());
    }
    let mut sum = Decimal::ZERO;
    for l in journal.iter_mut() {
        let amount = l.LineAmount.map_or(Decimal::ZERO, |m| m.0);
        sum += amount;
        l.LineAmount = Some(Money::new(amount));
        match l.AccountCode.as_deref().and_then(|c| ctx.account(c)) {
            Some(a) => l.AccountID = a.AccountID,
            None => errors.push(format!(
                "Account code '{}' is not a valid code for this document.",
                l.AccountCode.clone().unwrap_or_default()
            )),
        }
        let tax = l.TaxType.clone().unwrap_or_else(|| "NONE".into());
        let rate = match ctx.tax_rate(&tax) {
            Some(t) => t.EffectiveRate.map_or(Decimal::ZERO, |r| r.0),
            None => {
                errors.push(format!("The TaxType code '{tax}' does not exist or cannot be used for this type of transaction."));
                Decimal::ZERO
            }
        };
        l.TaxType = Some(tax);
        l.TaxAmount = Some(Money::new(lines::line_tax(amount, rate, lat)));
        let tracking = l.Tracking.get_or_insert_with(Vec::new);
        lines::resolve_tracking(&cats, tracking, &mut errors);
        l.IsBlank = Some(amount.is_zero());
    }
    if !sum.is_zero() {
        errors.push(
            "The total debits must equal the total credits (the LineAmounts must sum to zero)."
                .to_string(),
        );
    }
    mj.JournalLines = Some(journal);
    mj.ShowOnCashBasisReports.get_or_insert(true);
    mj.HasAttachments.get_or_insert(false);
    if !errors.is_empty() {
        mj.ManualJournalID.get_or_insert(Uuid::nil());
        mj.StatusAttributeString = Some("ERROR".to_string());
        mj.ValidationErrors = Some(ValidationError::list(&errors));
        return Err(Failure::new(&mj, errors));
    }
    mj.ManualJournalID.get_or_insert_with(Uuid::new_v4);
    mj.UpdatedDateUTC = Some(xero_date(ctx.now));
    ctx.store(&mj)
}
