//! What the store indexes of each kind of object, and serialization of
//! objects into store entries.

use serde::Serialize;
use uuid::Uuid;

use crate::sim::collections::Kind;
use crate::sim::dates::parse_xero_date;
use crate::sim::model::*;
use crate::sim::store::Entry;

/// What the store indexes of an object.
pub(crate) trait Stored: Serialize {
    const KIND: Kind;
    fn id(&self) -> Option<Uuid>;
    fn updated(&self) -> Option<&str>;
    fn number(&self) -> Option<&str>;
    fn status(&self) -> Option<&str>;
    fn contact(&self) -> Option<Uuid> {
        None
    }
}

thread_local! {
    /// A reused serialization buffer: no growth reallocations per object.
    static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Serializes an object to exactly-sized JSON text.
pub(crate) fn to_json<T: Serialize>(obj: &T) -> Result<Box<str>, serde_json::Error> {
    BUF.with(|b| {
        let mut buf = b.borrow_mut();
        buf.clear();
        serde_json::to_writer(&mut *buf, obj)?;
        let text = std::str::from_utf8(&buf).map_err(serde::ser::Error::custom)?;
        Ok(Box::from(text))
    })
}

/// Serializes an object into a store entry.
pub(crate) fn to_entry<T: Stored>(obj: &T) -> Result<(Uuid, Entry), serde_json::Error> {
    let raw = to_json(obj)?;
    let id = match T::KIND {
        Kind::TaxRates => key_uuid(obj.number().unwrap_or_default()),
        _ => obj.id().unwrap_or_else(Uuid::nil),
    };
    let entry = Entry {
        raw,
        updated: obj.updated().and_then(parse_xero_date).unwrap_or(0),
        number: obj.number().map(Into::into),
        contact: obj.contact(),
        status: obj.status().map_or(u8::MAX, |s| T::KIND.status_code(s)),
    };
    Ok((id, entry))
}

/// The internal id of an object keyed by text (tax rates by `TaxType`).
pub(crate) fn key_uuid(key: &str) -> Uuid {
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x8422_2325_cbf2_9ce4;
    for byte in key.bytes() {
        a = (a ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        b = (b ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3 ^ 0x5bd1_e995);
    }
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_le_bytes());
    bytes[8..].copy_from_slice(&b.to_le_bytes());
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

macro_rules! stored {
    ($t:ty, $kind:expr, id: $id:ident, number: $num:tt, status: $st:tt) => {
        impl Stored for $t {
            const KIND: Kind = $kind;
            fn id(&self) -> Option<Uuid> {
                self.$id
            }
            fn updated(&self) -> Option<&str> {
                self.UpdatedDateUTC.as_deref()
            }
            fn number(&self) -> Option<&str> {
                stored!(@field self, $num)
            }
            fn status(&self) -> Option<&str> {
                stored!(@field self, $st)
            }
        }
    };
    (@field $s:ident, none) => {
        None
    };
    (@field $s:ident, $f:ident) => {
        $s.$f.as_deref()
    };
}

stored!(Contact, Kind::Contacts, id: ContactID, number: Name, status: ContactStatus);
stored!(CreditNote, Kind::CreditNotes, id: CreditNoteID, number: CreditNoteNumber, status: Status);
stored!(Payment, Kind::Payments, id: PaymentID, number: none, status: Status);
stored!(BankTransaction, Kind::BankTransactions, id: BankTransactionID, number: none, status: Status);
stored!(ManualJournal, Kind::ManualJournals, id: ManualJournalID, number: none, status: Status);
stored!(Item, Kind::Items, id: ItemID, number: Code, status: none);
stored!(Account, Kind::Accounts, id: AccountID, number: Code, status: Status);

impl Stored for TaxRate {
    const KIND: Kind = Kind::TaxRates;
    fn id(&self) -> Option<Uuid> {
        self.TaxType.as_deref().map(key_uuid)
    }
    fn updated(&self) -> Option<&str> {
        None
    }
    fn number(&self) -> Option<&str> {
        self.TaxType.as_deref()
    }
    fn status(&self) -> Option<&str> {
        self.Status.as_deref()
    }
}

impl Stored for TrackingCategory {
    const KIND: Kind = Kind::TrackingCategories;
    fn id(&self) -> Option<Uuid> {
        self.TrackingCategoryID
    }
    fn updated(&self) -> Option<&str> {
        None
    }
    fn number(&self) -> Option<&str> {
        self.Name.as_deref()
    }
    fn status(&self) -> Option<&str> {
        self.Status.as_deref()
    }
}

impl Stored for Invoice {
    const KIND: Kind = Kind::Invoices;
    fn id(&self) -> Option<Uuid> {
        self.InvoiceID
    }
    fn updated(&self) -> Option<&str> {
        self.UpdatedDateUTC.as_deref()
    }
    fn number(&self) -> Option<&str> {
        self.InvoiceNumber.as_deref()
    }
    fn status(&self) -> Option<&str> {
        self.Status.as_deref()
    }
    fn contact(&self) -> Option<Uuid> {
        self.Contact.as_ref().and_then(|c| c.ContactID)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_uuids_are_stable_and_distinct() {
        assert_eq!(key_uuid("OUTPUT2"), key_uuid("OUTPUT2"));
        assert_ne!(key_uuid("OUTPUT2"), key_uuid("INPUT2"));
    }
}
