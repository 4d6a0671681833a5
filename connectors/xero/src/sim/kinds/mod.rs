//! Per-kind behaviour of writes: validation, defaults, computed fields,
//! status transitions and side effects, plus the index fields of stored
//! objects. One module per group of kinds; this one holds what they share.

mod banking;
mod contacts;
mod doc_rules;
mod documents;
mod index;
pub(crate) mod lines;
mod payments;
mod settings;
mod silent;
mod tracking;
mod usage;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::collections::Kind;
use super::model::*;
use super::store::{Dataset, Entry};
use tether_sim_kit::txn::UndoLog;

pub(crate) use index::{Stored, to_entry};
pub(crate) use payments::invoice_ref;
pub(crate) use settings::{account_class, delete as delete_setting};
pub(crate) use tracking::{add_options, delete_option, update_option};

/// The organisation's base currency and the other currencies it trades in,
/// with the rate used when a request gives none.
pub(crate) const BASE_CURRENCY: &str = "NZD";
pub(crate) const CURRENCIES: &[(&str, &str)] = &[
    ("NZD", "1.000000"),
    ("AUD", "0.921400"),
    ("USD", "0.601200"),
    ("GBP", "0.474300"),
    ("EUR", "0.553100"),
];

/// A write failed validation: the element as Xero echoes it, and why.
#[derive(Debug)]
pub(crate) struct Failure {
    pub echo: Value,
    pub messages: Vec<String>,
}

impl Failure {
    pub(crate) fn new(echo: impl Serialize, messages: Vec<String>) -> Self {
        Self {
            echo: serde_json::to_value(echo).unwrap_or(Value::Null),
            messages,
        }
    }
}

/// Whether an element creates a new object or changes an existing one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    New,
    Existing(Uuid),
}

/// A tenant dataset during one write request: changes are logged (the
/// kit's [`UndoLog`]) so that a request refused as a whole
/// (`summarizeErrors=true`) leaves no trace.
pub(crate) struct Ctx<'a> {
    pub data: &'a mut Dataset,
    pub now: i64,
    undo: UndoLog<Dataset>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(data: &'a mut Dataset, now: i64) -> Self {
        Self {
            data,
            now,
            undo: UndoLog::default(),
        }
    }

    /// Stores an object, remembering the version it replaces.
    pub(crate) fn store<T: Stored>(&mut self, obj: &T) -> Result<(Uuid, String), Failure> {
        let (id, entry) = to_entry(obj).map_err(|e| Failure::new(obj, vec![e.to_string()]))?;
        let raw = entry.raw.to_string();
        self.undo.put(self.data, T::KIND, id, entry);
        Ok((id, raw))
    }

    /// Removes an object for good, remembering it.
    pub(crate) fn remove(&mut self, kind: Kind, id: Uuid) -> Option<Entry> {
        self.undo.remove(self.data, kind, id)
    }

    /// Marks the current point; [`rollback_to`](Self::rollback_to) returns here.
    pub(crate) fn savepoint(&self) -> usize {
        self.undo.savepoint()
    }

    /// Undoes every change made after `savepoint`.
    pub(crate) fn rollback_to(&mut self, savepoint: usize) {
        self.undo.rollback_to(self.data, savepoint);
    }

    /// The stored object `id` of `kind`, parsed.
    pub(crate) fn get<T: DeserializeOwned>(&self, kind: Kind, id: &Uuid) -> Option<T> {
        let e = self.data.col(kind).get(id)?;
        serde_json::from_str(&e.raw).ok()
    }

    /// The stored object of `kind` whose natural key is `number`.
    pub(crate) fn by_number<T: DeserializeOwned>(
        &self,
        kind: Kind,
        number: &str,
    ) -> Option<(Uuid, T)> {
        let id = self.data.col(kind).find_number(number)?;
        Some((id, self.get(kind, &id)?))
    }

    /// An ACTIVE account by code.
    pub(crate) fn account(&self, code: &str) -> Option<Account> {
        self.by_number::<Account>(Kind::Accounts, code)
            .map(|(_, a)| a)
            .filter(|a| a.Status.as_deref() == Some("ACTIVE"))
    }

    /// An account by id or code, any status.
    pub(crate) fn account_ref(&self, r: &AccountRef) -> Option<Account> {
        match (r.AccountID, r.Code.as_deref()) {
            (Some(id), _) => self.get(Kind::Accounts, &id),
            (None, Some(code)) => self
                .by_number::<Account>(Kind::Accounts, code)
                .map(|(_, a)| a),
            _ => None,
        }
    }

    /// An ACTIVE tax rate by tax type.
    pub(crate) fn tax_rate(&self, tax_type: &str) -> Option<TaxRate> {
        self.by_number::<TaxRate>(Kind::TaxRates, tax_type)
            .map(|(_, t)| t)
            .filter(|t| t.Status.as_deref() == Some("ACTIVE"))
    }

    /// Every tracking category.
    pub(crate) fn tracking(&self) -> Vec<TrackingCategory> {
        self.data
            .col(Kind::TrackingCategories)
            .iter()
            .filter_map(|(_, e)| serde_json::from_str(&e.raw).ok())
            .collect()
    }
}

