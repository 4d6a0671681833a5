//! One company's books: per entity its live objects by numeric `Id` (in
//! the kit's collection, kept in change order with cached query views),
//! the tombstones of deleted transactions (CDC still answers them), and the
//! next `Id` to hand out; and the company's one `CompanyInfo`, read only.
//! Objects are kept as the API shows them.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tether_sim_kit::store::{Collection, Record};

use super::entity::{Entity, Readable};
use super::time;

/// A live object and when it last changed (its `MetaData.LastUpdatedTime`).
#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub obj: Value,
    pub updated_ms: i64,
}

impl Record for Row {
    fn updated(&self) -> i64 {
        self.updated_ms
    }

    fn number(&self) -> Option<&str> {
        self.obj["DocNumber"].as_str()
    }

    fn set_raw(&mut self, raw: String) {
        if let Ok(obj) = serde_json::from_str(&raw) {
            self.obj = obj;
        }
    }
}

/// One entity's objects.
pub(crate) struct Table {
    /// Live objects (inactive and voided ones included) by `Id`.
    pub rows: Collection<u64, Row>,
    /// Deleted objects' ids and when they were deleted.
    pub deleted: BTreeMap<u64, i64>,
    /// The next `Id` a create gets.
    pub next_id: u64,
}

impl Table {
    /// Objects of the entity, `next_id` after the highest.
    pub(crate) fn of(rows: Vec<(u64, Row)>) -> Self {
        let next_id = rows.iter().map(|(id, _)| id + 1).max().unwrap_or(1);
        Self {
            rows: Collection::from_entries(rows),
            deleted: BTreeMap::new(),
            next_id,
        }
    }

    /// The live objects in `Id` order.
    pub(crate) fn by_id(&self) -> Vec<(u64, &Row)> {
        let mut rows: Vec<(u64, &Row)> = self.rows.iter().collect();
        rows.sort_unstable_by_key(|(id, _)| *id);
        rows
    }

    /// Changes object `id` in place without it being a change (no new
    /// `SyncToken` or time): corruption, balances QuickBooks keeps.
    pub(crate) fn touch_silently(&mut self, id: u64, f: impl FnOnce(&mut Value)) -> bool {
        let Some(mut row) = self.rows.get(&id).cloned() else {
            return false;
        };
        f(&mut row.obj);
        self.rows.put(id, row);
        true
    }
}

/// Every entity's table of one company, and its `CompanyInfo`.
pub struct Books {
    tables: Vec<Table>,
    /// The one `CompanyInfo` (`Id` 1); kept apart from the entities so no
    /// write, CDC answer or snapshot reaches it.
    company: Table,
}

impl Default for Books {
    fn default() -> Self {
        Self {
            tables: Entity::ALL.iter().map(|_| Table::of(Vec::new())).collect(),
            company: Table::of(Vec::new()),
        }
    }
}

impl Books {
    /// One entity's table.
    pub(crate) fn table(&self, e: Entity) -> &Table {
        &self.tables[e.index()]
    }

    /// One entity's table, to change.
    pub(crate) fn table_mut(&mut self, e: Entity) -> &mut Table {
        &mut self.tables[e.index()]
    }

    /// The table a query or a read by id reads.
    pub(crate) fn readable(&self, r: Readable) -> &Table {
        match r {
            Readable::Entity(e) => self.table(e),
            Readable::CompanyInfo => &self.company,
        }
    }

    /// The company's `CompanyInfo` (`Null` before one is set).
    pub(crate) fn company_info(&self) -> &Value {
        self.company
            .rows
            .iter()
            .next()
            .map_or(&Value::Null, |(_, r)| &r.obj)
    }

    /// Sets the company's `CompanyInfo` (its table of one).
    pub(crate) fn set_company_info(&mut self, info: Table) {
        self.company = info;
    }

    /// The live object `id` of `e`.
    pub(crate) fn get(&self, e: Entity, id: u64) -> Option<&Value> {
        self.table(e).rows.get(&id).map(|r| &r.obj)
    }

