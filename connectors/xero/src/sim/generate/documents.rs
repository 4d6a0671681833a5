//! Invoices and credit notes, and the line items of every document.

use rust_decimal::Decimal;
use uuid::Uuid;

use super::payments::payment_plan;
use super::rng::{SimRng, stream};
use super::words::*;
use super::{DAY_MS, END_MS, GenCtx, SPAN_MS};
use crate::sim::dates::{date_string, xero_date};
use crate::sim::kinds::lines::{line_tax, totals};
use crate::sim::kinds::{BASE_CURRENCY, CURRENCIES};
use crate::sim::model::*;

/// Documents `i` with `i % 10 < 7` are sales documents (ACCREC, ACCRECCREDIT).
fn is_sales(i: usize) -> bool {
    i % 10 < 7
}

/// Sequence number of sales document `i` (INV-0001, CN-0001, ...).
fn sales_number(i: usize) -> usize {
    (i / 10) * 7 + (i % 10) + 1
}

/// How many of the first `n` documents are sales documents.
pub(crate) fn sales_count(n: usize) -> usize {
    (n / 10) * 7 + (n % 10).min(7)
}

/// A generated document date (midnight UTC) within the period.
fn doc_date(r: &mut SimRng) -> i64 {
    END_MS - SPAN_MS + r.range(0, 729) * DAY_MS
}

/// An update time after `date`, within the period.
fn updated_after(r: &mut SimRng, date: i64) -> i64 {
    (date + r.range(3_600_000, 45 * DAY_MS)).min(END_MS - r.range(1, 3_600_000))
}

/// Currency code and rate of a document.
fn currency(r: &mut SimRng) -> (String, Decimal) {
    if r.percent(88) {
        return (BASE_CURRENCY.into(), Decimal::ONE);
    }
    let (code, rate) = CURRENCIES[1 + r.below(CURRENCIES.len() as u64 - 1) as usize];
    let base: Decimal = rate.parse().unwrap_or(Decimal::ONE);
    let jitter = Decimal::new(r.range(-200, 200), 4);
    (code.into(), (base * (Decimal::ONE + jitter)).round_dp(6))
}

/// Line items of a document, with amounts and tax computed.
pub(crate) fn lines(
    g: &GenCtx,
    r: &mut SimRng,
    sales: bool,
    lat: &str,
    count: usize,
) -> Vec<LineItem> {
    let accounts = if sales {
        &g.sales_accounts
    } else {
        &g.expense_accounts
    };
    (0..count)
        .map(|_| {
            let mut l = LineItem::default();
            let from_item = sales && !g.items.is_empty() && r.percent(40);
            let unit = if from_item {
                let item = r.pick(&g.items);
                l.ItemCode = Some(item.code.clone());
                l.Description = Some(item.description.clone());
                item.price
            } else {
                let words = if sales { SERVICES } else { EXPENSES };
                l.Description = Some((*r.pick(words)).to_string());
                Decimal::new(r.range(500, 200_000), 2)
            };
            let qty = if r.percent(20) {
                Decimal::new(r.range(1, 20) * 5, 1)
            } else {
                Decimal::from(r.range(1, 10))
            };
            let amount = Money::new(qty * unit).0;
            let account = (!accounts.is_empty()).then(|| r.pick(accounts));
            let tax_type = if lat == "NoTax" {
                "NONE".to_string()
            } else if sales && r.percent(6) {
                "ZERORATED".to_string()
            } else {
                account.map_or_else(|| "NONE".to_string(), |a| a.tax_type.clone())
            };
            let tax_type = if g.tax_rates.iter().any(|(t, _)| *t == tax_type) {
                tax_type
            } else {
                "NONE".into()
            };
            let mut tracking = Vec::new();
            for cat in &g.tracking {
                if !cat.options.is_empty() && r.percent(if tracking.is_empty() { 40 } else { 20 }) {
                    let (oid, oname) = r.pick(&cat.options);
                    tracking.push(TrackingRef {
                        TrackingCategoryID: Some(cat.id),
                        TrackingOptionID: Some(*oid),
                        Name: Some(cat.name.clone()),
                        Option: Some(oname.clone()),
                    });
                }
            }
            l.UnitAmount = Some(Money::new(unit));
            l.TaxAmount = Some(Money::new(line_tax(amount, g.rate(&tax_type), lat)));
            l.TaxType = Some(tax_type);
            l.LineAmount = Some(Money::new(amount));
            l.AccountCode = account.map(|a| a.code.clone());
            l.AccountID = account.map(|a| a.id);
            l.Tracking = Some(tracking);
            l.Quantity = Some(Qty::new(qty));
            l.LineItemID = Some(r.uuid());
            l
        })
        .collect()
}

