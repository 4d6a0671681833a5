//! Payments. Payment `j` pays invoice `j`: both sides derive it from the
//! same streams, so invoice `Payments`, `AmountPaid`/`AmountDue`/`PAID` and
//! the Payments collection agree.

use rust_decimal::Decimal;
use uuid::Uuid;

use super::documents::invoice_base;
use super::rng::{SimRng, stream};
use super::{DAY_MS, END_MS, GenCtx};
use crate::sim::dates::xero_date;
use crate::sim::kinds::invoice_ref;
use crate::sim::model::*;

/// The payment of invoice `j` (for `j < sizes.payments`).
pub(crate) struct PaymentPlan {
    pub id: Uuid,
    pub date: i64,
    pub amount: Decimal,
    pub deleted: bool,
    pub reconciled: bool,
    pub reference: String,
    pub updated: i64,
}

pub(crate) fn payment_plan(
    g: &GenCtx,
    j: usize,
    inv_date: i64,
    inv_updated: i64,
    total: Decimal,
) -> PaymentPlan {
    let mut r = SimRng::new(g.seed, stream::PAYMENT, j as u64);
    let id = r.uuid();
    let date = (inv_date + r.range(1, 45) * DAY_MS).min(END_MS - DAY_MS);
    let amount = if r.percent(85) {
        total
    } else {
        Money::new(total / Decimal::TWO).0
    };
    let updated = (date.max(inv_updated) + r.range(60_000, 5 * DAY_MS)).min(END_MS - 1);
    PaymentPlan {
        id,
        date,
        amount,
        deleted: r.percent(4),
        reconciled: r.percent(30),
        reference: if r.percent(50) {
            format!("DD {:06}", r.below(1_000_000))
        } else {
            String::new()
        },
        updated,
    }
}

/// Payment `j`, against invoice `j`.
pub(crate) fn payment(g: &GenCtx, j: usize) -> Payment {
    let (inv, date, updated) = invoice_base(g, j);
    let total = inv.Total.map_or(Decimal::ZERO, |t| t.0);
    let plan = payment_plan(g, j, date, updated, total);
    let mut r = SimRng::new(g.seed, stream::PAYMENT, (j as u64) | (1 << 63));
    let account = (!g.bank_accounts.is_empty()).then(|| r.pick(&g.bank_accounts));
    Payment {
        PaymentID: Some(plan.id),
        Date: Some(xero_date(plan.date)),
        BankAmount: Some(Money::new(plan.amount)),
        Amount: Some(Money::new(plan.amount)),
        Reference: Some(plan.reference),
        CurrencyRate: inv.CurrencyRate,
        PaymentType: Some(
            if inv.Type.as_deref() == Some("ACCPAY") {
                "ACCPAYPAYMENT"
            } else {
                "ACCRECPAYMENT"
            }
            .into(),
        ),
        Status: Some(
            if plan.deleted || total.is_zero() {
                "DELETED"
            } else {
                "AUTHORISED"
            }
            .into(),
        ),
        UpdatedDateUTC: Some(xero_date(plan.updated)),
        HasAccount: Some(true),
        IsReconciled: Some(plan.reconciled),
        Account: Some(AccountRef {
            AccountID: account.map(|a| a.id),
            Code: account.map(|a| a.code.clone()),
            Name: None,
        }),
        Invoice: Some(invoice_ref(&inv)),
        HasValidationErrors: Some(false),
        ..Default::default()
    }
}
