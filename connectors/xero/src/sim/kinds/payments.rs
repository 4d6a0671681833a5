//! Payments: applying one to an authorised invoice (which may become PAID),
//! and deleting one (`Status: DELETED`), which reopens the invoice.

use rust_decimal::Decimal;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Ctx, Failure, Target, merged};
use crate::sim::collections::Kind;
use crate::sim::dates::{day_start, parse_request_date, xero_date};
use crate::sim::model::*;

const READ_ONLY: &[&str] = &[
    "UpdatedDateUTC",
    "PaymentType",
    "HasValidationErrors",
    "ValidationErrors",
    "StatusAttributeString",
    "BankAmount",
];

fn fail(mut p: Payment, errors: Vec<String>) -> Failure {
    p.PaymentID.get_or_insert(Uuid::nil());
    p.HasValidationErrors = Some(true);
    p.ValidationErrors = Some(ValidationError::list(&errors));
    Failure::new(&p, errors)
}

fn amount(m: Option<Money>) -> Decimal {
    m.map_or(Decimal::ZERO, |m| m.0)
}

/// `PUT`/`POST` of one payment.
pub(crate) fn write(
    ctx: &mut Ctx,
    target: Target,
    incoming: &Map<String, Value>,
) -> Result<(Uuid, String), Failure> {
    match target {
        Target::Existing(id) => delete(ctx, id, incoming),
        Target::New => create(ctx, incoming),
    }
}

fn create(ctx: &mut Ctx, incoming: &Map<String, Value>) -> Result<(Uuid, String), Failure> {
    let mut p: Payment = merged(None, incoming, READ_ONLY)?;
    let mut errors = Vec::new();
    // The invoice: Invoice.InvoiceID, Invoice.InvoiceNumber or InvoiceNumber.
    let inv_ref = p.Invoice.clone().unwrap_or_default();
    let number = inv_ref.InvoiceNumber.clone().or(p.InvoiceNumber.clone());
    let invoice_id = match (inv_ref.InvoiceID, number.as_deref()) {
        (Some(id), _) => ctx.data.col(Kind::Invoices).get(&id).map(|_| id),
        (None, Some(n)) => ctx.data.col(Kind::Invoices).find_number(n),
        (None, None) => {
            errors.push("An Invoice must be specified (InvoiceID or InvoiceNumber).".to_string());
            return Err(fail(p, errors));
        }
    };
    let Some((invoice_id, mut inv)) =
        invoice_id.and_then(|id| Some((id, ctx.get::<Invoice>(Kind::Invoices, &id)?)))
    else {
        errors.push("The invoice specified could not be found.".to_string());
        return Err(fail(p, errors));
    };
    if inv.Status.as_deref() != Some("AUTHORISED") {
        errors.push(format!(
            "Payment cannot be applied: the invoice has status {}; only AUTHORISED invoices can be paid.",
            inv.Status.clone().unwrap_or_default()
        ));
    }
    let pay = amount(p.Amount);
    let due = amount(inv.AmountDue);
    if pay <= Decimal::ZERO {
        errors.push("Payment amount must be greater than zero.".to_string());
    } else if pay > due {
        errors.push("Payment amount exceeds the amount outstanding on this document".to_string());
    }
    // The account: Account.AccountID, Account.Code or Code.
    let mut acc_ref = p.Account.clone().unwrap_or_default();
    if acc_ref.AccountID.is_none() && acc_ref.Code.is_none() {
        acc_ref.Code = p.Code.clone();
    }
    let account = ctx
        .account_ref(&acc_ref)
        .filter(|a| a.Status.as_deref() == Some("ACTIVE"));
    match &account {
        None => {
            errors.push("The account specified for the payment could not be found.".to_string())
        }
        Some(a) if a.Type.as_deref() != Some("BANK") && a.EnablePaymentsToAccount != Some(true) => {
            errors.push(format!(
                "Account code '{}' is not a bank account or an account enabled for payments.",
                a.Code.clone().unwrap_or_default()
            ));
        }
        Some(_) => {}
    }
    let date_ms = match p.Date.as_deref() {
        None => day_start(ctx.now),
        Some(d) => parse_request_date(d).unwrap_or_else(|| {
            errors.push(format!("The Date '{d}' is not a valid date."));
            0
        }),
    };
    if let Some(s) = p.Status.as_deref().filter(|s| *s != "AUTHORISED") {
        errors.push(format!("A payment cannot be created with a status of {s}."));
    }
    if !errors.is_empty() {
        return Err(fail(p, errors));
    }
    let id = Uuid::new_v4();
    let rate = inv.CurrencyRate.unwrap_or(Rate::new(Decimal::ONE));
    let account = account.unwrap_or_default();
    p.PaymentID = Some(id);
    p.Date = Some(xero_date(date_ms));
    p.Amount = Some(Money::new(pay));
    p.BankAmount = Some(Money::new(pay));
    p.Reference.get_or_insert_with(String::new);
    p.CurrencyRate = Some(rate);
    p.PaymentType = Some(
        if inv.Type.as_deref() == Some("ACCPAY") {
            "ACCPAYPAYMENT"
        } else {
            "ACCRECPAYMENT"
        }
        .to_string(),
    );
    p.Status = Some("AUTHORISED".to_string());
    p.UpdatedDateUTC = Some(xero_date(ctx.now));
    p.HasAccount = Some(true);
    p.IsReconciled.get_or_insert(false);
    p.Account = Some(AccountRef {
        AccountID: account.AccountID,
        Code: account.Code.clone(),
        Name: None,
    });
    p.Invoice = Some(invoice_ref(&inv));
    p.InvoiceNumber = None;
    p.Code = None;
    p.HasValidationErrors = Some(false);

    let paid = amount(inv.AmountPaid) + pay;
    let left = due - pay;
    inv.Payments.get_or_insert_with(Vec::new).push(PaymentRef {
        PaymentID: Some(id),
        Date: p.Date.clone(),
        Amount: p.Amount,
        Reference: p.Reference.clone(),
        CurrencyRate: Some(rate),
        HasAccount: Some(true),
        HasValidationErrors: Some(false),
    });
    inv.AmountPaid = Some(Money::new(paid));
    inv.AmountDue = Some(Money::new(left));
    if left.is_zero() {
        inv.Status = Some("PAID".to_string());
        inv.FullyPaidOnDate = p.Date.clone();
    }
    inv.UpdatedDateUTC = Some(xero_date(ctx.now));
    inv.InvoiceID = Some(invoice_id);
    ctx.store(&inv)?;
    ctx.store(&p)
}

