//! `xero/bank_transactions`: spend and receive money transactions.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;
use uuid::Uuid;

use super::common::{AccountRef, ContactRef, LineItem};
use super::{XeroObject, dates::XeroDateTime};

/// A Xero bank transaction (spec `BankTransaction`); deletion shows as
/// `Status` `DELETED`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BankTransaction {
    #[serde(rename = "BankTransactionID")]
    pub bank_transaction_id: Uuid,
    /// `RECEIVE`, `SPEND`, and their `-OVERPAYMENT`/`-PREPAYMENT`/`-TRANSFER`
    /// variants. Required by the spec and always sent.
    #[serde(rename = "Type")]
    pub kind: String,
    /// `AUTHORISED` or `DELETED`.
    pub status: Option<String>,
    pub contact: Option<ContactRef>,
    /// The bank account the money moved in (required by the spec for requests).
    pub bank_account: Option<AccountRef>,
    pub line_amount_types: Option<String>,
    pub line_items: Option<Vec<LineItem>>,
    pub date: Option<XeroDateTime>,
    pub reference: Option<String>,
    pub is_reconciled: Option<bool>,
    pub currency_code: Option<String>,
    #[serde(default, with = "money::option")]
    pub currency_rate: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub sub_total: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub total_tax: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub total: Option<Decimal>,
    /// Set on the transaction that created a prepayment.
    #[serde(rename = "PrepaymentID")]
    pub prepayment_id: Option<Uuid>,
    /// Set on the transaction that created an overpayment.
    #[serde(rename = "OverpaymentID")]
    pub overpayment_id: Option<Uuid>,
    pub url: Option<String>,
    pub has_attachments: Option<bool>,
    #[serde(rename = "UpdatedDateUTC")]
    pub updated_date_utc: Option<XeroDateTime>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl XeroObject for BankTransaction {
    const ID_FIELD: &'static str = "BankTransactionID";

    fn external_id(&self) -> String {
        self.bank_transaction_id.hyphenated().to_string()
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

    const ONE: &str = include_str!("testdata/bank_transaction.json");

    #[test]
    fn parses_the_spec_example() {
        let [bt]: [BankTransaction; 1] = fixture(ONE, "BankTransactions").try_into().unwrap();
        assert_eq!(bt.external_id(), "db54aab0-ad40-4ced-bcff-0940ba20db2c");
        assert_eq!(bt.kind, "RECEIVE");
        assert_eq!(bt.status(), Some("AUTHORISED"));
        assert_eq!(bt.updated_at(), Some(utc("2016-10-13T20:13:36.437Z")));
        assert_eq!(bt.date.unwrap().0, utc("2016-10-13T00:00:00Z"));
        assert_eq!(bt.total, Some(dec("10")));
        assert_eq!(bt.total_tax, Some(dec("0")));
        let bank = bt.bank_account.as_ref().unwrap();
        assert_eq!(bank.code.as_deref(), Some("088"));
        assert_eq!(
            bank.account_id.unwrap().to_string(),
            "6f7594f2-f059-4d56-9e67-47ac9733bfe9"
        );
        assert_eq!(
            bt.prepayment_id.unwrap().to_string(),
            "cb62750f-b49c-464b-a45b-e2e2c514c8a9"
        );
        let lines = bt.line_items.as_ref().unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].account_code.as_deref(), Some("400"));
        assert_eq!(
            lines[0].account_id.unwrap().to_string(),
            "ebd06280-af70-4bed-97c6-7451a454ad85"
        );
        assert_eq!(bt.contact.as_ref().unwrap().name.as_deref(), Some("sam"));
    }

    #[test]
    fn round_trip_normalises_and_keeps_unknown_fields() {
        let out = round_trip::<BankTransaction>(raw(ONE, "BankTransactions", 0));
        assert_eq!(out["UpdatedDateUTC"], "2016-10-13T20:13:36.437Z");
        assert_eq!(out["Date"], "2016-10-13T00:00:00Z");
        assert_eq!(out["Type"], "RECEIVE");
        assert_eq!(out["LineItems"][0]["UnitAmount"], 10);
        assert_eq!(out["BatchPayment"]["TotalAmount"], "12.00");
    }

    #[test]
    fn id_and_type_are_required() {
        assert_id_required::<BankTransaction>(raw(ONE, "BankTransactions", 0));
        let mut no_type = raw(ONE, "BankTransactions", 0);
        no_type.as_object_mut().unwrap().remove("Type");
        let err = serde_json::from_value::<BankTransaction>(no_type).unwrap_err();
        assert!(err.to_string().contains("missing field `Type`"), "{err}");
    }
}