    /// Stores `obj` as a new object created at `now_ms`: gives it the next
    /// `Id`, `SyncToken` `"0"` and its `MetaData`; returns the `Id`.
    pub(crate) fn create(&mut self, e: Entity, mut obj: Value, now_ms: i64) -> u64 {
        let table = self.table_mut(e);
        let id = table.next_id;
        table.next_id += 1;
        let now = time::whole_seconds(now_ms);
        obj["Id"] = json!(id.to_string());
        obj["SyncToken"] = json!("0");
        obj["domain"] = json!("QBO");
        obj["sparse"] = json!(false);
        obj["MetaData"] =
            json!({"CreateTime": time::meta(now), "LastUpdatedTime": time::meta(now)});
        table.rows.put(
            id,
            Row {
                obj,
                updated_ms: now,
            },
        );
        id
    }

    /// Replaces object `id` with `obj` as changed at `now_ms`: the next
    /// `SyncToken`, the `CreateTime` kept, `LastUpdatedTime` now.
    pub(crate) fn replace(&mut self, e: Entity, id: u64, mut obj: Value, now_ms: i64) {
        let table = self.table_mut(e);
        let Some(row) = table.rows.get(&id) else {
            return;
        };
        let now = time::whole_seconds(now_ms);
        let created = row.obj["MetaData"]["CreateTime"].clone();
        let token = sync_token(&row.obj) + 1;
        obj["Id"] = json!(id.to_string());
        obj["SyncToken"] = json!(token.to_string());
        obj["domain"] = json!("QBO");
        obj["sparse"] = json!(false);
        obj["MetaData"] = json!({"CreateTime": created, "LastUpdatedTime": time::meta(now)});
        table.rows.put(
            id,
            Row {
                obj,
                updated_ms: now,
            },
        );
    }

    /// Deletes object `id` outright, keeping its tombstone; returns it.
    pub(crate) fn delete(&mut self, e: Entity, id: u64, now_ms: i64) -> Option<Value> {
        let table = self.table_mut(e);
        let row = table.rows.remove(&id)?;
        table.deleted.insert(id, time::whole_seconds(now_ms));
        Some(row.obj)
    }
}

/// An object's `SyncToken` as a number (0 when unreadable).
pub(crate) fn sync_token(obj: &Value) -> u64 {
    obj["SyncToken"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// What CDC answers for a deleted transaction.
pub(crate) fn tombstone(id: u64, deleted_ms: i64) -> Value {
    json!({
        "domain": "QBO",
        "status": "Deleted",
        "Id": id.to_string(),
        "MetaData": {"LastUpdatedTime": time::meta(deleted_ms)},
    })
}

/// A reference field's value: `{"value": "<Id>", "name": "<display>"}`.
pub(crate) fn reference(id: u64, name: &str) -> Value {
    json!({"value": id.to_string(), "name": name})
}

/// The numeric `Id` a reference (or an `Id` string) holds.
pub(crate) fn ref_id(v: &Value) -> Option<u64> {
    let s = match v {
        Value::Object(m) => m.get("value")?.as_str()?,
        Value::String(s) => s,
        _ => return None,
    };
    s.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_replace_delete_keep_ids_tokens_and_tombstones() {
        let mut b = Books::default();
        let id = b.create(Entity::Invoice, json!({"TotalAmt": 5}), 10_500);
        assert_eq!(id, 1);
        let obj = b.get(Entity::Invoice, 1).unwrap().clone();
        assert_eq!(obj["SyncToken"], "0");
        b.replace(Entity::Invoice, 1, json!({"TotalAmt": 6}), 20_000);
        let obj = b.get(Entity::Invoice, 1).unwrap();
        assert_eq!(obj["SyncToken"], "1");
        assert_eq!(obj["MetaData"]["CreateTime"], time::meta(10_000));
        assert_eq!(
            b.table(Entity::Invoice).rows.get(&1).unwrap().updated_ms,
            20_000
        );
        assert!(b.delete(Entity::Invoice, 1, 30_000).is_some());
        assert_eq!(b.table(Entity::Invoice).deleted[&1], 30_000);
        assert_eq!(
            b.create(Entity::Invoice, json!({}), 40_000),
            2,
            "ids are not reused"
        );
        assert_eq!(ref_id(&json!({"value": "12", "name": "x"})), Some(12));
    }
}
