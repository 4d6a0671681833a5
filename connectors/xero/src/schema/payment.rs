//! `xero/payments`: money received against invoices and credit notes, or paid out.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;
use uuid::Uuid;

use super::common::{AccountRef, CreditNoteRef, InvoiceRef, OverpaymentRef, PrepaymentRef};
use super::{XeroObject, dates::XeroDateTime};

/// A Xero payment (spec `Payment`). Payments are not edited, only deleted:
/// `Status` becomes `DELETED`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Payment {
    #[serde(rename = "PaymentID")]
    pub payment_id: Uuid,
    /// `AUTHORISED` or `DELETED`.
    pub status: Option<String>,
    /// `ACCRECPAYMENT`, `ACCPAYPAYMENT`, `ARCREDITPAYMENT`, ...
    pub payment_type: Option<String>,
    pub date: Option<XeroDateTime>,
    #[serde(default, with = "money::option")]
    pub amount: Option<Decimal>,
    /// The amount in the bank account's currency.
    #[serde(default, with = "money::option")]
    pub bank_amount: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub currency_rate: Option<Decimal>,
    pub reference: Option<String>,
    pub is_reconciled: Option<bool>,
    /// What is paid: one of invoice, credit note, prepayment, overpayment.
    /// Xero quirk: a credit-note refund (`ARCREDITPAYMENT`) lists the credit
    /// note here, as an `Invoice` of `Type` `ACCRECCREDIT` whose id is the credit note's.
    pub invoice: Option<InvoiceRef>,
    pub credit_note: Option<CreditNoteRef>,
    pub prepayment: Option<PrepaymentRef>,
    pub overpayment: Option<OverpaymentRef>,
    pub invoice_number: Option<String>,
    pub credit_note_number: Option<String>,
    /// The bank account paid from or into.
    pub account: Option<AccountRef>,
    /// Set when the payment is part of a batch (the embedded `BatchPayment`
    /// stays in `extra`: Xero writes its numbers and booleans as strings there).
    #[serde(rename = "BatchPaymentID")]
    pub batch_payment_id: Option<Uuid>,
    #[serde(rename = "UpdatedDateUTC")]
    pub updated_date_utc: Option<XeroDateTime>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl XeroObject for Payment {
    const ID_FIELD: &'static str = "PaymentID";

    fn external_id(&self) -> String {
        self.payment_id.hyphenated().to_string()
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

    const LIST: &str = include_str!("testdata/payments_list.json");

    #[test]
    fn parses_the_spec_example() {
        let payments: Vec<Payment> = fixture(LIST, "Payments");
        assert_eq!(payments.len(), 2);
        let p = &payments[0];
        assert_eq!(p.external_id(), "99ea7f6b-c513-4066-bc27-b7c65dcd76c2");
        assert_eq!(p.status(), Some("AUTHORISED"));
        assert_eq!(p.payment_type.as_deref(), Some("ACCRECPAYMENT"));
        assert_eq!(p.updated_at(), Some(utc("2018-11-02T16:36:32.690Z")));
        assert_eq!(p.date.unwrap().0, utc("2018-11-29T00:00:00Z"));
        assert_eq!(
            (p.amount, p.bank_amount),
            (Some(dec("46")), Some(dec("46")))
        );
        assert_eq!(p.is_reconciled, Some(false));
        let invoice = p.invoice.as_ref().unwrap();
        assert_eq!(invoice.invoice_number.as_deref(), Some("INV-0002"));
        assert_eq!(invoice.kind.as_deref(), Some("ACCREC"));
        assert_eq!(p.account.as_ref().unwrap().code.as_deref(), Some("970"));
        assert_eq!(
            p.batch_payment_id.unwrap().to_string(),
            "b54aa50c-794c-461b-89d1-846e1b84d9c0"
        );
        // The quirky batch payment is kept exactly as sent.
        assert_eq!(p.extra["BatchPayment"]["TotalAmount"], "50.00");
        assert_eq!(payments[1].payment_type.as_deref(), Some("ARCREDITPAYMENT"));
        assert_eq!(payments[1].amount, Some(dec("2")));
        let refunded = payments[1].invoice.as_ref().unwrap();
        assert_eq!(refunded.kind.as_deref(), Some("ACCRECCREDIT"));
        assert_eq!(refunded.invoice_number.as_deref(), Some("CN-0005"));
        assert!(payments[1].credit_note.is_none());
    }

    #[test]
    fn round_trip_normalises_and_keeps_unknown_fields() {
        let out = round_trip::<Payment>(raw(LIST, "Payments", 0));
        assert_eq!(out["UpdatedDateUTC"], "2018-11-02T16:36:32.690Z");
        assert_eq!(out["Date"], "2018-11-29T00:00:00Z");
        assert_eq!(out["Amount"], 46);
        assert_eq!(out["BatchPayment"]["IsReconciled"], "false");
        assert_eq!(out["Invoice"]["Contact"]["Name"], "Barney Rubble-83203");
    }

    #[test]
    fn id_is_required() {
        assert_id_required::<Payment>(raw(LIST, "Payments", 1));
    }
}
