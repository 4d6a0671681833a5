//! `xero/accounts`: the chart of accounts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{XeroObject, dates::XeroDateTime};

/// A Xero account (spec `Account`); deleted accounts vanish, archived ones
/// keep `Status` `ARCHIVED`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Account {
    #[serde(rename = "AccountID")]
    pub account_id: Uuid,
    /// The user's account code (`200`); bank accounts may have none.
    pub code: Option<String>,
    pub name: Option<String>,
    /// `BANK`, `REVENUE`, `EXPENSE`, ...
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    /// `ACTIVE` or `ARCHIVED`.
    pub status: Option<String>,
    /// `ASSET`, `EQUITY`, `EXPENSE`, `LIABILITY` or `REVENUE`.
    pub class: Option<String>,
    pub description: Option<String>,
    pub tax_type: Option<String>,
    pub currency_code: Option<String>,
    pub bank_account_number: Option<String>,
    pub bank_account_type: Option<String>,
    pub enable_payments_to_account: Option<bool>,
    pub show_in_expense_claims: Option<bool>,
    /// Set on Xero's system accounts (`DEBTORS`, `GST`, ...).
    pub system_account: Option<String>,
    pub reporting_code: Option<String>,
    pub reporting_code_name: Option<String>,
    pub has_attachments: Option<bool>,
    #[serde(rename = "UpdatedDateUTC")]
    pub updated_date_utc: Option<XeroDateTime>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl XeroObject for Account {
    const ID_FIELD: &'static str = "AccountID";

    fn external_id(&self) -> String {
        self.account_id.hyphenated().to_string()
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
    use crate::schema::test_support::{assert_id_required, fixture, raw, round_trip, utc};

    const ONE: &str = include_str!("testdata/account.json");
    const LIST: &str = include_str!("testdata/accounts_list.json");

    #[test]
    fn parses_the_spec_examples() {
        let [a]: [Account; 1] = fixture(ONE, "Accounts").try_into().unwrap();
        assert_eq!(a.external_id(), "99ce6032-0678-4aa0-8148-240c75fee33a");
        assert_eq!(a.code.as_deref(), Some("123456"));
        assert_eq!(a.kind.as_deref(), Some("EXPENSE"));
        assert_eq!(a.class.as_deref(), Some("EXPENSE"));
        assert_eq!(a.status(), Some("ACTIVE"));
        assert_eq!(a.reporting_code.as_deref(), Some("EXP"));
        assert_eq!(a.show_in_expense_claims, Some(false));
        assert_eq!(a.updated_at(), Some(utc("2019-02-22T01:02:39.120Z")));

        let list: Vec<Account> = fixture(LIST, "Accounts");
        assert_eq!(list.len(), 2);
        assert_eq!(
            list[0].bank_account_number.as_deref(),
            Some("0209087654321050")
        );
        assert_eq!(list[0].bank_account_type.as_deref(), Some("BANK"));
        assert_eq!(list[0].currency_code.as_deref(), Some("NZD"));
        assert_eq!(list[1].tax_type.as_deref(), Some("OUTPUT2"));
        // This example carries neither status nor update time.
        assert_eq!((list[1].status(), list[1].updated_at()), (None, None));
    }

    #[test]
    fn round_trip_normalises_and_keeps_unknown_fields() {
        let out = round_trip::<Account>(raw(ONE, "Accounts", 0));
        assert_eq!(out["UpdatedDateUTC"], "2019-02-22T01:02:39.120Z");
        assert_eq!(out["Type"], "EXPENSE");
        assert_eq!(out["AccountID"], "99ce6032-0678-4aa0-8148-240c75fee33a");
        assert!(out.get("SystemAccount").is_none(), "no nulls added");
    }

    #[test]
    fn id_is_required() {
        assert_id_required::<Account>(raw(LIST, "Accounts", 1));
    }
}
