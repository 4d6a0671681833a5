//! `xero/contacts`: customers and suppliers.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;
use uuid::Uuid;

use super::common::{Address, Phone};
use super::{XeroObject, dates::XeroDateTime};

/// A Xero contact (spec `Contact`). Contacts are archived, never deleted:
/// `ContactStatus` becomes `ARCHIVED` (or `GDPRREQUEST`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Contact {
    #[serde(rename = "ContactID")]
    pub contact_id: Uuid,
    /// Set when this contact was merged into another one.
    #[serde(rename = "MergedToContactID")]
    pub merged_to_contact_id: Option<Uuid>,
    pub contact_number: Option<String>,
    pub account_number: Option<String>,
    /// `ACTIVE`, `ARCHIVED` or `GDPRREQUEST`.
    pub contact_status: Option<String>,
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_number: Option<String>,
    pub email_address: Option<String>,
    pub tax_number: Option<String>,
    pub accounts_receivable_tax_type: Option<String>,
    pub accounts_payable_tax_type: Option<String>,
    pub is_supplier: Option<bool>,
    pub is_customer: Option<bool>,
    pub default_currency: Option<String>,
    pub sales_default_account_code: Option<String>,
    pub purchases_default_account_code: Option<String>,
    /// Default discount, in percent.
    #[serde(default, with = "money::option")]
    pub discount: Option<Decimal>,
    pub addresses: Option<Vec<Address>>,
    pub phones: Option<Vec<Phone>>,
    pub contact_persons: Option<Vec<ContactPerson>>,
    /// Only in single-contact responses.
    pub balances: Option<Balances>,
    pub has_attachments: Option<bool>,
    #[serde(rename = "UpdatedDateUTC")]
    pub updated_date_utc: Option<XeroDateTime>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Another person at a contact (spec `ContactPerson`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ContactPerson {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email_address: Option<String>,
    pub include_in_emails: Option<bool>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What the contact owes and is owed (spec `Balances`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Balances {
    pub accounts_receivable: Option<Balance>,
    pub accounts_payable: Option<Balance>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One side of a contact's balances.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Balance {
    #[serde(default, with = "money::option")]
    pub outstanding: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub overdue: Option<Decimal>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl XeroObject for Contact {
    const ID_FIELD: &'static str = "ContactID";

    fn external_id(&self) -> String {
        self.contact_id.hyphenated().to_string()
    }

    fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.updated_date_utc.map(Into::into)
    }

    // Xero quirk: contacts call their status `ContactStatus`.
    fn status(&self) -> Option<&str> {
        self.contact_status.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::test_support::{assert_id_required, dec, fixture, raw, round_trip, utc};

    const ONE: &str = include_str!("testdata/contact.json");

    #[test]
    fn parses_the_spec_example() {
        let [c]: [Contact; 1] = fixture(ONE, "Contacts").try_into().unwrap();
        assert_eq!(c.external_id(), "8138a266-fb42-49b2-a104-014b7045753d");
        assert_eq!(c.status(), Some("ACTIVE"));
        assert_eq!(c.name.as_deref(), Some("Acme Parts Co."));
        assert_eq!(c.contact_number.as_deref(), Some("SB2"));
        assert_eq!(c.updated_at(), Some(utc("2019-03-01T17:02:57.193Z")));
        assert_eq!(c.discount, Some(dec("13")));
        assert_eq!(c.is_supplier, Some(true));
        let addresses = c.addresses.as_ref().unwrap();
        assert_eq!(addresses.len(), 2);
        assert_eq!(addresses[1].address_type.as_deref(), Some("POBOX"));
        assert_eq!(
            addresses[1].address_line1.as_deref(),
            Some("1234 Fake Street")
        );
        assert_eq!(addresses[1].attention_to.as_deref(), Some("Blake"));
        let phones = c.phones.as_ref().unwrap();
        assert_eq!(phones.len(), 4);
        assert_eq!(phones[1].phone_number.as_deref(), Some("408-0914"));
        assert_eq!(phones[1].phone_area_code.as_deref(), Some("604"));
        let person = &c.contact_persons.as_ref().unwrap()[0];
        assert_eq!(
            person.email_address.as_deref(),
            Some("sue.johnson@krave.com")
        );
        assert_eq!(person.include_in_emails, Some(true));
        let balances = c.balances.as_ref().unwrap();
        let payable = balances.accounts_payable.as_ref().unwrap();
        assert_eq!(payable.outstanding, Some(dec("-43.6")));
        assert_eq!(
            balances.accounts_receivable.as_ref().unwrap().overdue,
            Some(dec("136.9"))
        );
        assert!(c.extra.contains_key("PaymentTerms"));
        assert!(c.extra.contains_key("BatchPayments"));
    }

    #[test]
    fn round_trip_normalises_and_keeps_unknown_fields() {
        let out = round_trip::<Contact>(raw(ONE, "Contacts", 0));
        assert_eq!(out["UpdatedDateUTC"], "2019-03-01T17:02:57.193Z");
        assert_eq!(out["Balances"]["AccountsPayable"]["Outstanding"], -43.6);
        assert_eq!(out["PaymentTerms"]["Bills"]["Day"], 12);
        assert_eq!(out["Addresses"][0]["Country"], "");
    }

    #[test]
    fn id_is_required() {
        assert_id_required::<Contact>(raw(ONE, "Contacts", 0));
    }

    #[test]
    fn minimal_contact_parses() {
        let c: Contact = serde_json::from_str(
            r#"{"ContactID": "a3675fc4-f8dd-4f03-ba5b-f1870566bcd7", "Name": "Barney Rubble-83203"}"#,
        )
        .unwrap();
        assert_eq!(c.name.as_deref(), Some("Barney Rubble-83203"));
        assert!(c.updated_at().is_none() && c.status().is_none());
        assert_eq!(
            serde_json::to_value(&c).unwrap().as_object().unwrap().len(),
            2
        );
    }
}
