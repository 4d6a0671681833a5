//! `xero/credit_notes`: credits against sales (`ACCRECCREDIT`) or bills (`ACCPAYCREDIT`).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;
use uuid::Uuid;

use super::common::{Allocation, ContactRef, LineItem, PaymentRef};
use super::{XeroObject, dates::XeroDateTime};

/// A Xero credit note (spec `CreditNote`); deletion shows as `Status`
/// `DELETED`/`VOIDED`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CreditNote {
    #[serde(rename = "CreditNoteID")]
    pub credit_note_id: Uuid,
    /// `ACCRECCREDIT` or `ACCPAYCREDIT`.
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    pub credit_note_number: Option<String>,
    pub reference: Option<String>,
    pub contact: Option<ContactRef>,
    pub status: Option<String>,
    pub line_amount_types: Option<String>,
    pub line_items: Option<Vec<LineItem>>,
    pub date: Option<XeroDateTime>,
    pub due_date: Option<XeroDateTime>,
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
    pub remaining_credit: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub applied_amount: Option<Decimal>,
    pub allocations: Option<Vec<Allocation>>,
    pub payments: Option<Vec<PaymentRef>>,
    #[serde(rename = "BrandingThemeID")]
    pub branding_theme_id: Option<Uuid>,
    pub sent_to_contact: Option<bool>,
    pub has_attachments: Option<bool>,
    #[serde(rename = "UpdatedDateUTC")]
    pub updated_date_utc: Option<XeroDateTime>,
    /// Unknown fields, kept as sent (Xero also repeats the id as `ID`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl XeroObject for CreditNote {
    const ID_FIELD: &'static str = "CreditNoteID";

    fn external_id(&self) -> String {
        self.credit_note_id.hyphenated().to_string()
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

    const ONE: &str = include_str!("testdata/credit_note.json");

    #[test]
    fn parses_the_spec_example() {
        let [cn]: [CreditNote; 1] = fixture(ONE, "CreditNotes").try_into().unwrap();
        assert_eq!(cn.external_id(), "249f15fa-f2a7-4acc-8769-0984103f2225");
        assert_eq!(cn.kind.as_deref(), Some("ACCRECCREDIT"));
        assert_eq!(cn.credit_note_number.as_deref(), Some("CN-0005"));
        assert_eq!(cn.status(), Some("AUTHORISED"));
        assert_eq!(cn.updated_at(), Some(utc("2019-03-05T18:59:06.157Z")));
        assert_eq!(cn.date.unwrap().0, utc("2019-03-05T00:00:00Z"));
        assert_eq!(
            (cn.sub_total, cn.total_tax),
            (Some(dec("30")), Some(dec("4.5")))
        );
        assert_eq!(cn.total, Some(dec("34.5")));
        assert_eq!(cn.remaining_credit, Some(dec("32.5")));
        let lines = cn.line_items.as_ref().unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].tax_amount, Some(dec("4.5")));
        assert_eq!(lines[0].tax_type.as_deref(), Some("OUTPUT2"));
        assert_eq!(
            cn.payments.as_ref().unwrap()[0].reference.as_deref(),
            Some("Too much")
        );
        assert_eq!(cn.allocations.as_ref().map(Vec::len), Some(0));
        assert_eq!(cn.extra["ID"], "249f15fa-f2a7-4acc-8769-0984103f2225");
    }

    #[test]
    fn allocations_are_typed() {
        // The allocation is the spec's PUT /CreditNotes/{id}/Allocations example.
        let cn: CreditNote = serde_json::from_str(
            r#"{"CreditNoteID": "7be578f5-63af-45c8-9b00-dcc4732baf0b", "Allocations": [{
                "Amount": 1.00, "Date": "/Date(1551744000000+0000)/",
                "Invoice": {"InvoiceID": "c45720a1-ade3-4a38-a064-d15489be6841", "Payments": [],
                    "CreditNotes": [], "Prepayments": [], "Overpayments": [], "HasErrors": false,
                    "IsDiscounted": false, "LineItems": [], "ValidationErrors": []},
                "CreditNote": {"CreditNoteID": "7be578f5-63af-45c8-9b00-dcc4732baf0b",
                    "ID": "7be578f5-63af-45c8-9b00-dcc4732baf0b", "LineItems": []},
                "ValidationErrors": []}]}"#,
        )
        .unwrap();
        let a = &cn.allocations.as_ref().unwrap()[0];
        assert_eq!(a.amount, Some(dec("1.00")));
        assert_eq!(a.date.unwrap().0, utc("2019-03-05T00:00:00Z"));
        let invoice = a.invoice.as_ref().unwrap();
        assert_eq!(
            invoice.invoice_id.unwrap().to_string(),
            "c45720a1-ade3-4a38-a064-d15489be6841"
        );
        assert_eq!(
            a.credit_note.as_ref().unwrap().credit_note_id,
            Some(cn.credit_note_id)
        );
        assert!(invoice.extra.contains_key("HasErrors"));
    }

    #[test]
    fn round_trip_normalises_and_keeps_unknown_fields() {
        let out = round_trip::<CreditNote>(raw(ONE, "CreditNotes", 0));
        assert_eq!(out["UpdatedDateUTC"], "2019-03-05T18:59:06.157Z");
        assert_eq!(out["Date"], "2019-03-05T00:00:00Z");
        assert_eq!(out["Total"], 34.5);
        assert_eq!(out["LineItems"][0]["Quantity"], 1);
        assert_eq!(out["Attachments"][0]["ContentLength"], 82334);
    }

    #[test]
    fn id_is_required() {
        assert_id_required::<CreditNote>(raw(ONE, "CreditNotes", 0));
    }
}
