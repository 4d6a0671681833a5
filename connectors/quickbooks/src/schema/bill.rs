//! `quickbooks/bills`: what is owed to vendors, a transaction (deleted
//! outright).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;

use super::common::{Line, MetaData, Ref};
use super::qb_object;

/// A QuickBooks `Bill`: lines booked to expense accounts
/// (`AccountBasedExpenseLineDetail`), payable from `APAccountRef`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Bill {
    pub id: String,
    pub sync_token: Option<String>,
    pub meta_data: Option<MetaData>,
    pub vendor_ref: Ref,
    pub line: Option<Vec<Line>>,
    #[serde(rename = "APAccountRef")]
    pub ap_account_ref: Option<Ref>,
    pub doc_number: Option<String>,
    pub txn_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    #[serde(default, with = "money::option")]
    pub total_amt: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub balance: Option<Decimal>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

qb_object!(Bill);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::test_support::{dec, error_at, round_trip};
    use serde_json::json;

    fn example() -> Value {
        json!({
            "Id": "25", "SyncToken": "2", "VendorRef": {"value": "56", "name": "Bob's Burger Joint"},
            "APAccountRef": {"value": "33", "name": "Accounts Payable (A/P)"},
            "TxnDate": "2026-11-03", "DueDate": "2026-12-03", "TotalAmt": 200.0, "Balance": 200.0,
            "Line": [{"Id": "1", "Amount": 200.0, "DetailType": "AccountBasedExpenseLineDetail",
                "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "7", "name": "Advertising"},
                    "BillableStatus": "NotBillable"}}],
            "MetaData": {"CreateTime": "2026-11-03T10:00:00-08:00", "LastUpdatedTime": "2026-11-04T10:00:00-08:00"}
        })
    }

    #[test]
    fn reads_a_bill() {
        let bill: Bill = serde_json::from_value(example()).unwrap();
        assert_eq!(bill.ap_account_ref.unwrap().value, "33");
        let line = &bill.line.unwrap()[0];
        let detail = line.account_based_expense_line_detail.as_ref().unwrap();
        assert_eq!(detail.account_ref.as_ref().unwrap().value, "7");
        assert_eq!(line.amount, Some(dec("200")));
        let out = round_trip::<Bill>(example());
        assert_eq!(
            out["Line"][0]["AccountBasedExpenseLineDetail"]["BillableStatus"],
            "NotBillable"
        );
        assert_eq!(out["APAccountRef"]["value"], "33");
    }

    #[test]
    fn the_vendor_is_required() {
        let mut bad = example();
        bad.as_object_mut().unwrap().remove("VendorRef");
        assert!(
            error_at::<Bill>(bad)
                .1
                .contains("missing field `VendorRef`")
        );
    }
}
