//! A collection of stored objects as simulators keep them: each object
//! as its served JSON plus a few index fields, kept sorted by
//! `(updated, id)` so a default-ordered page (the one change feeds and
//! modified-since pulls ask for) costs O(page size). Other views (a filter,
//! another sort) are computed once and cached until the collection
//! changes, so paging through them does not re-sort every page. What a
//! filter or a sort means is the provider's ([`ViewSpec`]); how its
//! records look is the provider's too ([`Record`]).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// What the collection needs of a stored object.
pub trait Record {
    /// When it was last updated (ms); the collection's order.
    fn updated(&self) -> i64;
    /// Its natural key (invoice number, document number), if any.
    fn number(&self) -> Option<&str>;
    /// Replaces its served JSON, index fields unchanged (`/_sim/corrupt`).
    fn set_raw(&mut self, raw: String);
}

/// A list request's view of a collection: which objects, in which order.
pub trait ViewSpec<I, E> {
    /// `Some(desc)` when the view is every object in `(updated, id)` order
    /// (descending if `desc`): the fast path, no filter, no sort.
    fn default_order(&self) -> Option<bool>;
    /// A key naming the view (filter and order) for the cache.
    fn cache_key(&self) -> String;
    /// Whether one object is in the view.
    fn matches(&self, id: &I, e: &E) -> bool;
    /// The view's order of the matching objects (given in `(updated, id)` order).
    fn sort(&self, entries: Vec<(I, &E)>) -> Vec<I>;
}

/// One page of a list request.
#[derive(Debug, PartialEq, Eq)]
pub struct Selection<I> {
    /// Objects in the view (before paging).
    pub total: usize,
    /// Ids of the page, in order.
    pub ids: Vec<I>,
}

struct CachedView<I> {
    generation: u64,
    key: String,
    ids: Arc<Vec<I>>,
}

const VIEW_CACHE: usize = 4;

/// All objects of one kind, by id.
pub struct Collection<I, E> {
    map: HashMap<I, E>,
    /// Sorted ascending by `(updated, id)`.
    order: Vec<(i64, I)>,
    generation: u64,
    views: Mutex<Vec<CachedView<I>>>,
}

/// `(skip, take)` of `window` within `total` items (everything when `None`).
fn bounds(window: Option<(usize, usize)>, total: usize) -> (usize, usize) {
    match window {
        None => (0, total),
        Some((skip, take)) => {
            let skip = skip.min(total);
            (skip, take.min(total - skip))
        }
    }
}

impl<I: Copy + Ord + Hash, E: Record> Collection<I, E> {
    /// Builds a collection from generated entries (any order).
    pub fn from_entries(entries: Vec<(I, E)>) -> Self {
        let mut order: Vec<(i64, I)> = entries.iter().map(|(id, e)| (e.updated(), *id)).collect();
        order.sort_unstable();
        let mut map = HashMap::with_capacity(entries.len());
        map.extend(entries);
        Self {
            map,
            order,
            generation: 0,
            views: Mutex::new(Vec::new()),
        }
    }

    /// How many objects.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The object `id`.
    pub fn get(&self, id: &I) -> Option<&E> {
        self.map.get(id)
    }

