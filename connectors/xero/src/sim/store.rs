//! The in-memory dataset of one tenant: every object as its serialized JSON
//! plus the few index fields lists filter and sort on, kept sorted by
//! `(UpdatedDateUTC, id)` so that a default-ordered page costs O(pageSize).
//! The keeping and paging are the kit's [`kit::Collection`]; Xero's
//! entries, filters and sorts are here.

use std::ops::{Deref, DerefMut};

use tether_sim_kit::store::{self as kit, Record, Selection, ViewSpec};
use tether_sim_kit::txn::Tables;
use uuid::Uuid;

use super::collections::Kind;
use super::query::{ListQuery, OrderKey};
use super::select;

/// Generated or loaded objects with their ids.
pub(crate) type Entries = Vec<(Uuid, Entry)>;

/// One stored object.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The object exactly as `GET /{Collection}/{id}` serves it.
    pub raw: Box<str>,
    /// `UpdatedDateUTC` in ms (0 for kinds without it).
    pub updated: i64,
    /// The natural key (see `Desc::number_field`).
    pub number: Option<Box<str>>,
    /// The contact of invoices (for `ContactIDs`).
    pub contact: Option<Uuid>,
    /// Status code (index into `Desc::statuses`, `u8::MAX` if none).
    pub status: u8,
}

impl Entry {
    /// Whether the object is ARCHIVED (hidden from default lists).
    pub(crate) fn archived(&self, kind: Kind) -> bool {
        kind.status_name(self.status) == Some("ARCHIVED")
    }
}

impl Record for Entry {
    fn updated(&self) -> i64 {
        self.updated
    }

    fn number(&self) -> Option<&str> {
        self.number.as_deref()
    }

    fn set_raw(&mut self, raw: String) {
        self.raw = raw.into_boxed_str();
    }
}

/// All objects of one kind: the kit's collection, with its kind.
pub(crate) struct Collection {
    pub kind: Kind,
    inner: kit::Collection<Uuid, Entry>,
}

impl Deref for Collection {
    type Target = kit::Collection<Uuid, Entry>;

    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl DerefMut for Collection {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.inner
    }
}

/// A Xero list request as a view of a collection.
struct XeroView<'a> {
    kind: Kind,
    q: &'a ListQuery,
}

impl ViewSpec<Uuid, Entry> for XeroView<'_> {
    fn default_order(&self) -> Option<bool> {
        (self.q.filter.is_trivial() && self.q.order.key == OrderKey::Updated)
            .then_some(self.q.order.desc)
    }

    fn cache_key(&self) -> String {
        format!("{:?}|{:?}", self.q.filter, self.q.order)
    }

    fn matches(&self, id: &Uuid, e: &Entry) -> bool {
        select::matches(self.kind, &self.q.filter, id, e)
    }

    fn sort(&self, entries: Vec<(Uuid, &Entry)>) -> Vec<Uuid> {
        select::sort(entries, &self.q.order)
    }
}

impl Collection {
    /// Builds a collection from generated entries (any order).
    pub(crate) fn from_entries(kind: Kind, entries: Vec<(Uuid, Entry)>) -> Self {
        Self {
            kind,
            inner: kit::Collection::from_entries(entries),
        }
    }

    /// Selects the page of a list request. Objects modified at or after
    /// the (whole-second) header time: Xero returns what was "created or
    /// updated since the specified timestamp (accurate to the second)"
    /// (developer.xero.com/documentation/api/requests-and-responses), so
    /// handing back an object's own UpdatedDateUTC cut to the second
    /// returns that object again (xero-gateway/xero_gateway#145: clients
    /// round up to the next second to leave it out).
    pub(crate) fn select(&self, q: &ListQuery) -> Selection<Uuid> {
        let view = XeroView { kind: self.kind, q };
        // `page` is 1-based, `pageSize` items each.
        let window = q.page.map(|(page, size)| {
            (
                (page as usize - 1).saturating_mul(size as usize),
                size as usize,
            )
        });
        self.inner.select(q.modified_since, &view, window)
    }
}

