//! `quickbooks/items`: products and services, a name list (made inactive,
//! never deleted).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;

use super::common::{MetaData, Ref};
use super::qb_object;

/// A QuickBooks `Item`; `Name` is unique among items, and `Service` and
/// `NonInventory` items need an `IncomeAccountRef`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Item {
    pub id: String,
    pub sync_token: Option<String>,
    pub meta_data: Option<MetaData>,
    pub name: String,
    /// `Service`, `NonInventory` or `Inventory`.
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    #[serde(default, with = "money::option")]
    pub unit_price: Option<Decimal>,
    pub income_account_ref: Option<Ref>,
    pub expense_account_ref: Option<Ref>,
    pub fully_qualified_name: Option<String>,
    pub active: Option<bool>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

qb_object!(Item, active);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::test_support::{dec, error_at, round_trip};
    use serde_json::json;

    fn example() -> Value {
        json!({
            "Id": "19", "SyncToken": "1", "Name": "Garden Rocks", "Type": "Service",
            "UnitPrice": 22.5, "IncomeAccountRef": {"value": "79", "name": "Sales of Product Income"},
            "FullyQualifiedName": "Garden Rocks", "Active": true, "Taxable": false,
            "MetaData": {"CreateTime": "2026-10-01T10:00:00-08:00", "LastUpdatedTime": "2026-10-02T10:00:00-08:00"}
        })
    }

    #[test]
    fn reads_an_item() {
        let item: Item = serde_json::from_value(example()).unwrap();
        assert_eq!(item.unit_price, Some(dec("22.5")));
        assert_eq!(item.income_account_ref.unwrap().value, "79");
        assert_eq!(round_trip::<Item>(example())["UnitPrice"], 22.5);
    }

    #[test]
    fn a_price_that_is_no_number_is_named() {
        let mut bad = example();
        bad["UnitPrice"] = json!("cheap");
        let (path, message) = error_at::<Item>(bad);
        assert_eq!(path, "UnitPrice");
        assert!(message.contains(r#"got string "cheap""#), "{message}");
    }
}
