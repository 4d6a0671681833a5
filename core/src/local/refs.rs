//! References to other local records: an application writes `"local:<id>"`
//! where the provider's id will stand (an invoice's contact created a moment
//! ago), and export rewrites it once that record has its provider id.

use std::collections::HashMap;

use serde_json::Value;

/// The prefix of a reference to a local record.
pub const LOCAL_REF: &str = "local:";

/// The local ids `value` references, with the path of each, in order.
pub(crate) fn find(value: &Value) -> Vec<(String, i64)> {
    let mut found = Vec::new();
    walk(value, String::new(), &mut found);
    found
}

fn walk(value: &Value, path: String, found: &mut Vec<(String, i64)>) {
    match value {
        Value::String(s) => {
            if let Some(id) = s.strip_prefix(LOCAL_REF).and_then(|n| n.parse().ok()) {
                found.push((path, id));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, format!("{path}[{i}]"), found);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(item, path, found);
            }
        }
        _ => {}
    }
}

/// `value` with every reference replaced by the provider id `ids` gives it;
/// references missing from `ids` are left as they are.
pub(crate) fn rewrite(value: &Value, ids: &HashMap<i64, String>) -> Value {
    match value {
        Value::String(s) => match s.strip_prefix(LOCAL_REF).and_then(|n| n.parse().ok()) {
            Some(id) => ids
                .get(&id)
                .map_or_else(|| value.clone(), |ext| Value::String(ext.clone())),
            None => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(|v| rewrite(v, ids)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), rewrite(v, ids)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_are_found_and_rewritten() {
        let invoice = json!({
            "Contact": {"ContactID": "local:42"},
            "LineItems": [{"ItemCode": "A"}, {"Tracking": [{"Option": "local:7"}]}],
            "Reference": "local:not-a-number",
        });
        assert_eq!(
            find(&invoice),
            [
                ("Contact.ContactID".to_owned(), 42),
                ("LineItems[1].Tracking[0].Option".to_owned(), 7)
            ]
        );
        let ids = HashMap::from([(42, "c-uuid".to_owned())]);
        let out = rewrite(&invoice, &ids);
        assert_eq!(out["Contact"]["ContactID"], "c-uuid");
        assert_eq!(out["LineItems"][1]["Tracking"][0]["Option"], "local:7");
    }
}
