//! The in-memory dataset of one tenant: every object as its serialized JSON
//! plus the few index fields lists filter and sort on, kept sorted by
//! `(UpdatedDateUTC, id)` so that a default-ordered page costs O(pageSize).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use uuid::Uuid;

use super::collections::Kind;
use super::query::{ListQuery, OrderKey};
use super::select;

/// Generated or loaded objects with their ids.
pub(crate) type Entries = Vec<(Uuid, Entry)>;

/// One stored object.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
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

/// A filtered and sorted list of ids, kept while the collection is unchanged
/// so that paging through a non-default view does not re-sort every page.
struct CachedView {
    generation: u64,
    key: String,
    ids: Arc<Vec<Uuid>>,
}

const VIEW_CACHE: usize = 4;

/// All objects of one kind.
pub(crate) struct Collection {
    pub kind: Kind,
    map: HashMap<Uuid, Entry>,
    /// Sorted ascending by `(updated, id)`.
    order: Vec<(i64, Uuid)>,
    generation: u64,
    views: Mutex<Vec<CachedView>>,
}

/// One page of a list request.
pub(crate) struct Selection {
    /// Objects matching the filters (`itemCount`).
    pub total: usize,
    /// Ids of the page, in order.
    pub ids: Vec<Uuid>,
}

impl Collection {
    /// Builds a collection from generated entries (any order).
    pub(crate) fn from_entries(kind: Kind, entries: Vec<(Uuid, Entry)>) -> Self {
        let mut order: Vec<(i64, Uuid)> = entries.iter().map(|(id, e)| (e.updated, *id)).collect();
        order.sort_unstable();
        let mut map = HashMap::with_capacity(entries.len());
        map.extend(entries);
        Self {
            kind,
            map,
            order,
            generation: 0,
            views: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    pub(crate) fn get(&self, id: &Uuid) -> Option<&Entry> {
        self.map.get(id)
    }

    /// Objects in `(UpdatedDateUTC, id)` order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Uuid, &Entry)> + '_ {
        self.order
            .iter()
            .filter_map(|(_, id)| self.map.get(id).map(|e| (*id, e)))
    }

    /// The id of the object whose natural key is `number` (first in order).
    pub(crate) fn find_number(&self, number: &str) -> Option<Uuid> {
        self.iter()
            .find(|(_, e)| e.number.as_deref() == Some(number))
            .map(|(id, _)| id)
    }

    /// Like [`find_number`](Self::find_number), ignoring ASCII case.
    pub(crate) fn find_number_ci(&self, number: &str) -> Option<Uuid> {
        self.iter()
            .find(|(_, e)| {
                e.number
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(number))
            })
            .map(|(id, _)| id)
    }

    fn position(&self, updated: i64, id: Uuid) -> Result<usize, usize> {
        self.order.binary_search(&(updated, id))
    }

    /// Inserts or replaces an object; returns the previous version.
    pub(crate) fn put(&mut self, id: Uuid, entry: Entry) -> Option<Entry> {
        let key = (entry.updated, id);
        let old = self.map.insert(id, entry);
        if let Some(o) = &old
            && let Ok(p) = self.position(o.updated, id)
        {
            self.order.remove(p);
        }
        // New writes are the newest: usually a push at the end.
        let at = self.order.partition_point(|k| *k < key);
        self.order.insert(at, key);
        self.generation += 1;
        old
    }

    /// Removes an object for good; returns it.
    pub(crate) fn remove(&mut self, id: &Uuid) -> Option<Entry> {
        let old = self.map.remove(id)?;
        if let Ok(p) = self.position(old.updated, *id) {
            self.order.remove(p);
        }
        self.generation += 1;
        Some(old)
    }

    /// Replaces only the served JSON of an object (index fields unchanged).
    pub(crate) fn set_raw(&mut self, id: &Uuid, raw: String) -> bool {
        match self.map.get_mut(id) {
            Some(e) => {
                e.raw = raw.into_boxed_str();
                self.generation += 1;
                true
            }
            None => false,
        }
    }

    /// Selects the page of a list request.
    pub(crate) fn select(&self, q: &ListQuery) -> Selection {
        // Objects modified at or after the (whole-second) header time: Xero
        // returns what was "created or updated since the specified timestamp
        // (accurate to the second)" (developer.xero.com/documentation/api/
        // requests-and-responses), so handing back an object's own
        // UpdatedDateUTC cut to the second returns that object again
        // (xero-gateway/xero_gateway#145: clients round up to the next second
        // to leave it out).
        let start = match q.modified_since {
            Some(since) => self.order.partition_point(|(u, _)| *u < since),
            None => 0,
        };
        if q.filter.is_trivial() && q.order.key == OrderKey::Updated {
            let total = self.order.len() - start;
            let (skip, take) = page_bounds(q, total);
            let ids = if q.order.desc {
                self.order[start..]
                    .iter()
                    .rev()
                    .skip(skip)
                    .take(take)
                    .map(|(_, id)| *id)
                    .collect()
            } else {
                self.order[start + skip..start + skip + take]
                    .iter()
                    .map(|(_, id)| *id)
                    .collect()
            };
            return Selection { total, ids };
        }
        let view = self.view(q, start);
        let total = view.len();
        let (skip, take) = page_bounds(q, total);
        Selection {
            total,
            ids: view[skip..skip + take].to_vec(),
        }
    }

    fn view(&self, q: &ListQuery, start: usize) -> Arc<Vec<Uuid>> {
        let key = format!("{:?}|{:?}|{:?}", q.modified_since, q.filter, q.order);
        if let Ok(views) = self.views.lock()
            && let Some(v) = views
                .iter()
                .find(|v| v.generation == self.generation && v.key == key)
        {
            return v.ids.clone();
        }
        let entries: Vec<(Uuid, &Entry)> = self.order[start..]
            .iter()
            .filter_map(|(_, id)| self.map.get(id).map(|e| (*id, e)))
            .filter(|(id, e)| select::matches(self.kind, &q.filter, id, e))
            .collect();
        let ids = Arc::new(select::sort(entries, &q.order));
        if let Ok(mut views) = self.views.lock() {
            views.retain(|v| v.generation == self.generation);
            if views.len() >= VIEW_CACHE {
                views.remove(0);
            }
            views.push(CachedView {
                generation: self.generation,
                key,
                ids: ids.clone(),
            });
        }
        ids
    }
}

/// `(skip, take)` of the requested page within `total` items.
fn page_bounds(q: &ListQuery, total: usize) -> (usize, usize) {
    match q.page {
        None => (0, total),
        Some((page, size)) => {
            let skip = (page as usize - 1).saturating_mul(size as usize).min(total);
            (skip, (size as usize).min(total - skip))
        }
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
