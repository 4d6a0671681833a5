//! Change data capture as Intuit documents it: every entity asked in one
//! answer, changed objects whole (inactive name-list objects too, with
//! `Active: false`), deleted transactions as tombstones, at most 1,000
//! objects in the whole answer (the oldest changes first, so a client that
//! asks again from the last one it saw loses nothing), and no further back
//! than 30 days.

use serde_json::{Value, json};

use super::entity::Entity;
use super::store::{Books, tombstone};
use super::time::DAY_MS;

/// Intuit's cap on the objects of one CDC answer.
pub(crate) const CDC_MAX_OBJECTS: usize = 1000;
/// How far back `changedSince` may reach.
pub(crate) const CDC_WINDOW_MS: i64 = 30 * DAY_MS;

/// The changes to `entities` at or after `since_ms`, oldest first, cut at
/// `cap` across all of them; grouped per entity in the order asked.
pub(crate) fn changes(
    books: &Books,
    entities: &[Entity],
    since_ms: i64,
    cap: usize,
) -> Vec<(Entity, Vec<Value>)> {
    // (when, entity's place in the request, id, object): a total order.
    let mut all: Vec<(i64, usize, u64, Value)> = Vec::new();
    for (place, &e) in entities.iter().enumerate() {
        let table = books.table(e);
        all.extend(
            table
                .rows
                .iter()
                .filter(|(_, r)| r.updated_ms >= since_ms)
                .map(|(id, r)| (r.updated_ms, place, id, r.obj.clone())),
        );
        all.extend(
            table
                .deleted
                .iter()
                .filter(|(_, at)| **at >= since_ms)
                .map(|(id, at)| (*at, place, *id, tombstone(*id, *at))),
        );
    }
    all.sort_by_key(|(at, place, id, _)| (*at, *place, *id));
    all.truncate(cap);
    let mut grouped: Vec<(Entity, Vec<Value>)> =
        entities.iter().map(|e| (*e, Vec::new())).collect();
    for (_, place, _, obj) in all {
        grouped[place].1.push(obj);
    }
    grouped
}

/// The `CDCResponse` body of grouped changes: an entity without changes
/// answers an object with no list.
pub(crate) fn response(grouped: Vec<(Entity, Vec<Value>)>) -> Value {
    let answers: Vec<Value> = grouped
        .into_iter()
        .map(|(e, objs)| match objs.len() {
            0 => json!({}),
            n => json!({e.name(): objs, "startPosition": 1, "maxResults": n, "totalCount": n}),
        })
        .collect();
    json!([{"QueryResponse": answers}])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_keeps_the_oldest_changes_across_entities() {
        let mut b = Books::default();
        for i in 0..6 {
            b.create(Entity::Invoice, json!({}), 1_000_000 + i * 2000);
            b.create(
                Entity::Customer,
                json!({"Active": i != 0}),
                1_001_000 + i * 2000,
            );
        }
        b.delete(Entity::Invoice, 2, 1_001_000 + 5 * 2000 + 500);
        let all = changes(&b, &[Entity::Customer, Entity::Invoice], 0, 100);
        assert_eq!(all[0].1.len(), 6);
        assert_eq!(all[1].1.len(), 6, "five live invoices and one tombstone");
        assert_eq!(all[1].1[5]["status"], "Deleted");
        assert_eq!(all[0].1[0]["Active"], false, "inactive names come whole");
        let cut = changes(&b, &[Entity::Customer, Entity::Invoice], 0, 5);
        let ids = |i: usize| {
            cut[i]
                .1
                .iter()
                .map(|o| o["Id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        // Interleaved by time: invoice 1, customers 1 and 2, invoice 3, customer 3.
        assert_eq!(ids(1), ["1", "3"], "invoice 2 is deleted");
        assert_eq!(ids(0), ["1", "2", "3"]);
        let since = changes(&b, &[Entity::Invoice], 1_008_000, 100);
        assert_eq!(since[0].1.len(), 3, "invoices 5, 6 and the tombstone of 2");
        let body = response(changes(
            &b,
            &[Entity::Bill, Entity::Invoice],
            1_010_000,
            100,
        ));
        assert_eq!(body[0]["QueryResponse"][0], json!({}));
        assert_eq!(body[0]["QueryResponse"][1]["totalCount"], 2);
    }
}
