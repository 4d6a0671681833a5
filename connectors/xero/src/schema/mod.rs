//! Xero's objects as typed serde structs, one file per object kind, built from
//! the Accounting API's OpenAPI spec. Unknown fields are kept (`extra`), so the
//! stored JSON is the provider's object, normalised: dates as RFC 3339 UTC,
//! money as exact decimals. Every struct is `skip_serializing_none`, so an
//! absent field stays absent: normalisation adds no nulls Xero did not send.

pub(crate) mod account;
pub(crate) mod bank_transaction;
pub(crate) mod common;
pub(crate) mod contact;
pub(crate) mod credit_note;
pub(crate) mod dates;
pub(crate) mod invoice;
pub(crate) mod item;
pub(crate) mod manual_journal;
pub(crate) mod payment;
pub(crate) mod tax_rate;
#[cfg(test)]
mod test_support;
pub(crate) mod tracking_category;

// The kinds; nested types are reached through their fields, or named as
// `schema::common::LineItem`, `schema::contact::ContactPerson`, ...
pub(crate) use account::Account;
pub(crate) use bank_transaction::BankTransaction;
pub(crate) use contact::Contact;
pub(crate) use credit_note::CreditNote;
pub(crate) use invoice::Invoice;
pub(crate) use item::Item;
pub(crate) use manual_journal::ManualJournal;
pub(crate) use payment::Payment;
pub(crate) use tax_rate::TaxRate;
pub(crate) use tracking_category::TrackingCategory;

use chrono::{DateTime, Utc};
use serde::{Serialize, de::DeserializeOwned};

/// One Xero collection's object type: what the generic kind needs to know.
pub(crate) trait XeroObject: DeserializeOwned + Serialize + Send + Sync + 'static {
    /// The field holding the provider id (`InvoiceID`; `TaxType` for tax rates).
    const ID_FIELD: &'static str;

    /// The provider id, as stored in `external_id`.
    fn external_id(&self) -> String;

    /// `UpdatedDateUTC`, for kinds that have one.
    fn updated_at(&self) -> Option<DateTime<Utc>>;

    /// The object's status field, for kinds that have one.
    fn status(&self) -> Option<&str>;
}