/// Parses the stored version (if any) overlaid with the request's fields,
/// minus the read-only fields a client cannot set.
/// The stored object a write targets (none for a create), and the object
/// the write makes of it.
pub(crate) fn load_and_merge<T: DeserializeOwned + Default>(
    ctx: &Ctx,
    kind: Kind,
    target: Target,
    incoming: &Map<String, Value>,
    read_only: &[&str],
) -> Result<(Option<T>, T), Failure> {
    let existing = match target {
        Target::Existing(id) => ctx.data.col(kind).get(&id).map(|e| e.raw.to_string()),
        Target::New => None,
    };
    let old = existing
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok());
    let new = merged(existing.as_deref(), incoming, read_only)?;
    Ok((old, new))
}

pub(crate) fn merged<T: DeserializeOwned + Default>(
    existing: Option<&str>,
    incoming: &Map<String, Value>,
    read_only: &[&str],
) -> Result<T, Failure> {
    tether_sim_kit::txn::merged(existing, incoming, read_only).map_err(|e| {
        Failure::new(
            Value::Object(incoming.clone()),
            vec![format!("The request contains an invalid value: {e}")],
        )
    })
}

/// Applies one element of a write request to the dataset.
pub(crate) fn write(
    ctx: &mut Ctx,
    kind: Kind,
    target: Target,
    incoming: &Map<String, Value>,
) -> Result<(Uuid, String), Failure> {
    match kind {
        Kind::Contacts => contacts::write(ctx, target, incoming),
        Kind::Invoices => documents::write_invoice(ctx, target, incoming),
        Kind::CreditNotes => documents::write_credit_note(ctx, target, incoming),
        Kind::Payments => payments::write(ctx, target, incoming),
        Kind::BankTransactions => banking::write_bank_transaction(ctx, target, incoming),
        Kind::ManualJournals => banking::write_manual_journal(ctx, target, incoming),
        Kind::Items => settings::write_item(ctx, target, incoming),
        Kind::Accounts => settings::write_account(ctx, target, incoming),
        Kind::TaxRates => settings::write_tax_rate(ctx, target, incoming),
        Kind::TrackingCategories => tracking::write_category(ctx, target, incoming),
    }
}

/// The existing object an element of a `POST` to the collection updates,
/// matched on its natural key when it carries no id (as Xero matches sales
/// invoices on InvoiceNumber, contacts on Name, items on Code).
pub(crate) fn natural_match(ctx: &Ctx, kind: Kind, incoming: &Map<String, Value>) -> Option<Uuid> {
    let s = |k: &str| {
        incoming
            .get(k)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };
    let col = ctx.data.col(kind);
    match kind {
        // Bill numbers are the supplier's and need not be unique: a bill
        // without an id is always a new bill.
        Kind::Invoices if s("Type").is_some_and(|t| t.eq_ignore_ascii_case("ACCPAY")) => None,
        Kind::Invoices => {
            let number = s("InvoiceNumber")?;
            col.iter()
                .find(|(_, e)| {
                    e.number.as_deref() == Some(number)
                        && e.raw.starts_with("{\"Type\":\"ACCREC\"")
                        && !matches!(kind.status_name(e.status), Some("DELETED" | "VOIDED"))
                })
                .map(|(id, _)| id)
        }
        Kind::CreditNotes => col.find_number(s("CreditNoteNumber")?),
        Kind::Contacts => s("ContactNumber")
            .and_then(|n| contact_by_number(ctx, n))
            .or_else(|| {
                let name = s("Name")?;
                col.iter()
                    .find(|(_, e)| {
                        e.number
                            .as_deref()
                            .is_some_and(|n| n.eq_ignore_ascii_case(name))
                            && !e.archived(kind)
                    })
                    .map(|(id, _)| id)
            }),
        Kind::Items => col.find_number_ci(s("Code")?),
        Kind::TaxRates => s("TaxType").and_then(|t| col.find_number(t)).or_else(|| {
            let name = s("Name")?;
            col.iter()
                .find(|(_, e)| {
                    serde_json::from_str::<TaxRate>(&e.raw)
                        .is_ok_and(|t| t.Name.as_deref() == Some(name))
                })
                .map(|(id, _)| id)
        }),
        _ => None,
    }
}

/// A contact by `ContactNumber`.
pub(crate) fn contact_by_number(ctx: &Ctx, number: &str) -> Option<Uuid> {
    contact_by_number_in(ctx.data, number)
}

/// A contact by `ContactNumber`, in a dataset.
pub(crate) fn contact_by_number_in(data: &Dataset, number: &str) -> Option<Uuid> {
    let needle = format!("\"ContactNumber\":{}", serde_json::to_string(number).ok()?);
    data.col(Kind::Contacts)
        .iter()
        .find(|(_, e)| e.raw.contains(&needle))
        .map(|(id, _)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_drops_read_only_fields() {
        let mut m = Map::new();
        m.insert("Total".into(), Value::from(5));
        m.insert("Reference".into(), Value::from("R"));
        let inv: Invoice = merged(
            Some(r#"{"Reference":"old","Type":"ACCREC"}"#),
            &m,
            &["Total"],
        )
        .unwrap();
        assert_eq!(inv.Reference.as_deref(), Some("R"));
        assert_eq!(inv.Type.as_deref(), Some("ACCREC"));
        assert!(inv.Total.is_none());
        m.insert("Date".into(), Value::from(5));
        assert!(merged::<Invoice>(None, &m, &[]).is_err());
    }
}
