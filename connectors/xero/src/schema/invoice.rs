//! `xero/invoices`: sales invoices (`ACCREC`) and bills (`ACCPAY`).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;
use uuid::Uuid;

use super::common::{
    ContactRef, CreditNoteRef, LineItem, OverpaymentRef, PaymentRef, PrepaymentRef,
};
use super::{XeroObject, dates::XeroDateTime};

/// A Xero invoice (spec `Invoice`); deleted or voided ones keep their id and
/// change `Status` to `DELETED`/`VOIDED`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Invoice {
    #[serde(rename = "InvoiceID")]
    pub invoice_id: Uuid,
    /// `ACCREC` or `ACCPAY`.
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    pub invoice_number: Option<String>,
    pub reference: Option<String>,
    pub contact: Option<ContactRef>,
    /// `DRAFT`, `SUBMITTED`, `AUTHORISED`, `PAID`, `VOIDED`, `DELETED`.
    pub status: Option<String>,
    /// `Exclusive`, `Inclusive` or `NoTax`.
    pub line_amount_types: Option<String>,
    pub line_items: Option<Vec<LineItem>>,
    pub date: Option<XeroDateTime>,
    pub due_date: Option<XeroDateTime>,
    pub expected_payment_date: Option<XeroDateTime>,
    pub planned_payment_date: Option<XeroDateTime>,
    pub fully_paid_on_date: Option<XeroDateTime>,
    pub currency_code: Option<String>,
    #[serde(default, with = "money::option")]
    pub currency_rate: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub sub_total: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub total_tax: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub total: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub total_discount: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub amount_due: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub amount_paid: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub amount_credited: Option<Decimal>,
    #[serde(rename = "BrandingThemeID")]
    pub branding_theme_id: Option<Uuid>,
    #[serde(rename = "RepeatingInvoiceID")]
    pub repeating_invoice_id: Option<Uuid>,
    pub sent_to_contact: Option<bool>,
    pub is_discounted: Option<bool>,
    pub has_attachments: Option<bool>,
    pub payments: Option<Vec<PaymentRef>>,
    pub credit_notes: Option<Vec<CreditNoteRef>>,
    pub prepayments: Option<Vec<PrepaymentRef>>,
    pub overpayments: Option<Vec<OverpaymentRef>>,
    #[serde(rename = "UpdatedDateUTC")]
    pub updated_date_utc: Option<XeroDateTime>,
    /// Unknown fields, kept as sent (e.g. `DateString`, `Attachments`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl XeroObject for Invoice {
    const ID_FIELD: &'static str = "InvoiceID";

    fn external_id(&self) -> String {
        self.invoice_id.hyphenated().to_string()
    }

    fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.updated_date_utc.map(Into::into)
    }

    fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::test_support::{assert_id_required, dec, fixture, raw, round_trip, utc};

    const ONE: &str = include_str!("testdata/invoice.json");
    const LIST: &str = include_str!("testdata/invoices_list.json");

    #[test]
    fn parses_the_spec_example() {
        let [inv]: [Invoice; 1] = fixture(ONE, "Invoices").try_into().unwrap();
        assert_eq!(inv.external_id(), "a03ffcd2-5d91-4c7e-b483-318584e9e439");
        assert_eq!(inv.kind.as_deref(), Some("ACCREC"));
        assert_eq!(inv.status(), Some("PAID"));
        assert_eq!(inv.total, Some(dec("148062.76")));
        assert_eq!(inv.amount_due, Some(dec("0")));
        assert_eq!(inv.currency_rate, Some(dec("1")));
        assert_eq!(inv.updated_at(), Some(utc("2019-03-07T17:59:28.133Z")));
        assert_eq!(inv.date.unwrap().0, utc("2019-03-07T00:00:00Z"));
        assert_eq!(inv.due_date.unwrap().0, utc("2019-03-13T00:00:00Z"));
        let contact = inv.contact.as_ref().unwrap();
        assert_eq!(contact.name.as_deref(), Some("Liam Gallagher"));
        assert_eq!(
            contact.contact_id.unwrap().to_string(),
            "430fa14a-f945-44d3-9f97-5df5e28441b8"
        );
        let lines = inv.line_items.as_ref().unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].item_code.as_deref(), Some("123"));
        assert_eq!(lines[0].quantity, Some(dec("1")));
        assert_eq!(lines[0].unit_amount, Some(dec("148062.76")));
        assert_eq!(lines[0].tracking.as_ref().map(Vec::len), Some(0));
        let payments = inv.payments.as_ref().unwrap();
        assert_eq!(payments[0].amount, Some(dec("148062.76")));
        assert_eq!(payments[0].date.unwrap().0, utc("2019-03-19T00:00:00Z"));
        assert!(inv.extra.contains_key("Attachments"));
        assert_eq!(inv.extra["DateString"], "2019-03-07T00:00:00");
    }

    #[test]
    fn parses_the_list_example() {
        let invoices: Vec<Invoice> = fixture(LIST, "Invoices");
        assert_eq!(invoices.len(), 3);
        let statuses: Vec<_> = invoices.iter().map(|i| i.status().unwrap()).collect();
        assert_eq!(statuses, ["VOIDED", "PAID", "AUTHORISED"]);
        assert_eq!(invoices[1].total, Some(dec("46.00")));
        assert_eq!(
            invoices[1].payments.as_ref().unwrap()[0].amount,
            Some(dec("46"))
        );
        assert_eq!(invoices[2].amount_due, Some(dec("115")));
        assert!(invoices[0].fully_paid_on_date.is_none());
        assert_eq!(
            invoices[0].repeating_invoice_id.unwrap().to_string(),
            "428c0d75-909f-4b04-8403-a48dc27283b0"
        );
    }

    #[test]
    fn round_trip_normalises_and_keeps_unknown_fields() {
        let out = round_trip::<Invoice>(raw(ONE, "Invoices", 0));
        assert_eq!(out["UpdatedDateUTC"], "2019-03-07T17:59:28.133Z");
        assert_eq!(out["Date"], "2019-03-07T00:00:00Z");
        assert_eq!(out["Payments"][0]["Date"], "2019-03-19T00:00:00Z");
        assert_eq!(out["Total"], 148062.76);
        assert_eq!(
            out["LineItems"][0]["ValidationErrors"],
            serde_json::json!([])
        );
        assert_eq!(out["Contact"]["Phones"][0]["PhoneNumber"], "222-2222");
        assert!(out.get("TotalDiscount").is_none(), "no nulls added");
    }

    #[test]
    fn id_is_required() {
        assert_id_required::<Invoice>(raw(ONE, "Invoices", 0));
    }

    #[test]
    fn bad_field_is_named_by_its_path() {
        let mut bad = raw(ONE, "Invoices", 0);
        bad["LineItems"][0]["UnitAmount"] = "lots".into();
        let err = serde_path_to_error::deserialize::<_, Invoice>(bad).unwrap_err();
        assert_eq!(err.path().to_string(), "LineItems[0].UnitAmount");
        assert!(
            err.inner().to_string().contains(r#"got string "lots""#),
            "{err}"
        );

        let mut bad = raw(ONE, "Invoices", 0);
        bad["Payments"][0]["Date"] = "soon".into();
        let err = serde_path_to_error::deserialize::<_, Invoice>(bad).unwrap_err();
        assert_eq!(err.path().to_string(), "Payments[0].Date");
    }
}
