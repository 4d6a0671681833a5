//! QuickBooks' entities as typed serde structs, one file per kind, with the
//! fields docs.md lists typed and every other field kept as sent (`extra`),
//! so the stored JSON is QuickBooks' object, normalised: instants in RFC
//! 3339 UTC, money as exact decimals, dates as `YYYY-MM-DD`. Every struct is
//! `skip_serializing_none`: normalising adds no nulls QuickBooks did not send.

pub(crate) mod account;
pub(crate) mod bill;
pub(crate) mod bill_payment;
pub(crate) mod common;
pub(crate) mod credit_memo;
pub(crate) mod customer;
pub(crate) mod invoice;
pub(crate) mod item;
pub(crate) mod journal_entry;
pub(crate) mod payment;
#[cfg(test)]
pub(crate) mod test_support;
pub(crate) mod time;
pub(crate) mod vendor;

pub(crate) use account::Account;
pub(crate) use bill::Bill;
pub(crate) use bill_payment::BillPayment;
pub(crate) use credit_memo::CreditMemo;
pub(crate) use customer::Customer;
pub(crate) use invoice::Invoice;
pub(crate) use item::Item;
pub(crate) use journal_entry::JournalEntry;
pub(crate) use payment::Payment;
pub(crate) use vendor::Vendor;

use chrono::{DateTime, Utc};
use serde::{Serialize, de::DeserializeOwned};

/// What the generic kind reads from every QuickBooks object: `Id`,
/// `SyncToken`, `MetaData.LastUpdatedTime`, and `Active` on name lists.
pub(crate) trait QbObject: DeserializeOwned + Serialize + Send + Sync + 'static {
    /// `Id`: a numeric string, unique per entity within a company.
    fn id(&self) -> &str;

    /// `SyncToken`: `"0"` on create, one more per write; what an update
    /// sends back.
    fn sync_token(&self) -> Option<&str>;

    /// `MetaData.LastUpdatedTime`, in UTC.
    fn updated_at(&self) -> Option<DateTime<Utc>>;

    /// `Active`, for name-list entities (absent reads as active).
    fn active(&self) -> Option<bool> {
        None
    }
}

/// Implements [`QbObject`] for a struct with `id`, `sync_token` and
/// `meta_data` fields; `active` adds the name lists' `Active`.
macro_rules! qb_object {
    ($ty:ty $(, $active:ident)?) => {
        impl $crate::schema::QbObject for $ty {
            fn id(&self) -> &str {
                &self.id
            }

            fn sync_token(&self) -> Option<&str> {
                self.sync_token.as_deref()
            }

            fn updated_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
                self.meta_data
                    .as_ref()
                    .and_then(|m| m.last_updated_time)
                    .map(|t| t.0)
            }

            $(
                fn $active(&self) -> Option<bool> {
                    self.$active
                }
            )?
        }
    };
}
pub(crate) use qb_object;
