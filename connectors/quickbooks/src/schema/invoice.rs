//! `quickbooks/invoices`: sales invoices, a transaction (deleted outright;
//! a voided one stays, zeroed).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;

use super::common::{Line, MetaData, Ref};
use super::qb_object;

/// A QuickBooks `Invoice`. The answer appends a `SubTotalLineDetail` line
/// to the lines sent; `Balance` falls as payments apply.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Invoice {
    pub id: String,
    pub sync_token: Option<String>,
    pub meta_data: Option<MetaData>,
    pub customer_ref: Ref,
    pub line: Option<Vec<Line>>,
    pub doc_number: Option<String>,
    pub txn_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    #[serde(default, with = "money::option")]
    pub total_amt: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub balance: Option<Decimal>,
    pub private_note: Option<String>,
    pub currency_ref: Option<Ref>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

qb_object!(Invoice);

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::schema::QbObject;
    use crate::schema::test_support::{dec, error_at, round_trip};
    use serde_json::json;

    /// An invoice as Intuit's reference example shows it.
    pub(crate) fn example() -> Value {
        json!({
            "TxnDate": "2026-11-09", "domain": "QBO", "PrintStatus": "NeedToPrint",
            "TotalAmt": 362.07, "Balance": 362.07, "DueDate": "2026-12-09", "DocNumber": "1037",
            "sparse": false, "PrivateNote": "", "Id": "130", "SyncToken": "0",
            "CustomerRef": {"name": "Sonnenschein Family Store", "value": "24"},
            "Line": [
                {"Id": "1", "LineNum": 1, "Amount": 362.07, "DetailType": "SalesItemLineDetail",
                 "Description": "Rock Fountain",
                 "SalesItemLineDetail": {"ItemRef": {"name": "Rock Fountain", "value": "5"},
                     "Qty": 1, "UnitPrice": 275, "TaxCodeRef": {"value": "TAX"}}},
                {"Amount": 362.07, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}
            ],
            "MetaData": {"CreateTime": "2026-11-09T13:16:17-08:00", "LastUpdatedTime": "2026-11-09T13:16:17-08:00"}
        })
    }

    #[test]
    fn reads_an_invoice() {
        let inv: Invoice = serde_json::from_value(example()).unwrap();
        assert_eq!((inv.id(), inv.sync_token()), ("130", Some("0")));
        assert_eq!(inv.total_amt, Some(dec("362.07")));
        assert_eq!(inv.txn_date, NaiveDate::from_ymd_opt(2026, 11, 9));
        let lines = inv.line.unwrap();
        let sale = lines[0].sales_item_line_detail.as_ref().unwrap();
        assert_eq!(sale.item_ref.as_ref().unwrap().value, "5");
        assert_eq!(sale.unit_price, Some(dec("275")));
        assert!(lines[1].extra.contains_key("SubTotalLineDetail"));
    }

    #[test]
    fn normalises_times_and_keeps_the_rest() {
        let out = round_trip::<Invoice>(example());
        assert_eq!(out["MetaData"]["CreateTime"], "2026-11-09T21:16:17Z");
        assert_eq!(out["TxnDate"], "2026-11-09");
        assert_eq!(out["Line"][1]["SubTotalLineDetail"], json!({}));
        assert_eq!(out["PrintStatus"], "NeedToPrint");
        assert_eq!(out["domain"], "QBO");
    }

    #[test]
    fn a_bad_line_is_named_by_its_path() {
        let mut bad = example();
        bad["Line"][1]["Amount"] = json!("lots");
        let (path, message) = error_at::<Invoice>(bad);
        assert_eq!(path, "Line[1].Amount");
        assert!(message.contains(r#"got string "lots""#), "{message}");
        let mut bad = example();
        bad["DueDate"] = json!("next week");
        assert_eq!(error_at::<Invoice>(bad).0, "DueDate");
    }
}
