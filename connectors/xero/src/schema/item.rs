//! `xero/items`: products and services sold or bought.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;
use uuid::Uuid;

use super::{XeroObject, dates::XeroDateTime};

/// A Xero item (spec `Item`). Items have no status: a deleted item simply
/// vanishes from the API.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Item {
    #[serde(rename = "ItemID")]
    pub item_id: Uuid,
    /// The user's key for the item, used by line items' `ItemCode`; required
    /// by the spec and by Xero.
    pub code: String,
    pub name: Option<String>,
    /// The sales description.
    pub description: Option<String>,
    pub purchase_description: Option<String>,
    pub is_sold: Option<bool>,
    pub is_purchased: Option<bool>,
    pub purchase_details: Option<ItemPriceDetails>,
    pub sales_details: Option<ItemPriceDetails>,
    pub is_tracked_as_inventory: Option<bool>,
    pub inventory_asset_account_code: Option<String>,
    #[serde(default, with = "money::option")]
    pub total_cost_pool: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub quantity_on_hand: Option<Decimal>,
    #[serde(rename = "UpdatedDateUTC")]
    pub updated_date_utc: Option<XeroDateTime>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An item's purchase or sales terms (spec `Purchase`, used for both); Xero
/// sends `{}` when none are set.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ItemPriceDetails {
    #[serde(default, with = "money::option")]
    pub unit_price: Option<Decimal>,
    pub account_code: Option<String>,
    /// Cost-of-goods-sold account, for tracked inventory.
    #[serde(rename = "COGSAccountCode")]
    pub cogs_account_code: Option<String>,
    pub tax_type: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl XeroObject for Item {
    const ID_FIELD: &'static str = "ItemID";

    fn external_id(&self) -> String {
        self.item_id.hyphenated().to_string()
    }

    fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.updated_date_utc.map(Into::into)
    }

    // Items have no status field.
    fn status(&self) -> Option<&str> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::test_support::{assert_id_required, dec, fixture, raw, round_trip, utc};

    const ONE: &str = include_str!("testdata/item.json");

    #[test]
    fn parses_the_spec_example() {
        let [item]: [Item; 1] = fixture(ONE, "Items").try_into().unwrap();
        assert_eq!(item.external_id(), "c8c54d65-f3f2-452d-926e-bf450b12fb07");
        assert_eq!(item.code, "123");
        assert_eq!(item.name.as_deref(), Some("Guitars"));
        assert_eq!(item.status(), None);
        assert_eq!(item.updated_at(), Some(utc("2019-03-11T19:41:49.387Z")));
        assert_eq!(item.is_tracked_as_inventory, Some(true));
        assert_eq!(item.total_cost_pool, Some(dec("25000")));
        assert_eq!(item.quantity_on_hand, Some(dec("10")));
        let purchase = item.purchase_details.as_ref().unwrap();
        assert_eq!(purchase.unit_price, Some(dec("2500")));
        assert_eq!(purchase.cogs_account_code.as_deref(), Some("310"));
        assert_eq!(purchase.account_code, None);
        let sales = item.sales_details.as_ref().unwrap();
        assert_eq!(sales.unit_price, Some(dec("5000")));
        assert_eq!(sales.account_code.as_deref(), Some("200"));
    }

    #[test]
    fn empty_details_stay_empty() {
        let item: Item = serde_json::from_str(
            r#"{"ItemID": "a4544d51-48f6-441f-a623-99ecbced6ab7", "Code": "abc65591",
                "PurchaseDetails": {}, "SalesDetails": {}, "IsSold": true}"#,
        )
        .unwrap();
        assert!(item.purchase_details.as_ref().unwrap().unit_price.is_none());
        let out = serde_json::to_value(&item).unwrap();
        assert_eq!(out["PurchaseDetails"], serde_json::json!({}));
        assert_eq!(out.as_object().unwrap().len(), 5);
    }

    #[test]
    fn round_trip_normalises_and_keeps_unknown_fields() {
        let out = round_trip::<Item>(raw(ONE, "Items", 0));
        assert_eq!(out["UpdatedDateUTC"], "2019-03-11T19:41:49.387Z");
        assert_eq!(out["PurchaseDetails"]["COGSAccountCode"], "310");
        assert_eq!(out["SalesDetails"]["UnitPrice"], 5000);
        assert_eq!(out["ValidationErrors"], serde_json::json!([]));
    }

    #[test]
    fn id_and_code_are_required() {
        assert_id_required::<Item>(raw(ONE, "Items", 0));
        let mut bad = raw(ONE, "Items", 0);
        bad.as_object_mut().unwrap().remove("Code");
        let err = serde_json::from_value::<Item>(bad).unwrap_err();
        assert!(err.to_string().contains("missing field `Code`"), "{err}");
    }
}
