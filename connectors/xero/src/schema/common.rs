//! Nested types shared by several kinds: line items, their tracking, and the
//! references one object holds to another (an invoice's contact, a payment's
//! invoice). References type the ids and keys; the rest of whatever Xero
//! embeds is kept verbatim in `extra`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{dates::XeroDateTime, money};

/// A line of an invoice, credit note or bank transaction (spec `LineItem`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct LineItem {
    #[serde(rename = "LineItemID", skip_serializing_if = "Option::is_none")]
    pub line_item_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, with = "money::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Decimal>,
    #[serde(default, with = "money::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_amount: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_code: Option<String>,
    #[serde(rename = "AccountID", skip_serializing_if = "Option::is_none")]
    pub account_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_type: Option<String>,
    #[serde(default, with = "money::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Decimal>,
    #[serde(default, with = "money::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_amount: Option<Decimal>,
    #[serde(default, with = "money::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_rate: Option<Decimal>,
    #[serde(default, with = "money::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking: Option<Vec<LineItemTracking>>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A tracking option applied to a line (spec `LineItemTracking`; manual
/// journal lines use the same four fields).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct LineItemTracking {
    #[serde(rename = "TrackingCategoryID", skip_serializing_if = "Option::is_none")]
    pub tracking_category_id: Option<Uuid>,
    #[serde(rename = "TrackingOptionID", skip_serializing_if = "Option::is_none")]
    pub tracking_option_id: Option<Uuid>,
    /// The category's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The option's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub option: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The item a line refers to (spec `LineItemItem`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ItemRef {
    #[serde(rename = "ItemID", skip_serializing_if = "Option::is_none")]
    pub item_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The contact a transaction belongs to. Xero embeds a whole contact; the id
/// is optional because a request may name the contact by `Name` only.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ContactRef {
    #[serde(rename = "ContactID", skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The rest of the embedded contact, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An account referred to by id or code (a payment's account, a bank
/// transaction's bank account).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AccountRef {
    #[serde(rename = "AccountID", skip_serializing_if = "Option::is_none")]
    pub account_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An invoice referred to by a payment or an allocation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct InvoiceRef {
    #[serde(rename = "InvoiceID", skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    /// `ACCREC` (sales) or `ACCPAY` (bill).
    #[serde(rename = "Type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The rest of the embedded invoice, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A credit note referred to by an invoice, a payment or an allocation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CreditNoteRef {
    #[serde(rename = "CreditNoteID", skip_serializing_if = "Option::is_none")]
    pub credit_note_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_note_number: Option<String>,
    #[serde(default, with = "money::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applied_amount: Option<Decimal>,
    /// The rest of the embedded credit note, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A payment as listed inside an invoice or credit note.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PaymentRef {
    #[serde(rename = "PaymentID", skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<XeroDateTime>,
    #[serde(default, with = "money::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    #[serde(default, with = "money::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_rate: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A prepayment applied to an invoice, or paid by a payment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PrepaymentRef {
    #[serde(rename = "PrepaymentID", skip_serializing_if = "Option::is_none")]
    pub prepayment_id: Option<Uuid>,
    #[serde(default, with = "money::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applied_amount: Option<Decimal>,
    /// The rest of the embedded prepayment, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An overpayment applied to an invoice, or paid by a payment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct OverpaymentRef {
    #[serde(rename = "OverpaymentID", skip_serializing_if = "Option::is_none")]
    pub overpayment_id: Option<Uuid>,
    #[serde(default, with = "money::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applied_amount: Option<Decimal>,
    /// The rest of the embedded overpayment, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Part of a credit note (or pre/overpayment) applied to an invoice.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Allocation {
    #[serde(rename = "AllocationID", skip_serializing_if = "Option::is_none")]
    pub allocation_id: Option<Uuid>,
    #[serde(default, with = "money::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<XeroDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice: Option<InvoiceRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_note: Option<CreditNoteRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_deleted: Option<bool>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A postal or street address of a contact.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Address {
    /// `POBOX` or `STREET`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line3: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line4: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attention_to: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A phone number of a contact.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Phone {
    /// `DEFAULT`, `DDI`, `MOBILE` or `FAX`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_area_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_country_code: Option<String>,
    /// Unknown fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