fn lat(r: &mut SimRng) -> &'static str {
    ["Exclusive", "Inclusive", "NoTax"][r.weighted(&[80, 15, 5])]
}

fn contact_ref(g: &GenCtx, r: &mut SimRng) -> ContactRef {
    match g.contacts.is_empty() {
        true => ContactRef::summary(Uuid::nil(), "Cash Sales"),
        false => {
            let (id, name) = r.pick(&g.contacts);
            ContactRef::summary(*id, name)
        }
    }
}

/// Invoice `i` before any payment, its date and its update time.
pub(crate) fn invoice_base(g: &GenCtx, i: usize) -> (Invoice, i64, i64) {
    let mut r = SimRng::new(g.seed, stream::INVOICE, i as u64);
    let sales = is_sales(i);
    let id = r.uuid();
    let contact = contact_ref(g, &mut r);
    let date = doc_date(&mut r);
    let due = date + *r.pick(&[7, 14, 20, 30]) * DAY_MS;
    let (code, rate) = currency(&mut r);
    let lat = lat(&mut r);
    let count = [1, 2, 3][r.weighted(&[45, 35, 20])];
    let items = lines(g, &mut r, sales, lat, count);
    let t = totals(items.iter(), lat);
    let paid_slot = i < g.sizes.payments;
    let status = if paid_slot {
        "AUTHORISED"
    } else {
        ["DRAFT", "SUBMITTED", "AUTHORISED", "VOIDED", "DELETED"][r.weighted(&[12, 6, 64, 10, 8])]
    };
    let number = if sales {
        format!("INV-{:04}", sales_number(i))
    } else {
        format!(
            "{}-{:05}",
            r.chars(3, b"ABCDEFGHJKLMNPRSTUVWXYZ"),
            r.below(100_000)
        )
    };
    let reference = match (sales, r.below(10)) {
        (true, 0..=4) => format!("PO-{:05}", r.below(100_000)),
        (true, 5 | 6) => (*r.pick(REFERENCES)).to_string(),
        _ => String::new(),
    };
    let updated = updated_after(&mut r, date);
    let closed = matches!(status, "VOIDED" | "DELETED");
    let inv = Invoice {
        Type: Some(if sales { "ACCREC" } else { "ACCPAY" }.into()),
        InvoiceID: Some(id),
        InvoiceNumber: Some(number),
        Reference: Some(reference),
        Payments: Some(Vec::new()),
        CreditNotes: Some(Vec::new()),
        Prepayments: Some(Vec::new()),
        Overpayments: Some(Vec::new()),
        AmountDue: Some(Money::new(if closed { Decimal::ZERO } else { t.total })),
        AmountPaid: Some(Money::new(Decimal::ZERO)),
        AmountCredited: Some(Money::new(Decimal::ZERO)),
        SentToContact: Some(sales && status == "AUTHORISED" && r.percent(70)),
        CurrencyRate: Some(Rate::new(rate)),
        HasErrors: Some(false),
        IsDiscounted: Some(false),
        HasAttachments: Some(r.percent(5)),
        Contact: Some(contact),
        DateString: Some(date_string(date)),
        Date: Some(xero_date(date)),
        DueDateString: Some(date_string(due)),
        DueDate: Some(xero_date(due)),
        Status: Some(status.into()),
        LineAmountTypes: Some(lat.into()),
        LineItems: Some(items),
        SubTotal: Some(Money::new(t.sub_total)),
        TotalTax: Some(Money::new(t.total_tax)),
        Total: Some(Money::new(t.total)),
        UpdatedDateUTC: Some(xero_date(updated)),
        CurrencyCode: Some(code),
        ..Default::default()
    };
    (inv, date, updated)
}

