//! `quickbooks/payments`: money received from customers, a transaction
//! (deleted outright; a voided one stays, zeroed).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;

use super::common::{Line, MetaData, Ref};
use super::qb_object;

/// A QuickBooks `Payment`: lines apply it to invoices (`LinkedTxn`), what
/// no line applies is `UnappliedAmt`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Payment {
    pub id: String,
    pub sync_token: Option<String>,
    pub meta_data: Option<MetaData>,
    pub customer_ref: Ref,
    #[serde(default, with = "money::option")]
    pub total_amt: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub unapplied_amt: Option<Decimal>,
    pub deposit_to_account_ref: Option<Ref>,
    pub txn_date: Option<NaiveDate>,
    pub line: Option<Vec<Line>>,
    pub private_note: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

qb_object!(Payment);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::test_support::{dec, error_at};
    use serde_json::json;

    fn example() -> Value {
        json!({
            "Id": "163", "SyncToken": "0", "CustomerRef": {"value": "20", "name": "Red Rock Diner"},
            "DepositToAccountRef": {"value": "4"}, "TotalAmt": 55.0, "UnappliedAmt": 10.0,
            "TxnDate": "2026-11-12",
            "Line": [{"Amount": 45.0, "LinkedTxn": [{"TxnId": "70", "TxnType": "Invoice"}]}],
            "MetaData": {"CreateTime": "2026-11-12T10:00:00-08:00", "LastUpdatedTime": "2026-11-12T10:00:00-08:00"}
        })
    }

    #[test]
    fn reads_a_payment() {
        let p: Payment = serde_json::from_value(example()).unwrap();
        assert_eq!(
            (p.total_amt, p.unapplied_amt),
            (Some(dec("55")), Some(dec("10")))
        );
        let linked = &p.line.unwrap()[0].linked_txn.clone().unwrap()[0];
        assert_eq!(
            (linked.txn_id.as_str(), linked.txn_type.as_deref()),
            ("70", Some("Invoice"))
        );
    }

    #[test]
    fn a_link_without_its_transaction_is_named() {
        let mut bad = example();
        bad["Line"][0]["LinkedTxn"][0]
            .as_object_mut()
            .unwrap()
            .remove("TxnId");
        let (path, message) = error_at::<Payment>(bad);
        assert_eq!(path, "Line[0].LinkedTxn[0]");
        assert!(message.contains("missing field `TxnId`"), "{message}");
    }
}
