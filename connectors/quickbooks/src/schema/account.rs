//! `quickbooks/accounts`: the chart of accounts, a name list (made
//! inactive, never deleted).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;

use super::common::{MetaData, Ref};
use super::qb_object;

/// A QuickBooks `Account`; `Name` is unique among accounts.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Account {
    pub id: String,
    pub sync_token: Option<String>,
    pub meta_data: Option<MetaData>,
    pub name: String,
    /// `Bank`, `Accounts Receivable`, `Income`, `Expense`, …
    pub account_type: Option<String>,
    pub account_sub_type: Option<String>,
    pub classification: Option<String>,
    #[serde(default, with = "money::option")]
    pub current_balance: Option<Decimal>,
    pub fully_qualified_name: Option<String>,
    pub active: Option<bool>,
    pub currency_ref: Option<Ref>,
    /// Unknown fields (`domain`, `sparse`, …), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

qb_object!(Account, active);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::QbObject;
    use crate::schema::test_support::{dec, round_trip};

    #[test]
    fn reads_an_account() {
        let raw = serde_json::json!({
            "Name": "Checking", "SubAccount": false, "FullyQualifiedName": "Checking",
            "Active": true, "Classification": "Asset", "AccountType": "Bank",
            "AccountSubType": "Checking", "CurrentBalance": 1201.00,
            "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
            "domain": "QBO", "sparse": false, "Id": "35", "SyncToken": "0",
            "MetaData": {"CreateTime": "2026-09-17T14:11:06-07:00", "LastUpdatedTime": "2026-09-17T14:11:06-07:00"}
        });
        let out = round_trip::<Account>(raw.clone());
        let a: Account = serde_json::from_value(raw).unwrap();
        assert_eq!(
            (a.id(), a.sync_token(), a.active()),
            ("35", Some("0"), Some(true))
        );
        assert_eq!(a.current_balance, Some(dec("1201")));
        assert_eq!(out["MetaData"]["LastUpdatedTime"], "2026-09-17T21:11:06Z");
        assert_eq!(out["SubAccount"], false);
    }
}
