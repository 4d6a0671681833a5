//! Our records against the provider's objects, compared without our own
//! parsing code: dates in any provider's form (Xero's `/Date()/`, ISO 8601
//! with or without an offset) become epoch milliseconds and numbers become
//! `f64`, on both sides, before the trees are compared.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Number, Value};
use tether_core::store::{ConnectionId, RecordQuery, Store, StoredRecord};

use crate::Simulator;

/// `value` with every date as epoch milliseconds and every number as an `f64`.
pub fn canonical(value: &Value) -> Value {
    match value {
        Value::String(s) => date_millis(s).map_or_else(|| value.clone(), Value::from),
        Value::Number(n) => n
            .as_f64()
            .and_then(Number::from_f64)
            .map_or_else(|| value.clone(), Value::Number),
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        // Xero's `null` and an absent field mean the same; normalisation drops nulls.
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), canonical(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn date_millis(s: &str) -> Option<i64> {
    if let Some(inner) = s.strip_prefix("/Date(").and_then(|r| r.strip_suffix(")/")) {
        let digits_end = inner[1..].find(['+', '-']).map_or(inner.len(), |i| i + 1);
        return inner[..digits_end].parse().ok();
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc().timestamp_millis());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
}

/// Every record of a kind, deleted ones included, by external id (by
/// `local:<id>` for a record not exported yet).
pub async fn stored_records(
    store: &dyn Store,
    connection: ConnectionId,
    kind: &str,
) -> BTreeMap<String, StoredRecord> {
    let mut out = BTreeMap::new();
    let mut after_id = 0;
    loop {
        let batch = store
            .records(&RecordQuery {
                connection,
                kind: kind.to_owned(),
                after_id,
                limit: 5000,
                include_deleted: true,
            })
            .await
            .expect("read records");
        let Some(last) = batch.last() else { break };
        after_id = last.id;
        for record in batch {
            let id = record
                .external_id
                .clone()
                .unwrap_or_else(|| format!("local:{}", record.id));
            assert!(
                out.insert(id.clone(), record).is_none(),
                "{kind} {id} stored twice"
            );
        }
    }
    out
}

/// Asserts that our records of `kinds` equal the simulator's objects: the same
/// ids, the same content, and deletions exactly where the status says so.
/// Returns the number of objects compared.
pub async fn assert_store_matches_provider<S: Simulator>(
    store: &dyn Store,
    connection: ConnectionId,
    sim: &S,
    kinds: &[&str],
) -> usize {
    assert_store_matches_provider_except(store, connection, sim, kinds, &[]).await
}

/// Fields Xero changes without touching `UpdatedDateUTC` (documented): only
/// a full pull sees them, so a comparison after a resync of changes leaves
/// them out.
pub const SILENT_FIELDS: &[(&str, &str)] = &[
    ("contacts", "IsCustomer"),
    ("contacts", "IsSupplier"),
    ("invoices", "DueDate"),
    ("invoices", "SentToContact"),
];

/// Like [`assert_store_matches_provider`], leaving `ignore`'s (kind, field)s
/// out of the content compared.
pub async fn assert_store_matches_provider_except<S: Simulator>(
    store: &dyn Store,
    connection: ConnectionId,
    sim: &S,
    kinds: &[&str],
    ignore: &[(&str, &str)],
) -> usize {
    let without = |kind: &str, value: &Value| {
        let mut value = canonical(value);
        if let Value::Object(map) = &mut value {
            for (k, field) in ignore {
                if *k == kind {
                    map.remove(*field);
                }
            }
        }
        value
    };
    let mut compared = 0;
    for kind in kinds {
        let id_field = S::id_field(kind);
        let provider: BTreeMap<String, Value> = sim
            .snapshot(kind)
            .into_iter()
            .map(|o| {
                let id = o[id_field]
                    .as_str()
                    .expect("provider object has an id")
                    .to_owned();
                (id, o)
            })
            .collect();
        let ours = stored_records(store, connection, kind).await;
        let live_ours: Vec<&String> = ours
            .iter()
            .filter(|(id, r)| r.deleted_at.is_none() || provider.contains_key(*id))
            .map(|(id, _)| id)
            .collect();
        let provider_ids: Vec<&String> = provider.keys().collect();
        assert_eq!(
            live_ours, provider_ids,
            "{kind}: our ids differ from the provider's"
        );
        for (id, object) in &provider {
            let record = &ours[id];
            assert_eq!(
                without(kind, &record.data),
                without(kind, object),
                "{kind} {id}: stored content differs from the provider's"
            );
            assert_eq!(
                record.deleted_at.is_some(),
                S::shows_deleted(kind, object),
                "{kind} {id}: deleted_at is {:?}, the provider shows {object}",
                record.deleted_at
            );
            compared += 1;
        }
        for (id, record) in &ours {
            if !provider.contains_key(id) {
                assert!(
                    record.deleted_at.is_some(),
                    "{kind} {id} is gone at the provider but live here"
                );
            }
        }
    }
    compared
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_in_every_form_agree() {
        let ms = 1_573_755_038_314_i64;
        assert_eq!(canonical(&json!("/Date(1573755038314+0000)/")), json!(ms));
        assert_eq!(canonical(&json!("/Date(1573755038314)/")), json!(ms));
        assert_eq!(canonical(&json!("2019-11-14T18:10:38.314Z")), json!(ms));
        assert_eq!(canonical(&json!("2019-11-14T18:10:38.314")), json!(ms));
        assert_eq!(
            canonical(&json!("/Date(-631152000000+0000)/")),
            json!(-631_152_000_000_i64)
        );
        assert_eq!(canonical(&json!("INV-0001")), json!("INV-0001"));
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(canonical(&json!(1000)), canonical(&json!(1000.0)));
        assert_ne!(canonical(&json!(1000.01)), canonical(&json!(1000.0)));
    }
}
