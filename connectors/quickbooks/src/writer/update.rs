//! The body of a sparse update, and of a full one where a sparse update
//! cannot say the change (QuickBooks' sparse update keeps what it does not
//! name, replaces a nested object it names, and cannot clear a field).

use serde_json::{Map, Value};

/// The body of an update of `id` on `version`: sparse (`Id`, `SyncToken`,
/// `sparse: true` and the fields that change, nested objects whole as
/// `current` holds them with the change applied); a full update of
/// `current` with the change applied when the change clears a field.
pub(super) fn update_body(
    id: &str,
    version: &str,
    patch: &Value,
    current: Option<&Value>,
) -> Value {
    let mut body = Map::new();
    let clears = patch
        .as_object()
        .is_some_and(|m| m.values().any(Value::is_null));
    match (current, patch) {
        (Some(current), _) if clears => {
            if let Value::Object(whole) = merge(current, patch) {
                body = whole;
            }
            body.insert("sparse".into(), Value::Bool(false));
        }
        (_, Value::Object(fields)) => {
            for (key, value) in fields {
                let value = match (current.and_then(|c| c.get(key)), value) {
                    (Some(now @ Value::Object(_)), Value::Object(_)) => merge(now, value),
                    _ => value.clone(),
                };
                body.insert(key.clone(), value);
            }
            body.insert("sparse".into(), Value::Bool(true));
        }
        _ => {
            body.insert("sparse".into(), Value::Bool(true));
        }
    }
    body.insert("Id".into(), Value::from(id));
    body.insert("SyncToken".into(), Value::from(version));
    Value::Object(body)
}

/// `target` with the JSON merge patch `patch` applied (RFC 7396).
fn merge(target: &Value, patch: &Value) -> Value {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            let mut out = t.clone();
            for (key, value) in p {
                if value.is_null() {
                    out.remove(key);
                } else {
                    let merged = merge(out.get(key).unwrap_or(&Value::Null), value);
                    out.insert(key.clone(), merged);
                }
            }
            Value::Object(out)
        }
        (_, Value::Object(_)) => merge(&Value::Object(Map::new()), patch),
        _ => patch.clone(),
    }
}
