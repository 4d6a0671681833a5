//! Deterministic generation of a realistic organisation: the same seed and
//! sizes give byte-identical data. Every object draws from its own random
//! stream `(seed, kind, index)`, so big kinds are generated in parallel.
//! Dates spread over the two years before a fixed end date, so that the
//! data does not depend on the day it is generated.

mod chart;
mod contacts;
mod documents;
mod ledger;
mod payments;
pub(crate) mod rng;
mod settings;
mod words;

use rust_decimal::Decimal;
use tether_sim_kit::par::par_map;
use uuid::Uuid;

use super::collections::Kind;
use super::config::SimSizes;
use super::kinds::{Stored, to_entry};
use super::store::{Collection, Counters, Dataset, Entry};

/// End of the generated period: 2025-01-01T00:00:00Z.
pub(crate) const END_MS: i64 = 1_735_689_600_000;
/// Length of the generated period: two years.
pub(crate) const SPAN_MS: i64 = 730 * DAY_MS;
pub(crate) const DAY_MS: i64 = 86_400_000;

/// An account lines may post to.
#[derive(Clone, Debug)]
pub(crate) struct AccountInfo {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub tax_type: String,
}

/// A tracking category and its active options.
#[derive(Clone, Debug)]
pub(crate) struct TrackingInfo {
    pub id: Uuid,
    pub name: String,
    pub options: Vec<(Uuid, String)>,
}

/// An item lines may sell or buy.
#[derive(Clone, Debug)]
pub(crate) struct ItemInfo {
    pub code: String,
    pub description: String,
    pub price: Decimal,
}

/// What later kinds refer to.
pub(crate) struct GenCtx {
    pub seed: u64,
    pub sizes: SimSizes,
    pub sales_accounts: Vec<AccountInfo>,
    pub expense_accounts: Vec<AccountInfo>,
    pub bank_accounts: Vec<AccountInfo>,
    pub tax_rates: Vec<(String, Decimal)>,
    pub tracking: Vec<TrackingInfo>,
    pub items: Vec<ItemInfo>,
    pub contacts: Vec<(Uuid, String)>,
}

impl GenCtx {
    /// Rate of an active tax type (0 when unknown).
    pub(crate) fn rate(&self, tax_type: &str) -> Decimal {
        self.tax_rates
            .iter()
            .find(|(t, _)| t == tax_type)
            .map_or(Decimal::ZERO, |(_, r)| *r)
    }
}

/// Serializes generated objects into store entries.
pub(crate) fn entries<T: Stored>(objs: &[T]) -> Vec<(Uuid, Entry)> {
    objs.iter().filter_map(|o| to_entry(o).ok()).collect()
}

/// Generates `n` objects with `f` in parallel, straight into entries.
pub(crate) fn par_entries<T: Stored>(
    n: usize,
    f: impl Fn(usize) -> T + Sync,
) -> Vec<(Uuid, Entry)> {
    par_map(n, |i| to_entry(&f(i)).ok())
        .into_iter()
        .flatten()
        .collect()
}