    /// Objects in `(updated, id)` order.
    pub fn iter(&self) -> impl Iterator<Item = (I, &E)> + '_ {
        self.order
            .iter()
            .filter_map(|(_, id)| self.map.get(id).map(|e| (*id, e)))
    }

    /// The id of the object whose natural key is `number` (first in order).
    pub fn find_number(&self, number: &str) -> Option<I> {
        self.iter()
            .find(|(_, e)| e.number() == Some(number))
            .map(|(id, _)| id)
    }

    /// Like [`find_number`](Self::find_number), ignoring ASCII case.
    pub fn find_number_ci(&self, number: &str) -> Option<I> {
        self.iter()
            .find(|(_, e)| e.number().is_some_and(|n| n.eq_ignore_ascii_case(number)))
            .map(|(id, _)| id)
    }

    fn position(&self, updated: i64, id: I) -> Result<usize, usize> {
        self.order.binary_search(&(updated, id))
    }

    /// Inserts or replaces an object; returns the previous version.
    pub fn put(&mut self, id: I, entry: E) -> Option<E> {
        let key = (entry.updated(), id);
        let old = self.map.insert(id, entry);
        if let Some(o) = &old
            && let Ok(p) = self.position(o.updated(), id)
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
    pub fn remove(&mut self, id: &I) -> Option<E> {
        let old = self.map.remove(id)?;
        if let Ok(p) = self.position(old.updated(), *id) {
            self.order.remove(p);
        }
        self.generation += 1;
        Some(old)
    }

    /// Replaces only the served JSON of an object (index fields unchanged).
    pub fn set_raw(&mut self, id: &I, raw: String) -> bool {
        match self.map.get_mut(id) {
            Some(e) => {
                e.set_raw(raw);
                self.generation += 1;
                true
            }
            None => false,
        }
    }

    /// The page `window` (`(skip, take)`, everything when `None`) of the
    /// objects updated at or after `since` (ms) in `spec`'s view.
    pub fn select(
        &self,
        since: Option<i64>,
        spec: &impl ViewSpec<I, E>,
        window: Option<(usize, usize)>,
    ) -> Selection<I> {
        let start = match since {
            Some(since) => self.order.partition_point(|(u, _)| *u < since),
            None => 0,
        };
        if let Some(desc) = spec.default_order() {
            let total = self.order.len() - start;
            let (skip, take) = bounds(window, total);
            let ids = if desc {
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
        let view = self.view(since, spec, start);
        let total = view.len();
        let (skip, take) = bounds(window, total);
        Selection {
            total,
            ids: view[skip..skip + take].to_vec(),
        }
    }

    fn view(&self, since: Option<i64>, spec: &impl ViewSpec<I, E>, start: usize) -> Arc<Vec<I>> {
        let key = format!("{since:?}|{}", spec.cache_key());
        if let Ok(views) = self.views.lock()
            && let Some(v) = views
                .iter()
                .find(|v| v.generation == self.generation && v.key == key)
        {
            return v.ids.clone();
        }
        let entries: Vec<(I, &E)> = self.order[start..]
            .iter()
            .filter_map(|(_, id)| self.map.get(id).map(|e| (*id, e)))
            .filter(|(id, e)| spec.matches(id, e))
            .collect();
        let ids = Arc::new(spec.sort(entries));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A QuickBooks-like record: numeric id, a DocNumber, an active flag.
    #[derive(Clone, Debug)]
    struct Doc {
        raw: String,
        updated: i64,
        number: String,
        active: bool,
    }

    impl Record for Doc {
        fn updated(&self) -> i64 {
            self.updated
        }
        fn number(&self) -> Option<&str> {
            Some(&self.number)
        }
        fn set_raw(&mut self, raw: String) {
            self.raw = raw;
        }
    }

    /// Every object by `updated` (`All`), or active ones by number (`Active`).
    enum View {
        All { desc: bool },
        ActiveByNumber,
    }

    impl ViewSpec<u64, Doc> for View {
        fn default_order(&self) -> Option<bool> {
            match self {
                View::All { desc } => Some(*desc),
                View::ActiveByNumber => None,
            }
        }
        fn cache_key(&self) -> String {
            "active-by-number".into()
        }
        fn matches(&self, _: &u64, e: &Doc) -> bool {
            e.active
        }
        fn sort(&self, entries: Vec<(u64, &Doc)>) -> Vec<u64> {
            let mut v: Vec<(&str, u64)> = entries
                .iter()
                .map(|(id, e)| (e.number.as_str(), *id))
                .collect();
            v.sort_unstable();
            v.into_iter().map(|(_, id)| id).collect()
        }
    }

    fn doc(updated: i64, n: &str, active: bool) -> Doc {
        Doc {
            raw: format!(r#"{{"DocNumber":"{n}"}}"#),
            updated,
            number: n.into(),
            active,
        }
    }

    /// Ids 1..=10, id `i` updated at `100 - i`, even ids active.
    fn col() -> Collection<u64, Doc> {
        Collection::from_entries(
            (1..=10u64)
                .map(|i| (i, doc(100 - i as i64, &format!("N{i:02}"), i % 2 == 0)))
                .collect(),
        )
    }

    #[test]
    fn pages_by_updated_like_startposition_and_maxresults() {
        let c = col();
        let asc = View::All { desc: false };
        let s = c.select(None, &asc, Some((0, 3)));
        assert_eq!(
            s,
            Selection {
                total: 10,
                ids: vec![10, 9, 8]
            }
        );
        assert_eq!(c.select(None, &asc, Some((9, 3))).ids, vec![1]);
        assert!(c.select(None, &asc, Some((12, 3))).ids.is_empty());
        let desc = View::All { desc: true };
        assert_eq!(c.select(None, &desc, Some((0, 2))).ids, vec![1, 2]);
    }

    #[test]
    fn since_is_at_or_after_in_every_view() {
        let c = col();
        let s = c.select(Some(98), &View::All { desc: false }, None);
        assert_eq!(s.ids, vec![2, 1]);
        let s = c.select(Some(94), &View::ActiveByNumber, None);
        assert_eq!(s.ids, vec![2, 4, 6]);
        assert_eq!(c.select(Some(101), &View::ActiveByNumber, None).total, 0);
    }

    #[test]
    fn writes_move_to_the_end_and_views_refresh() {
        let mut c = col();
        let view = View::ActiveByNumber;
        assert_eq!(c.select(None, &view, None).ids[0], 2);
        c.put(3, doc(500, "A00", true));
        assert_eq!(
            *c.select(None, &View::All { desc: false }, None)
                .ids
                .last()
                .unwrap(),
            3
        );
        assert_eq!(c.select(None, &view, None).ids[0], 3);
        assert_eq!(c.find_number("a00"), None);
        assert_eq!(c.find_number_ci("a00"), Some(3));
        assert!(c.set_raw(&3, "{}".into()));
        assert_eq!(c.get(&3).unwrap().raw, "{}");
        assert!(c.remove(&3).is_some());
        assert_eq!(c.len(), 9);
        assert!(c.get(&3).is_none());
    }
}
