//! Purchases and the ledger: bills from active vendors against expense
//! accounts, bill payments each applied to one bill, and balanced journal
//! entries (a few already deleted, so CDC has tombstones to tell).

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::payments::pay_forms;
use super::{Made, Names, history, made, rng};
use crate::sim::entity::Entity;
use crate::sim::time::{self, DAY_MS};
use crate::sim::{money, store, totals};
use tether_sim_kit::par::par_map;

/// Percent of journal entries generated already deleted.
const DELETED_PERCENT: u64 = 3;

/// `n` bills of one to three expense lines.
pub(crate) fn bills(seed: u64, n: usize, end_ms: i64, names: &Names) -> Vec<Made> {
    if names.vendors.is_empty() {
        return Vec::new();
    }
    par_map(n, |i| {
        let mut r = rng(seed, Entity::Bill, 0, i);
        let (created_ms, updated_ms, sync) = history(&mut r, end_ms);
        let (vendor_id, vendor) = r.pick(&names.vendors).clone();
        let lines: Vec<Value> = (0..r.range(1, 3))
            .map(|_| {
                let (acct_id, acct) = r.pick(&names.expenses).clone();
                json!({
                    "Amount": money::json(money::cents(r.range(1_000, 250_000))),
                    "DetailType": "AccountBasedExpenseLineDetail",
                    "AccountBasedExpenseLineDetail": {"AccountRef": store::reference(acct_id, &acct)},
                })
            })
            .collect();
        let mut obj = json!({
            "VendorRef": store::reference(vendor_id, &vendor), "Line": lines,
            "APAccountRef": store::reference(names.payable.0, &names.payable.1),
            "TxnDate": time::date(created_ms), "DueDate": time::date(created_ms + 30 * DAY_MS),
            "DocNumber": format!("B-{}", 5001 + i),
            "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
        });
        let total = totals::total_lines(&mut obj, "AccountBasedExpenseLineDetail", false);
        obj["Balance"] = money::json(total);
        made(obj, (created_ms, updated_ms, sync))
    })
}

/// Up to `n` check payments, each paying one bill in full or in part.
pub(crate) fn bill_payments(
    seed: u64,
    n: usize,
    end_ms: i64,
    names: &Names,
    bills: &mut [Made],
) -> Vec<Made> {
    let bank = store::reference(names.bank.0, &names.bank.1);
    pay_forms(seed, Entity::BillPayment, n, end_ms, bills, 70, |d| {
        json!({
            "VendorRef": d.form.obj["VendorRef"], "PayType": "Check",
            "CheckPayment": {"BankAccountRef": bank, "PrintStatus": "NotSet"},
            "TotalAmt": money::json(d.amount), "TxnDate": time::date(d.created_ms),
            "DocNumber": (7001 + d.index).to_string(),
            "Line": [{"Amount": money::json(d.amount), "LinkedTxn": [
                {"TxnId": d.form_id, "TxnType": "Bill"}]}],
            "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
        })
    })
}

fn je_line(amount: Decimal, posting: &str, account: &(u64, String)) -> Value {
    json!({
        "Amount": money::json(amount), "DetailType": "JournalEntryLineDetail",
        "JournalEntryLineDetail": {"PostingType": posting, "AccountRef": store::reference(account.0, &account.1)},
    })
}

/// `n` journal entries, one debit against one or two credits of the same
/// sum; returns them and the ids (and times) of those already deleted.
pub(crate) fn journal_entries(
    seed: u64,
    n: usize,
    end_ms: i64,
    names: &Names,
) -> (Vec<Made>, Vec<(u64, i64)>) {
    let accounts: Vec<(u64, String)> = names
        .expenses
        .iter()
        .chain(&names.incomes)
        .cloned()
        .chain([names.bank.clone()])
        .collect();
    let mut deleted = Vec::new();
    let made = (0..n)
        .map(|i| {
            let mut r = rng(seed, Entity::JournalEntry, 0, i);
            let (created_ms, updated_ms, sync) = history(&mut r, end_ms);
            let total = money::cents(r.range(5_000, 500_000));
            let part = (total * Decimal::new(r.range(20, 80), 2)).round_dp(2);
            let mut lines = vec![je_line(total, "Debit", r.pick(&accounts))];
            match r.percent(50) {
                true => lines.push(je_line(total, "Credit", r.pick(&accounts))),
                false => {
                    lines.push(je_line(part, "Credit", r.pick(&accounts)));
                    lines.push(je_line(total - part, "Credit", r.pick(&accounts)));
                }
            }
            let mut obj = json!({
                "Adjustment": false, "TxnDate": time::date(created_ms), "Line": lines,
                "DocNumber": format!("JE-{}", i + 1),
                "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
            });
            totals::total_lines(&mut obj, "JournalEntryLineDetail", false);
            obj["TotalAmt"] = money::json(total);
            if r.percent(DELETED_PERCENT) {
                let at = time::whole_seconds(updated_ms + r.range(0, end_ms - updated_ms));
                deleted.push((i as u64 + 1, at));
            }
            made(obj, (created_ms, updated_ms, sync))
        })
        .collect();
    (made, deleted)
}
