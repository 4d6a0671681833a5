//! `quickbooks/bill_payments`: money paid to vendors, a transaction
//! (deleted outright; a voided one stays).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;

use super::common::{Line, MetaData, Ref};
use super::qb_object;

/// A QuickBooks `BillPayment`, by cheque (`CheckPayment`) or card; lines
/// apply it to bills (`LinkedTxn`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BillPayment {
    pub id: String,
    pub sync_token: Option<String>,
    pub meta_data: Option<MetaData>,
    pub vendor_ref: Option<Ref>,
    /// `Check` or `CreditCard`.
    pub pay_type: Option<String>,
    pub check_payment: Option<CheckPayment>,
    #[serde(default, with = "money::option")]
    pub total_amt: Option<Decimal>,
    pub txn_date: Option<NaiveDate>,
    pub line: Option<Vec<Line>>,
    /// Unknown fields (`CreditCardPayment`, …), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The bank account a cheque is drawn on.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CheckPayment {
    pub bank_account_ref: Option<Ref>,
    /// Unknown fields (`PrintStatus`, …), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

qb_object!(BillPayment);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::test_support::round_trip;
    use serde_json::json;

    #[test]
    fn reads_a_bill_payment() {
        let raw = json!({
            "Id": "201", "SyncToken": "1", "VendorRef": {"value": "56"}, "PayType": "Check",
            "CheckPayment": {"BankAccountRef": {"value": "35", "name": "Checking"}, "PrintStatus": "NeedToPrint"},
            "TotalAmt": 200, "TxnDate": "2026-11-20",
            "Line": [{"Amount": 200, "LinkedTxn": [{"TxnId": "25", "TxnType": "Bill"}]}],
            "MetaData": {"CreateTime": "2026-11-20T10:00:00-08:00", "LastUpdatedTime": "2026-11-21T10:00:00-08:00"}
        });
        let bp: BillPayment = serde_json::from_value(raw.clone()).unwrap();
        let bank = bp.check_payment.unwrap().bank_account_ref.unwrap();
        assert_eq!(bank.value, "35");
        let out = round_trip::<BillPayment>(raw);
        assert_eq!(out["CheckPayment"]["PrintStatus"], "NeedToPrint");
        assert_eq!(out["MetaData"]["LastUpdatedTime"], "2026-11-21T18:00:00Z");
    }
}
