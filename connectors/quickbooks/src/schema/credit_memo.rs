//! `quickbooks/credit_memos`: credits to customers, a transaction (deleted
//! outright).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;

use super::common::{Line, MetaData, Ref};
use super::qb_object;

/// A QuickBooks `CreditMemo`: shaped as an invoice, with `RemainingCredit`
/// (what is left to apply) in place of `Balance`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CreditMemo {
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
    #[serde(default, with = "money::option")]
    pub remaining_credit: Option<Decimal>,
    pub private_note: Option<String>,
    pub currency_ref: Option<Ref>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

qb_object!(CreditMemo);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::test_support::{dec, round_trip};
    use serde_json::json;

    #[test]
    fn reads_a_credit_memo() {
        let mut raw = crate::schema::invoice::tests::example();
        raw.as_object_mut().unwrap().remove("Balance");
        raw["RemainingCredit"] = json!(12.1);
        let memo: CreditMemo = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(memo.remaining_credit, Some(dec("12.1")));
        assert!(memo.balance.is_none());
        assert_eq!(round_trip::<CreditMemo>(raw)["RemainingCredit"], 12.1);
    }
}
