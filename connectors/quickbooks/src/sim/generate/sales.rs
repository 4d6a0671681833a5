//! Sales: invoices and credit memos to active customers for active items,
//! a few invoices voided, and payments each applied to one open invoice.

use serde_json::{Value, json};

use super::payments::pay_forms;
use super::{Made, Names, history, made, rng};
use crate::sim::entity::Entity;
use crate::sim::time::{self, DAY_MS};
use crate::sim::{money, store, totals};
use tether_sim_kit::par::par_map;

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
        made(obj, (created_ms, updated_ms, sync))
    })
}

/// Up to `n` payments, each applied to a different open (not voided)
/// invoice after it was made: the whole balance or part of it.
pub(crate) fn payments(
    seed: u64,
    n: usize,
    end_ms: i64,
    names: &Names,
    invoices: &mut [Made],
) -> Vec<Made> {
    let deposit = store::reference(names.undeposited.0, &names.undeposited.1);
    pay_forms(seed, Entity::Payment, n, end_ms, invoices, 60, |d| {
        json!({
            "CustomerRef": d.form.obj["CustomerRef"], "TotalAmt": money::json(d.amount),
            "UnappliedAmt": 0, "TxnDate": time::date(d.created_ms),
            "DepositToAccountRef": deposit,
            "Line": [{"Amount": money::json(d.amount), "LinkedTxn": [
                {"TxnId": d.form_id, "TxnType": "Invoice"}]}],
            "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
        })
    })
}