/// Counters the organisation keeps for automatic numbering.
#[derive(Clone, Debug, Default)]
pub(crate) struct Counters {
    pub next_invoice: u64,
    pub next_credit_note: u64,
    pub next_tax: u64,
}

/// Every collection of one tenant.
pub struct Dataset {
    cols: Vec<Collection>,
    pub(crate) counters: Counters,
}

impl Tables for Dataset {
    type Kind = Kind;
    type Id = Uuid;
    type Entry = Entry;

    fn table(&mut self, kind: Kind) -> &mut kit::Collection<Uuid, Entry> {
        &mut self.col_mut(kind).inner
    }
}

impl Dataset {
    pub(crate) fn new(cols: Vec<Collection>, counters: Counters) -> Self {
        debug_assert!(Kind::ALL.iter().zip(&cols).all(|(k, c)| c.kind == *k));
        Self { cols, counters }
    }

    pub(crate) fn col(&self, kind: Kind) -> &Collection {
        &self.cols[kind.index()]
    }

    pub(crate) fn col_mut(&mut self, kind: Kind) -> &mut Collection {
        &mut self.cols[kind.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::query::parse_list;

    fn entry(updated: i64, n: &str, status: u8) -> Entry {
        Entry {
            raw: format!(r#"{{"N":"{n}","U":{updated}}}"#).into(),
            updated,
            number: Some(n.into()),
            contact: None,
            status,
        }
    }

    fn col() -> (Collection, Vec<Uuid>) {
        let ids: Vec<Uuid> = (0..10u128).map(Uuid::from_u128).collect();
        let entries = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, entry(100 - i as i64, &format!("N{i}"), 0)))
            .collect();
        (Collection::from_entries(Kind::Invoices, entries), ids)
    }

    fn q(p: &[(&str, &str)], since: Option<i64>) -> ListQuery {
        let pairs: Vec<(String, String)> = p
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        parse_list(Kind::Invoices, &pairs, since).unwrap()
    }

    #[test]
    fn pages_by_updated() {
        let (c, ids) = col();
        let s = c.select(&q(&[("page", "1"), ("pageSize", "3")], None));
        assert_eq!(s.total, 10);
        assert_eq!(s.ids, vec![ids[9], ids[8], ids[7]]);
        let s = c.select(&q(&[("page", "4"), ("pageSize", "3")], None));
        assert_eq!(s.ids, vec![ids[0]]);
        let s = c.select(&q(&[("page", "5"), ("pageSize", "3")], None));
        assert!(s.ids.is_empty());
        let s = c.select(&q(
            &[
                ("page", "1"),
                ("pageSize", "2"),
                ("order", "UpdatedDateUTC DESC"),
            ],
            None,
        ));
        assert_eq!(s.ids, vec![ids[0], ids[1]]);
    }

    #[test]
    fn modified_since_is_at_or_after() {
        let (c, ids) = col();
        let s = c.select(&q(&[], Some(98)));
        assert_eq!(s.total, 3);
        assert_eq!(s.ids, vec![ids[2], ids[1], ids[0]]);
        // The same through a filtered (cached view) selection.
        let s = c.select(&q(&[("order", "InvoiceNumber")], Some(98)));
        assert_eq!(s.ids, vec![ids[0], ids[1], ids[2]]);
        assert_eq!(c.select(&q(&[], Some(101))).total, 0);
    }

    #[test]
    fn updates_move_to_the_end_and_views_refresh() {
        let (mut c, ids) = col();
        let by_number = q(&[("order", "InvoiceNumber DESC")], None);
        assert_eq!(c.select(&by_number).ids[0], ids[9]);
        c.put(ids[0], entry(500, "N99", 0));
        let s = c.select(&q(&[], None));
        assert_eq!(*s.ids.last().unwrap(), ids[0]);
        assert_eq!(c.select(&by_number).ids[0], ids[0]);
        assert!(c.remove(&ids[0]).is_some());
        assert_eq!(c.select(&q(&[], None)).total, 9);
        assert!(c.get(&ids[0]).is_none());
    }
}
