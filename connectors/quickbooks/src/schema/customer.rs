//! `quickbooks/customers`: the people and companies sold to, a name list
//! (made inactive, never deleted).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;

use super::common::{EmailAddr, MetaData, Phone, PhysicalAddress};
use super::qb_object;

/// A QuickBooks `Customer`; `DisplayName` is unique across customers and
/// vendors (Fault 6240 otherwise).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Customer {
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

qb_object!(Customer, active);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::QbObject;
    use crate::schema::test_support::{dec, error_at, round_trip};
    use serde_json::json;

    fn example() -> Value {
        json!({
            "domain": "QBO", "sparse": false, "Id": "58", "SyncToken": "3",
            "MetaData": {"CreateTime": "2026-10-01T10:00:00-08:00", "LastUpdatedTime": "2026-11-29T20:12:09-08:00"},
            "GivenName": "Amy", "FamilyName": "Lauterbach", "DisplayName": "Amy's Bird Sanctuary",
            "CompanyName": "Amy's Bird Sanctuary", "PrimaryEmailAddr": {"Address": "Birds@Intuit.com"},
            "PrimaryPhone": {"FreeFormNumber": "(650) 555-3311"},
            "BillAddr": {"Id": "2", "Line1": "4581 Finch St.", "City": "Bayshore",
                "CountrySubDivisionCode": "CA", "PostalCode": "94326", "Lat": "INVALID"},
            "Balance": 239.00, "Active": false, "Taxable": false
        })
    }

    #[test]
    fn reads_a_customer() {
        let c: Customer = serde_json::from_value(example()).unwrap();
        assert_eq!(c.display_name, "Amy's Bird Sanctuary");
        assert_eq!(c.active(), Some(false));
        assert_eq!(c.balance, Some(dec("239")));
        assert_eq!(
            c.updated_at().unwrap().to_rfc3339(),
            "2026-11-30T04:12:09+00:00"
        );
        let out = round_trip::<Customer>(example());
        assert_eq!(out["BillAddr"]["Lat"], "INVALID");
        assert_eq!(out["Taxable"], false);
    }

    #[test]
    fn display_name_is_required_and_bad_fields_are_named() {
        let mut no_name = example();
        no_name.as_object_mut().unwrap().remove("DisplayName");
        let (_, message) = error_at::<Customer>(no_name);
        assert!(message.contains("missing field `DisplayName`"), "{message}");
        let mut bad = example();
        bad["BillAddr"]["City"] = json!(12);
        assert_eq!(error_at::<Customer>(bad).0, "BillAddr.City");
    }
}