/// The invoice summary a payment embeds.
pub(crate) fn invoice_ref(inv: &Invoice) -> InvoiceRef {
    InvoiceRef {
        Type: inv.Type.clone(),
        InvoiceID: inv.InvoiceID,
        InvoiceNumber: inv.InvoiceNumber.clone(),
        Payments: Some(Vec::new()),
        CreditNotes: Some(Vec::new()),
        Prepayments: Some(Vec::new()),
        Overpayments: Some(Vec::new()),
        HasErrors: Some(false),
        IsDiscounted: Some(false),
        Contact: inv.Contact.clone(),
        LineItems: Some(Vec::new()),
        CurrencyCode: inv.CurrencyCode.clone(),
    }
}

fn delete(
    ctx: &mut Ctx,
    id: Uuid,
    incoming: &Map<String, Value>,
) -> Result<(Uuid, String), Failure> {
    let Some(mut p) = ctx.get::<Payment>(Kind::Payments, &id) else {
        return Err(Failure::new(
            incoming,
            vec!["The payment could not be found.".into()],
        ));
    };
    let mut errors = Vec::new();
    let wanted = incoming.get("Status").and_then(Value::as_str);
    let other = incoming
        .keys()
        .any(|k| !matches!(k.as_str(), "Status" | "PaymentID"));
    if wanted != Some("DELETED") || other {
        errors.push("A payment can only be changed by setting its Status to DELETED.".to_string());
    } else if p.Status.as_deref() == Some("DELETED") {
        errors.push("The payment has already been deleted.".to_string());
    } else if p.IsReconciled == Some(true) {
        errors.push("A reconciled payment cannot be deleted.".to_string());
    }
    if !errors.is_empty() {
        return Err(fail(p, errors));
    }
    p.Status = Some("DELETED".to_string());
    p.UpdatedDateUTC = Some(xero_date(ctx.now));
    let invoice_id = p.Invoice.as_ref().and_then(|i| i.InvoiceID);
    if let Some(inv_id) = invoice_id
        && let Some(mut inv) = ctx.get::<Invoice>(Kind::Invoices, &inv_id)
    {
        let amt = amount(p.Amount);
        if let Some(list) = inv.Payments.as_mut() {
            list.retain(|r| r.PaymentID != Some(id));
        }
        inv.AmountPaid = Some(Money::new(amount(inv.AmountPaid) - amt));
        inv.AmountDue = Some(Money::new(amount(inv.AmountDue) + amt));
        if inv.Status.as_deref() == Some("PAID") {
            inv.Status = Some("AUTHORISED".to_string());
            inv.FullyPaidOnDate = None;
        }
        inv.UpdatedDateUTC = Some(xero_date(ctx.now));
        ctx.store(&inv)?;
    }
    ctx.store(&p)
}