/// Generates a whole organisation.
pub(crate) fn generate(seed: u64, sizes: SimSizes) -> Dataset {
    let (tax_rates, tax_info) = chart::tax_rates(seed, sizes.tax_rates);
    let (accounts, acc) = chart::accounts(seed, sizes.accounts);
    let (tracking, track_info) = settings::tracking(seed, sizes.tracking_categories);
    let mut g = GenCtx {
        seed,
        sizes,
        sales_accounts: acc.sales,
        expense_accounts: acc.expenses,
        bank_accounts: acc.banks,
        tax_rates: tax_info,
        tracking: track_info,
        items: Vec::new(),
        contacts: Vec::new(),
    };
    let (items, item_info) = settings::items(&g);
    g.items = item_info;
    let (contacts, contact_info) = contacts::contacts(&g);
    g.contacts = contact_info;

    let invoices = par_entries(sizes.invoices, |i| documents::invoice(&g, i));
    let payments = par_entries(sizes.payments.min(sizes.invoices), |j| {
        payments::payment(&g, j)
    });
    let credit_notes = par_entries(sizes.credit_notes, |i| documents::credit_note(&g, i));
    let bank = par_entries(sizes.bank_transactions, |i| ledger::bank_transaction(&g, i));
    let journals = par_entries(sizes.manual_journals, |i| ledger::manual_journal(&g, i));

    let counters = Counters {
        next_invoice: documents::sales_count(sizes.invoices) as u64,
        next_credit_note: documents::sales_count(sizes.credit_notes) as u64,
        next_tax: chart::custom_tax_count(sizes.tax_rates) as u64,
    };
    let cols = vec![
        Collection::from_entries(Kind::Contacts, contacts),
        Collection::from_entries(Kind::Invoices, invoices),
        Collection::from_entries(Kind::CreditNotes, credit_notes),
        Collection::from_entries(Kind::Payments, payments),
        Collection::from_entries(Kind::BankTransactions, bank),
        Collection::from_entries(Kind::ManualJournals, journals),
        Collection::from_entries(Kind::Items, items),
        Collection::from_entries(Kind::Accounts, accounts),
        Collection::from_entries(Kind::TaxRates, tax_rates),
        Collection::from_entries(Kind::TrackingCategories, tracking),
    ];
    Dataset::new(cols, counters)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::query::parse_list;

    fn all_raw(d: &Dataset) -> Vec<String> {
        Kind::ALL
            .iter()
            .flat_map(|k| {
                d.col(*k)
                    .iter()
                    .map(|(id, e)| format!("{id}{}", e.raw))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_data() {
        let a = all_raw(&generate(9, SimSizes::scaled(60)));
        let b = all_raw(&generate(9, SimSizes::scaled(60)));
        assert_eq!(a, b);
        let c = all_raw(&generate(10, SimSizes::scaled(60)));
        assert_ne!(a, c);
    }

    #[test]
    fn sizes_are_honoured() {
        let s = SimSizes::scaled(80);
        let d = generate(1, s);
        assert_eq!(d.col(Kind::Invoices).len(), 80);
        assert_eq!(d.col(Kind::Contacts).len(), s.contacts);
        assert_eq!(d.col(Kind::Payments).len(), s.payments);
        assert_eq!(d.col(Kind::Items).len(), s.items);
        assert_eq!(d.col(Kind::Accounts).len(), 30);
        assert_eq!(d.col(Kind::TaxRates).len(), 8);
        assert_eq!(d.col(Kind::TrackingCategories).len(), 2);
        assert_eq!(d.col(Kind::CreditNotes).len(), s.credit_notes);
        assert_eq!(d.col(Kind::BankTransactions).len(), s.bank_transactions);
        assert_eq!(d.col(Kind::ManualJournals).len(), s.manual_journals);
        // Larger charts and tax lists are extended.
        let big = generate(
            1,
            SimSizes {
                accounts: 50,
                tax_rates: 12,
                tracking_categories: 4,
                ..SimSizes::only_invoices(3)
            },
        );
        assert_eq!(big.col(Kind::Accounts).len(), 50);
        assert_eq!(big.col(Kind::TaxRates).len(), 12);
        assert_eq!(big.col(Kind::TrackingCategories).len(), 4);
    }

    #[test]
    fn statuses_are_mixed() {
        let d = generate(3, SimSizes::scaled(400));
        let inv = d.col(Kind::Invoices);
        for s in ["DRAFT", "AUTHORISED", "PAID", "VOIDED", "DELETED"] {
            let code = Kind::Invoices.status_code(s);
            assert!(inv.iter().any(|(_, e)| e.status == code), "no {s} invoice");
        }
        let contacts = d.col(Kind::Contacts);
        assert!(contacts.iter().any(|(_, e)| e.archived(Kind::Contacts)));
        let q = parse_list(Kind::Contacts, &[], None).unwrap();
        assert!(contacts.select(&q).total < contacts.len());
    }
}