/// Invoice `i`, paid (fully or partly) when payment `i` exists.
pub(crate) fn invoice(g: &GenCtx, i: usize) -> Invoice {
    let (mut inv, date, updated) = invoice_base(g, i);
    if i >= g.sizes.payments {
        return inv;
    }
    let total = inv.Total.map_or(Decimal::ZERO, |t| t.0);
    let plan = payment_plan(g, i, date, updated, total);
    inv.UpdatedDateUTC = Some(xero_date(plan.updated));
    if plan.deleted || total.is_zero() {
        return inv;
    }
    inv.Payments = Some(vec![PaymentRef {
        PaymentID: Some(plan.id),
        Date: Some(xero_date(plan.date)),
        Amount: Some(Money::new(plan.amount)),
        Reference: Some(plan.reference),
        CurrencyRate: inv.CurrencyRate,
        HasAccount: Some(false),
        HasValidationErrors: Some(false),
    }]);
    inv.AmountPaid = Some(Money::new(plan.amount));
    inv.AmountDue = Some(Money::new(total - plan.amount));
    if plan.amount == total {
        inv.Status = Some("PAID".into());
        inv.FullyPaidOnDate = Some(xero_date(plan.date));
    }
    inv
}

/// Credit note `i`.
pub(crate) fn credit_note(g: &GenCtx, i: usize) -> CreditNote {
    let mut r = SimRng::new(g.seed, stream::CREDIT_NOTE, i as u64);
    let sales = is_sales(i);
    let id = r.uuid();
    let contact = contact_ref(g, &mut r);
    let date = doc_date(&mut r);
    let (code, rate) = currency(&mut r);
    let lat = lat(&mut r);
    let count = [1, 2][r.weighted(&[70, 30])];
    let items = lines(g, &mut r, sales, lat, count);
    let t = totals(items.iter(), lat);
    let status = [
        "DRAFT",
        "SUBMITTED",
        "AUTHORISED",
        "PAID",
        "VOIDED",
        "DELETED",
    ][r.weighted(&[12, 5, 48, 25, 6, 4])];
    let remaining = match status {
        "DRAFT" | "SUBMITTED" | "AUTHORISED" => t.total,
        _ => Decimal::ZERO,
    };
    let number = if sales {
        format!("CN-{:04}", sales_number(i))
    } else {
        format!("SCN-{:05}", r.below(100_000))
    };
    let updated = updated_after(&mut r, date);
    CreditNote {
        CreditNoteID: Some(id),
        CreditNoteNumber: Some(number),
        Payments: Some(Vec::new()),
        CurrencyRate: Some(Rate::new(rate)),
        Type: Some(
            if sales {
                "ACCRECCREDIT"
            } else {
                "ACCPAYCREDIT"
            }
            .into(),
        ),
        Reference: Some(if r.percent(40) {
            (*r.pick(REFERENCES)).to_string()
        } else {
            String::new()
        }),
        RemainingCredit: Some(Money::new(remaining)),
        Allocations: Some(Vec::new()),
        HasAttachments: Some(false),
        Contact: Some(contact),
        DateString: Some(date_string(date)),
        Date: Some(xero_date(date)),
        Status: Some(status.into()),
        LineAmountTypes: Some(lat.into()),
        LineItems: Some(items),
        SubTotal: Some(Money::new(t.sub_total)),
        TotalTax: Some(Money::new(t.total_tax)),
        Total: Some(Money::new(t.total)),
        UpdatedDateUTC: Some(xero_date(updated)),
        CurrencyCode: Some(code),
        FullyPaidOnDate: (status == "PAID").then(|| xero_date(updated)),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sales_numbering() {
        assert_eq!(sales_number(0), 1);
        assert_eq!(sales_number(6), 7);
        assert_eq!(sales_number(10), 8);
        assert_eq!(sales_count(0), 0);
        assert_eq!(sales_count(7), 7);
        assert_eq!(sales_count(9), 7);
        assert_eq!(sales_count(11), 8);
        assert_eq!(sales_count(100), 70);
    }
}
