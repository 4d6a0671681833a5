//! Bank transactions and manual journals.

use rust_decimal::Decimal;

use super::documents::lines;
use super::rng::{SimRng, stream};
use super::words::*;
use super::{DAY_MS, END_MS, GenCtx, SPAN_MS};
use crate::sim::dates::{date_string, xero_date};
use crate::sim::kinds::BASE_CURRENCY;
use crate::sim::kinds::lines::totals;
use crate::sim::model::*;

fn date_and_updated(r: &mut SimRng) -> (i64, i64) {
    let date = END_MS - SPAN_MS + r.range(0, 729) * DAY_MS;
    let updated = (date + r.range(3_600_000, 20 * DAY_MS)).min(END_MS - r.range(1, 3_600_000));
    (date, updated)
}

/// Bank transaction `i`.
pub(crate) fn bank_transaction(g: &GenCtx, i: usize) -> BankTransaction {
    let mut r = SimRng::new(g.seed, stream::BANK_TRANSACTION, i as u64);
    let id = r.uuid();
    let receive = r.percent(40);
    let bank = (!g.bank_accounts.is_empty()).then(|| r.pick(&g.bank_accounts));
    let contact = if g.contacts.is_empty() {
        None
    } else {
        let (cid, name) = r.pick(&g.contacts);
        Some(ContactRef::summary(*cid, name))
    };
    let (date, updated) = date_and_updated(&mut r);
    let lat = ["Inclusive", "Exclusive", "NoTax"][r.weighted(&[50, 45, 5])];
    let count = [1, 2][r.weighted(&[75, 25])];
    let items = lines(g, &mut r, receive, lat, count);
    let t = totals(items.iter(), lat);
    let status = ["AUTHORISED", "DELETED", "VOIDED"][r.weighted(&[90, 7, 3])];
    BankTransaction {
        BankTransactionID: Some(id),
        BankAccount: bank.map(|b| AccountRef {
            AccountID: Some(b.id),
            Code: Some(b.code.clone()),
            Name: Some(b.name.clone()),
        }),
        Type: Some(if receive { "RECEIVE" } else { "SPEND" }.into()),
        Reference: Some(if r.percent(50) {
            format!(
                "{} {:04}",
                r.pick(&["EFTPOS", "DD", "AP", "TFR"]),
                r.below(10_000)
            )
        } else {
            String::new()
        }),
        IsReconciled: Some(status == "AUTHORISED" && r.percent(55)),
        HasAttachments: Some(r.percent(5)),
        Contact: contact,
        DateString: Some(date_string(date)),
        Date: Some(xero_date(date)),
        Status: Some(status.into()),
        LineAmountTypes: Some(lat.into()),
        LineItems: Some(items),
        SubTotal: Some(Money::new(t.sub_total)),
        TotalTax: Some(Money::new(t.total_tax)),
        Total: Some(Money::new(t.total)),
        UpdatedDateUTC: Some(xero_date(updated)),
        CurrencyCode: Some(BASE_CURRENCY.into()),
        ..Default::default()
    }
}

/// Manual journal `i`: debits on expense accounts balanced by one credit.
pub(crate) fn manual_journal(g: &GenCtx, i: usize) -> ManualJournal {
    let mut r = SimRng::new(g.seed, stream::MANUAL_JOURNAL, i as u64);
    let id = r.uuid();
    let (date, updated) = date_and_updated(&mut r);
    let narration = (*r.pick(NARRATIONS)).to_string();
    let debits = r.range(1, 3) as usize;
    let accounts: Vec<_> = g.expense_accounts.iter().chain(&g.bank_accounts).collect();
    let mut journal = Vec::with_capacity(debits + 1);
    let mut sum = Decimal::ZERO;
    let line = |r: &mut SimRng, amount: Decimal, description: &str| {
        let account = (!accounts.is_empty()).then(|| *r.pick(&accounts));
        JournalLine {
            Description: Some(description.to_string()),
            TaxType: Some("NONE".into()),
            TaxAmount: Some(Money::new(Decimal::ZERO)),
            LineAmount: Some(Money::new(amount)),
            AccountCode: account.map(|a| a.code.clone()),
            Tracking: Some(Vec::new()),
            AccountID: account.map(|a| a.id),
            IsBlank: Some(false),
        }
    };
    for _ in 0..debits {
        let amount = Decimal::new(r.range(1_000, 500_000), 2);
        sum += amount;
        journal.push(line(&mut r, amount, &narration));
    }
    journal.push(line(&mut r, -sum, &narration));
    let status = ["POSTED", "DRAFT", "VOIDED", "DELETED"][r.weighted(&[75, 12, 7, 6])];
    ManualJournal {
        Date: Some(xero_date(date)),
        Status: Some(status.into()),
        LineAmountTypes: Some("NoTax".into()),
        UpdatedDateUTC: Some(xero_date(updated)),
        ManualJournalID: Some(id),
        Narration: Some(narration),
        JournalLines: Some(journal),
        ShowOnCashBasisReports: Some(r.percent(80)),
        HasAttachments: Some(r.percent(4)),
        ..Default::default()
    }
}
