//! Write transactions over a tenant's collections: every change is logged
//! with the version it replaced, so a request refused as a whole (Xero's
//! `summarizeErrors=true`, a QuickBooks batch item) rolls back to a
//! savepoint and leaves no trace. Plus the merge every update does: the
//! stored JSON overlaid with the request's fields, read-only ones ignored.

use std::hash::Hash;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::store::{Collection, Record};

/// A tenant's collections, by kind.
pub trait Tables {
    /// Names a collection.
    type Kind: Copy;
    /// An object's id.
    type Id: Copy + Ord + Hash;
    /// A stored object.
    type Entry: Record + Clone;
    /// The collection of `kind`.
    fn table(&mut self, kind: Self::Kind) -> &mut Collection<Self::Id, Self::Entry>;
}

/// One logged change: which object, and the version it replaced (`None`
/// when it created the object).
type Change<T> = (
    <T as Tables>::Kind,
    <T as Tables>::Id,
    Option<<T as Tables>::Entry>,
);

/// Changes made so far, newest last, each with the version it replaced.
pub struct UndoLog<T: Tables> {
    undo: Vec<Change<T>>,
}

impl<T: Tables> Default for UndoLog<T> {
    fn default() -> Self {
        Self { undo: Vec::new() }
    }
}

impl<T: Tables> UndoLog<T> {
    /// Stores `entry` as `id` of `kind`, remembering the version it replaces.
    pub fn put(&mut self, data: &mut T, kind: T::Kind, id: T::Id, entry: T::Entry) {
        let old = data.table(kind).put(id, entry);
        self.undo.push((kind, id, old));
    }

    /// Removes `id` of `kind` for good, remembering it; the removed object.
    pub fn remove(&mut self, data: &mut T, kind: T::Kind, id: T::Id) -> Option<T::Entry> {
        let old = data.table(kind).remove(&id)?;
        self.undo.push((kind, id, Some(old.clone())));
        Some(old)
    }

    /// Marks the current point; [`rollback_to`](Self::rollback_to) returns here.
    pub fn savepoint(&self) -> usize {
        self.undo.len()
    }

    /// Undoes every change made after `savepoint`, newest first.
    pub fn rollback_to(&mut self, data: &mut T, savepoint: usize) {
        while self.undo.len() > savepoint {
            let Some((kind, id, old)) = self.undo.pop() else {
                break;
            };
            let col = data.table(kind);
            match old {
                Some(e) => {
                    col.put(id, e);
                }
                None => {
                    col.remove(&id);
                }
            }
        }
    }
}

/// The stored JSON (if any) overlaid with the request's fields, minus the
/// `read_only` fields a client cannot set, parsed as `T`.
pub fn merged<T: DeserializeOwned>(
    existing: Option<&str>,
    incoming: &Map<String, Value>,
    read_only: &[&str],
) -> Result<T, serde_json::Error> {
    let mut base = match existing.and_then(|r| serde_json::from_str::<Value>(r).ok()) {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    for (k, v) in incoming {
        if !read_only.contains(&k.as_str()) {
            base.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(Value::Object(base))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Clone, Debug, PartialEq)]
    struct E(i64);

    impl Record for E {
        fn updated(&self) -> i64 {
            self.0
        }
        fn number(&self) -> Option<&str> {
            None
        }
        fn set_raw(&mut self, _: String) {}
    }

    struct Two([Collection<u64, E>; 2]);

    impl Tables for Two {
        type Kind = usize;
        type Id = u64;
        type Entry = E;
        fn table(&mut self, kind: usize) -> &mut Collection<u64, E> {
            &mut self.0[kind]
        }
    }

    #[test]
    fn rollback_restores_every_table() {
        let mut d = Two([
            Collection::from_entries(vec![(1, E(10))]),
            Collection::from_entries(Vec::new()),
        ]);
        let mut log = UndoLog::<Two>::default();
        log.put(&mut d, 1, 7, E(20));
        let sp = log.savepoint();
        log.put(&mut d, 0, 1, E(30));
        log.put(&mut d, 1, 8, E(40));
        assert_eq!(log.remove(&mut d, 1, 7), Some(E(20)));
        log.rollback_to(&mut d, sp);
        assert_eq!(d.0[0].get(&1), Some(&E(10)));
        assert_eq!(d.0[1].get(&7), Some(&E(20)));
        assert!(d.0[1].get(&8).is_none());
        log.rollback_to(&mut d, 0);
        assert!(d.0[1].is_empty());
    }

    #[test]
    fn merge_overlays_and_skips_read_only() {
        let incoming = json!({"Name": "b", "Id": "9"});
        let m: Value = merged(
            Some(r#"{"Id":"1","Name":"a","Active":true}"#),
            incoming.as_object().unwrap(),
            &["Id"],
        )
        .unwrap();
        assert_eq!(m, json!({"Id": "1", "Name": "b", "Active": true}));
        let fresh: Value = merged(None, incoming.as_object().unwrap(), &[]).unwrap();
        assert_eq!(fresh["Id"], "9");
    }
}
