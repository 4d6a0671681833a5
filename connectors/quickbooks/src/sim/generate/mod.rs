//! A company's starting books, generated from a seed: the same seed, sizes
//! and end time give the same objects. Name lists come first (the chart of
//! accounts, customers, vendors, items), then the transactions that
//! reference them; payments are applied to invoices and bill payments to
//! bills, lowering their `Balance`. Every object is drawn from its own
//! random stream (`PROVIDER_BASE` + entity, index), so large entities are
//! generated in parallel. The company's `CompanyInfo` is generated apart,
//! on a stream of its own.

mod company;
mod lists;
mod payments;
mod purchases;
mod sales;
mod words;

use serde_json::{Value, json};
use tether_sim_kit::rng::{SimRng, stream};

use super::config::SimSizes;
use super::entity::Entity;
use super::store::{Books, Row, Table};
use super::time::{self, DAY_MS};

/// How far back generated objects were created.
const HISTORY_MS: i64 = 365 * DAY_MS;

/// One generated object and its history.
pub(crate) struct Made {
    pub obj: Value,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub sync: u64,
}

/// A generated object with its history (created, last updated, `SyncToken`).
pub(crate) fn made(obj: Value, (created_ms, updated_ms, sync): (i64, i64, u64)) -> Made {
    Made {
        obj,
        created_ms,
        updated_ms,
        sync,
    }
}

/// The random stream of entity `e`'s object `i` (`salt` separates the
/// draws one object needs from another pass over the same entity).
pub(crate) fn rng(seed: u64, e: Entity, salt: u64, i: usize) -> SimRng {
    let stream = stream::PROVIDER_BASE + e.index() as u64 * 4 + salt;
    SimRng::new(seed, stream, i as u64)
}

/// When an object was created and last changed: created within the past
/// year, half of them changed since (and those a few times).
pub(crate) fn history(r: &mut SimRng, end_ms: i64) -> (i64, i64, u64) {
    let created = time::whole_seconds(end_ms - r.range(3_600_000, HISTORY_MS));
    if r.percent(50) {
        return (created, created, 0);
    }
    let updated = time::whole_seconds(created + r.range(0, end_ms - created));
    (created, updated, r.range(1, 3) as u64)
}

/// The name-list objects transactions pick from.
pub(crate) struct Names {
    /// Active customers: id and display name.
    pub customers: Vec<(u64, String)>,
    /// Active vendors.
    pub vendors: Vec<(u64, String)>,
    /// Active items: id, name and unit price in cents.
    pub items: Vec<(u64, String, i64)>,
    /// Accounts by role: id and name.
    pub bank: (u64, String),
    pub payable: (u64, String),
    pub undeposited: (u64, String),
    pub expenses: Vec<(u64, String)>,
    pub incomes: Vec<(u64, String)>,
}

/// The starting books of a company whose clock reads `end_ms`.
pub(crate) fn generate(seed: u64, sizes: SimSizes, end_ms: i64) -> Books {
    let mut books = Books::default();
    let accounts = lists::accounts(seed, sizes.accounts, end_ms);
    let customers = lists::people(seed, Entity::Customer, sizes.customers, end_ms);
    let vendors = lists::people(seed, Entity::Vendor, sizes.vendors, end_ms);
    let names_so_far = lists::roles(&accounts, &customers, &vendors);
    let items = lists::items(seed, sizes.items, end_ms, &names_so_far);
    let names = lists::with_items(names_so_far, &items);

    let mut invoices = sales::forms(seed, Entity::Invoice, sizes.invoices, end_ms, &names);
    let payments = sales::payments(seed, sizes.payments, end_ms, &names, &mut invoices);
    let credit_memos = sales::forms(seed, Entity::CreditMemo, sizes.credit_memos, end_ms, &names);
    let mut bills = purchases::bills(seed, sizes.bills, end_ms, &names);
    let bill_payments =
        purchases::bill_payments(seed, sizes.bill_payments, end_ms, &names, &mut bills);
    let (journal_entries, deleted) =
        purchases::journal_entries(seed, sizes.journal_entries, end_ms, &names);

    let mut customers = customers;
    let mut vendors = vendors;
    lists::owed(&mut customers, &invoices, "CustomerRef");
    lists::owed(&mut vendors, &bills, "VendorRef");
    for (e, made) in [
        (Entity::Account, accounts),
        (Entity::Customer, customers),
        (Entity::Vendor, vendors),
        (Entity::Item, items),
        (Entity::Invoice, invoices),
        (Entity::Bill, bills),
        (Entity::Payment, payments),
        (Entity::BillPayment, bill_payments),
        (Entity::CreditMemo, credit_memos),
        (Entity::JournalEntry, journal_entries),
    ] {
        store(&mut books, e, made);
    }
    let table = books.table_mut(Entity::JournalEntry);
    for (id, at) in deleted {
        table.rows.remove(&id);
        table.deleted.insert(id, at);
    }
    books
}

/// The name of company `index` of a simulator seeded `seed` (each realm's
/// differs).
pub(crate) fn company_name(seed: u64, index: usize) -> String {
    company::name(seed, index)
}

/// The `CompanyInfo` (`Id` 1) of the company seeded `seed` and named `name`.
pub(crate) fn company_info(seed: u64, name: &str, end_ms: i64) -> Table {
    Table::of(rows(vec![company::info(seed, name, end_ms)]))
}

/// Files generated objects under `Id` 1, 2, … with their `MetaData`.
fn store(books: &mut Books, e: Entity, made: Vec<Made>) {
    *books.table_mut(e) = Table::of(rows(made));
}

/// Generated objects as rows of `Id` 1, 2, … with their `MetaData`.
fn rows(made: Vec<Made>) -> Vec<(u64, Row)> {
    made.into_iter()
        .zip(1u64..)
        .map(|(m, id)| {
            let mut obj = m.obj;
            obj["Id"] = json!(id.to_string());
            obj["SyncToken"] = json!(m.sync.to_string());
            obj["domain"] = json!("QBO");
            obj["sparse"] = json!(false);
            obj["MetaData"] = json!({
                "CreateTime": time::meta(m.created_ms),
                "LastUpdatedTime": time::meta(m.updated_ms),
            });
            (
                id,
                Row {
                    obj,
                    updated_ms: m.updated_ms,
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests;
