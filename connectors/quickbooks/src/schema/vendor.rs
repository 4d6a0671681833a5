//! `quickbooks/vendors`: the people and companies bought from, a name list
//! (made inactive, never deleted).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;

use super::common::{EmailAddr, MetaData, Phone, PhysicalAddress};
use super::qb_object;

/// A QuickBooks `Vendor`; `DisplayName` is unique across customers and
/// vendors (Fault 6240 otherwise).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Vendor {
    pub id: String,
    pub sync_token: Option<String>,
    pub meta_data: Option<MetaData>,
    pub display_name: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub company_name: Option<String>,
    pub primary_email_addr: Option<EmailAddr>,
    pub primary_phone: Option<Phone>,
    pub bill_addr: Option<PhysicalAddress>,
    #[serde(default, with = "money::option")]
    pub balance: Option<Decimal>,
    pub active: Option<bool>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

qb_object!(Vendor, active);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::QbObject;
    use crate::schema::test_support::round_trip;
    use serde_json::json;

    #[test]
    fn reads_a_vendor() {
        let raw = json!({
            "Id": "41", "SyncToken": "0", "DisplayName": "Bob's Burger Joint",
            "PrimaryEmailAddr": {"Address": "bob@example.com"}, "Balance": 0, "Active": true,
            "Vendor1099": false,
            "MetaData": {"CreateTime": "2026-10-01T10:00:00-08:00", "LastUpdatedTime": "2026-10-01T10:00:00-08:00"}
        });
        let v: Vendor = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!((v.id(), v.active()), ("41", Some(true)));
        assert_eq!(round_trip::<Vendor>(raw)["Vendor1099"], false);
    }
}
