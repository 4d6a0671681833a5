//! The fields QuickBooks computes itself, for generated and written objects
//! alike: line ids and numbers, line amounts, `TotalAmt`, the
//! `SubTotalLineDetail` line a sales form's answer ends with, and what a
//! journal entry's or payment's lines add up to.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::money;

/// The detail type QuickBooks appends to a sales form's lines.
const SUBTOTAL: &str = "SubTotalLineDetail";

fn lines_mut(obj: &mut Value) -> Vec<Value> {
    match obj.get_mut("Line").map(Value::take) {
        Some(Value::Array(lines)) => lines,
        _ => Vec::new(),
    }
}

/// A line's `Amount`, or `Qty × UnitPrice` of its detail when it has none.
fn line_amount(line: &Value, detail: &str) -> Decimal {
    if let Some(a) = money::read(&line["Amount"]) {
        return a;
    }
    let d = &line[detail];
    let qty = money::read(&d["Qty"]).unwrap_or(Decimal::ONE);
    qty * money::read(&d["UnitPrice"]).unwrap_or_default()
}

/// Numbers the lines (`Id`, `LineNum`), fills each `Amount`, sets
/// `TotalAmt`; a sales form (Invoice, CreditMemo) also gets its subtotal
/// line appended. Returns the total.
pub(crate) fn total_lines(obj: &mut Value, detail: &str, sales: bool) -> Decimal {
    let mut total = Decimal::ZERO;
    let mut lines: Vec<Value> = lines_mut(obj)
        .into_iter()
        .filter(|l| l["DetailType"] != SUBTOTAL)
        .collect();
    for (i, line) in lines.iter_mut().enumerate() {
        let amount = line_amount(line, detail).round_dp(2);
        total += amount;
        line["Id"] = json!((i + 1).to_string());
        line["LineNum"] = json!(i + 1);
        line["Amount"] = money::json(amount);
    }
    if sales {
        lines.push(json!({"Amount": money::json(total), "DetailType": SUBTOTAL, SUBTOTAL: {}}));
    }
    obj["Line"] = Value::Array(lines);
    obj["TotalAmt"] = money::json(total);
    total
}

/// The debits and the credits of a journal entry's lines.
pub(crate) fn journal_sides(obj: &Value) -> (Decimal, Decimal) {
    let mut sides = (Decimal::ZERO, Decimal::ZERO);
    for line in obj["Line"].as_array().into_iter().flatten() {
        let amount = money::read(&line["Amount"]).unwrap_or_default();
        match line["JournalEntryLineDetail"]["PostingType"].as_str() {
            Some("Debit") => sides.0 += amount,
            Some("Credit") => sides.1 += amount,
            _ => {}
        }
    }
    sides
}

/// What a payment's lines apply to transactions of `txn_type`: the pairs
/// of transaction id and amount.
pub(crate) fn applied(obj: &Value, txn_type: &str) -> Vec<(u64, Decimal)> {
    let mut out = Vec::new();
    for line in obj["Line"].as_array().into_iter().flatten() {
        let amount = money::read(&line["Amount"]).unwrap_or_default();
        for linked in line["LinkedTxn"].as_array().into_iter().flatten() {
            if linked["TxnType"] == txn_type
                && let Some(id) = linked["TxnId"].as_str().and_then(|s| s.parse().ok())
            {
                out.push((id, amount));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sales_lines_are_numbered_totalled_and_subtotalled() {
        let mut inv = json!({"Line": [
            {"DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"Qty": 3, "UnitPrice": 0.1}},
            {"Amount": 0.2, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {}},
            {"Amount": 99, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
        ]});
        let total = total_lines(&mut inv, "SalesItemLineDetail", true);
        assert_eq!(money::json(total), json!(0.5));
        assert_eq!(inv["TotalAmt"], json!(0.5));
        let lines = inv["Line"].as_array().unwrap();
        assert_eq!(lines.len(), 3, "the old subtotal replaced by a new one");
        assert_eq!(lines[0]["Amount"], json!(0.3));
        assert_eq!(lines[1]["Id"], "2");
        assert_eq!(lines[2]["DetailType"], SUBTOTAL);
        assert_eq!(lines[2]["Amount"], json!(0.5));
    }

    #[test]
    fn journal_sides_and_applied_amounts() {
        let je = json!({"Line": [
            {"Amount": 10, "JournalEntryLineDetail": {"PostingType": "Debit"}},
            {"Amount": 4, "JournalEntryLineDetail": {"PostingType": "Credit"}},
            {"Amount": 6, "JournalEntryLineDetail": {"PostingType": "Credit"}},
        ]});
        let (d, c) = journal_sides(&je);
        assert_eq!((d, c), (money::cents(1000), money::cents(1000)));
        let pay =
            json!({"Line": [{"Amount": 5, "LinkedTxn": [{"TxnId": "7", "TxnType": "Invoice"}]}]});
        assert_eq!(applied(&pay, "Invoice"), vec![(7, money::cents(500))]);
        assert!(applied(&pay, "Bill").is_empty());
    }
}
