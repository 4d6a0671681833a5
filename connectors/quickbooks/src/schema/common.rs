//! Nested types several entities share: `MetaData`, references to other
//! objects (`{value, name}`), lines and their details, linked transactions
//! and a party's contact details. Each keeps what it does not type, as sent.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;

use super::time::QbDateTime;

/// When an object was made and last changed (`LastUpdatedTime` is what a
/// resync compares).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct MetaData {
    pub create_time: Option<QbDateTime>,
    pub last_updated_time: Option<QbDateTime>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A reference to another object: its `Id` as `value`, its display name
/// as `name` (`CustomerRef`, `ItemRef`, `AccountRef`, …; `CurrencyRef`
/// holds a currency code).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Ref {
    pub value: String,
    pub name: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One line of a transaction. `DetailType` says which detail it carries:
/// `SalesItemLineDetail` (invoices, credit memos), `SubTotalLineDetail`
/// (appended by QuickBooks), `AccountBasedExpenseLineDetail` (bills),
/// `JournalEntryLineDetail`; payments' lines carry `LinkedTxn` instead.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Line {
    pub id: Option<String>,
    pub line_num: Option<i64>,
    pub description: Option<String>,
    #[serde(default, with = "money::option")]
    pub amount: Option<Decimal>,
    pub detail_type: Option<String>,
    pub sales_item_line_detail: Option<SalesItemLineDetail>,
    pub account_based_expense_line_detail: Option<AccountLineDetail>,
    pub journal_entry_line_detail: Option<JournalEntryLineDetail>,
    pub linked_txn: Option<Vec<LinkedTxn>>,
    /// Unknown fields (`SubTotalLineDetail`, `DiscountLineDetail`, …), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What a sales line sells.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SalesItemLineDetail {
    pub item_ref: Option<Ref>,
    #[serde(default, with = "money::option")]
    pub qty: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub unit_price: Option<Decimal>,
    pub tax_code_ref: Option<Ref>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The account an expense line is booked to.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AccountLineDetail {
    pub account_ref: Option<Ref>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A journal line: debit or credit to an account.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct JournalEntryLineDetail {
    /// `Debit` or `Credit`.
    pub posting_type: Option<String>,
    pub account_ref: Option<Ref>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A transaction a payment line applies to (`TxnType`: `Invoice`, `Bill`, …).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct LinkedTxn {
    pub txn_id: String,
    pub txn_type: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An e-mail address (`PrimaryEmailAddr`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct EmailAddr {
    pub address: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A phone number (`PrimaryPhone`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Phone {
    pub free_form_number: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A postal address (`BillAddr`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PhysicalAddress {
    pub id: Option<String>,
    pub line1: Option<String>,
    pub city: Option<String>,
    pub country_sub_division_code: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
