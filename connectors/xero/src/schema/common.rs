//! Nested types shared by several kinds: line items, their tracking, and the
//! references one object holds to another (an invoice's contact, a payment's
//! invoice). References type the ids and keys; the rest of whatever Xero
//! embeds is kept verbatim in `extra`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tether_core::money;
use uuid::Uuid;

use super::dates::XeroDateTime;

/// A line of an invoice, credit note or bank transaction (spec `LineItem`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct LineItem {
    #[serde(rename = "LineItemID")]
    pub line_item_id: Option<Uuid>,
    pub description: Option<String>,
    #[serde(default, with = "money::option")]
    pub quantity: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub unit_amount: Option<Decimal>,
    pub item_code: Option<String>,
    pub item: Option<ItemRef>,
    pub account_code: Option<String>,
    #[serde(rename = "AccountID")]
    pub account_id: Option<Uuid>,
    pub tax_type: Option<String>,
    #[serde(default, with = "money::option")]
    pub tax_amount: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub line_amount: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub discount_rate: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub discount_amount: Option<Decimal>,
    pub tracking: Option<Vec<LineItemTracking>>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A tracking option applied to a line (spec `LineItemTracking`; manual
/// journal lines use the same four fields).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct LineItemTracking {
    #[serde(rename = "TrackingCategoryID")]
    pub tracking_category_id: Option<Uuid>,
    #[serde(rename = "TrackingOptionID")]
    pub tracking_option_id: Option<Uuid>,
    /// The category's name.
    pub name: Option<String>,
    /// The option's name.
    pub option: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The item a line refers to (spec `LineItemItem`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ItemRef {
    #[serde(rename = "ItemID")]
    pub item_id: Option<Uuid>,
    pub code: Option<String>,
    pub name: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The contact a transaction belongs to. Xero embeds a whole contact; the id
/// is optional because a request may name the contact by `Name` only.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ContactRef {
    #[serde(rename = "ContactID")]
    pub contact_id: Option<Uuid>,
    pub contact_number: Option<String>,
    pub name: Option<String>,
    /// The rest of the embedded contact, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An account referred to by id or code (a payment's account, a bank
/// transaction's bank account).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AccountRef {
    #[serde(rename = "AccountID")]
    pub account_id: Option<Uuid>,
    pub code: Option<String>,
    pub name: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An invoice referred to by a payment or an allocation.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct InvoiceRef {
    #[serde(rename = "InvoiceID")]
    pub invoice_id: Option<Uuid>,
    pub invoice_number: Option<String>,
    /// `ACCREC` (sales) or `ACCPAY` (bill).
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    /// The rest of the embedded invoice, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A credit note referred to by an invoice, a payment or an allocation.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CreditNoteRef {
    #[serde(rename = "CreditNoteID")]
    pub credit_note_id: Option<Uuid>,
    pub credit_note_number: Option<String>,
    #[serde(default, with = "money::option")]
    pub applied_amount: Option<Decimal>,
    /// The rest of the embedded credit note, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A payment as listed inside an invoice or credit note.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PaymentRef {
    #[serde(rename = "PaymentID")]
    pub payment_id: Option<Uuid>,
    pub date: Option<XeroDateTime>,
    #[serde(default, with = "money::option")]
    pub amount: Option<Decimal>,
    #[serde(default, with = "money::option")]
    pub currency_rate: Option<Decimal>,
    pub reference: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A prepayment applied to an invoice, or paid by a payment.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PrepaymentRef {
    #[serde(rename = "PrepaymentID")]
    pub prepayment_id: Option<Uuid>,
    #[serde(default, with = "money::option")]
    pub applied_amount: Option<Decimal>,
    /// The rest of the embedded prepayment, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An overpayment applied to an invoice, or paid by a payment.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct OverpaymentRef {
    #[serde(rename = "OverpaymentID")]
    pub overpayment_id: Option<Uuid>,
    #[serde(default, with = "money::option")]
    pub applied_amount: Option<Decimal>,
    /// The rest of the embedded overpayment, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Part of a credit note (or pre/overpayment) applied to an invoice.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Allocation {
    #[serde(rename = "AllocationID")]
    pub allocation_id: Option<Uuid>,
    #[serde(default, with = "money::option")]
    pub amount: Option<Decimal>,
    pub date: Option<XeroDateTime>,
    pub invoice: Option<InvoiceRef>,
    pub credit_note: Option<CreditNoteRef>,
    pub is_deleted: Option<bool>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A postal or street address of a contact.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Address {
    /// `POBOX` or `STREET`.
    pub address_type: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub address_line3: Option<String>,
    pub address_line4: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub attention_to: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A phone number of a contact.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Phone {
    /// `DEFAULT`, `DDI`, `MOBILE` or `FAX`.
    pub phone_type: Option<String>,
    pub phone_number: Option<String>,
    pub phone_area_code: Option<String>,
    pub phone_country_code: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
