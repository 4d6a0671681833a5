//! Sales: invoices and credit memos to active customers for active items,
//! a few invoices voided, and payments each applied to one open invoice.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::{Made, Names, history, rng};
use crate::sim::entity::Entity;
use crate::sim::interim_par::par_map;
use crate::sim::time::{self, DAY_MS};
use crate::sim::{money, store, totals};

/// Percent of invoices generated voided.
const VOIDED_PERCENT: u64 = 2;

/// `n` invoices or credit memos of one to four item lines.
pub(crate) fn forms(seed: u64, e: Entity, n: usize, end_ms: i64, names: &Names) -> Vec<Made> {
    if names.items.is_empty() || names.customers.is_empty() {
        return Vec::new();
    }
    par_map(n, |i| {
        let mut r = rng(seed, e, 0, i);
        let (created_ms, updated_ms, sync) = history(&mut r, end_ms);
        let (cust_id, cust) = r.pick(&names.customers).clone();
        let lines: Vec<Value> = (0..r.range(1, 4))
            .map(|_| {
                let (item_id, item, cents) = r.pick(&names.items).clone();
                let qty = r.range(1, 10);
                json!({
                    "Description": format!("{item}"), "DetailType": "SalesItemLineDetail",
                    "Amount": money::json(money::cents(cents * qty)),
                    "SalesItemLineDetail": {"ItemRef": store::reference(item_id, &item),
                        "Qty": qty, "UnitPrice": money::json(money::cents(cents))},
                })
            })
            .collect();
        let mut obj = json!({
            "CustomerRef": store::reference(cust_id, &cust), "Line": lines,
            "TxnDate": time::date(created_ms), "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
            "DocNumber": (1001 + i).to_string(), "PrivateNote": "",
        });
        let voided = e == Entity::Invoice && r.percent(VOIDED_PERCENT);
        if voided {
            for line in obj["Line"].as_array_mut().into_iter().flatten() {
                line["Amount"] = json!(0);
            }
            obj["PrivateNote"] = json!("Voided");
        }
        let total = totals::total_lines(&mut obj, "SalesItemLineDetail", true);
        match e {
            Entity::CreditMemo => obj["RemainingCredit"] = money::json(total),
            _ => {
                obj["DueDate"] = json!(time::date(created_ms + 30 * DAY_MS));
                obj["Balance"] = money::json(total);
            }
        }
        Made {
            obj,
            created_ms,
            updated_ms,
            sync,
        }
    })
}

/// A stride through `n` slots that visits each once (coprime to `n`).
pub(crate) fn stride(n: usize) -> usize {
    let mut s = n / 2 + 1;
    while gcd(s, n) != 1 {
        s += 1;
    }
    s
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Up to `n` payments, each applied to a different open (not voided)
/// invoice after it was made: the whole balance or part of it. Each paid
/// invoice's `Balance` drops and it shows a later change.
pub(crate) fn payments(
    seed: u64,
    n: usize,
    end_ms: i64,
    names: &Names,
    invoices: &mut [Made],
) -> Vec<Made> {
    let open: Vec<usize> = (0..invoices.len())
        .filter(|&i| invoices[i].obj["PrivateNote"] != "Voided")
        .collect();
    let n = n.min(open.len());
    let step = stride(open.len().max(1));
    let targets: Vec<usize> = (0..n).map(|j| open[(j * step) % open.len()]).collect();
    let made = {
        let invoices = &*invoices;
        par_map(n, |j| {
            let inv = &invoices[targets[j]];
            let mut r = rng(seed, Entity::Payment, 0, j);
            let balance = money::read(&inv.obj["Balance"]).unwrap_or_default();
            let amount = match r.percent(60) {
                true => balance,
                false => (balance * Decimal::new(r.range(10, 90), 2)).round_dp(2),
            };
            let created_ms =
                time::whole_seconds(inv.created_ms + r.range(0, end_ms - inv.created_ms));
            let obj = json!({
                "CustomerRef": inv.obj["CustomerRef"], "TotalAmt": money::json(amount),
                "UnappliedAmt": 0, "TxnDate": time::date(created_ms),
                "DepositToAccountRef": store::reference(names.undeposited.0, &names.undeposited.1),
                "Line": [{"Amount": money::json(amount), "LinkedTxn": [
                    {"TxnId": (targets[j] + 1).to_string(), "TxnType": "Invoice"}]}],
                "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
            });
            Made {
                obj,
                created_ms,
                updated_ms: created_ms,
                sync: 0,
            }
        })
    };
    for (j, p) in made.iter().enumerate() {
        pay(&mut invoices[targets[j]], p);
    }
    made
}

/// Lowers a form's `Balance` by what payment `p` applies to it.
pub(crate) fn pay(form: &mut Made, p: &Made) {
    let amount = money::read(&p.obj["TotalAmt"]).unwrap_or_default();
    let balance = money::read(&form.obj["Balance"]).unwrap_or_default();
    form.obj["Balance"] = money::json(balance - amount);
    form.updated_ms = form.updated_ms.max(p.created_ms);
    form.sync += 1;
}
