//! JSON merge patches (RFC 7396): applying one is the `json-patch` crate's;
//! composing two (several edits before one export) and taking the patch
//! between two objects (what a record's edit changes) are small enough here.

use serde_json::{Map, Value};

/// `target` with `patch` applied.
pub(crate) fn apply(target: &Value, patch: &Value) -> Value {
    let mut out = target.clone();
    json_patch::merge(&mut out, patch);
    out
}

/// One patch doing what `first` then `second` do. A `null` in either stays
/// a `null` (it removes the field when applied).
pub(crate) fn compose(first: &Value, second: &Value) -> Value {
    match (first, second) {
        (Value::Object(a), Value::Object(b)) => {
            let mut out = a.clone();
            for (key, value) in b {
                let merged = match (out.get(key), value) {
                    (Some(old @ Value::Object(_)), Value::Object(_)) => compose(old, value),
                    _ => value.clone(),
                };
                out.insert(key.clone(), merged);
            }
            Value::Object(out)
        }
        _ => second.clone(),
    }
}

/// The patch that turns `from` into `to` (arrays are replaced whole, as a
/// merge patch replaces them).
pub(crate) fn diff(from: &Value, to: &Value) -> Value {
    match (from, to) {
        (Value::Object(a), Value::Object(b)) => {
            let mut out = Map::new();
            for (key, new) in b {
                match a.get(key) {
                    Some(old) if old == new => {}
                    Some(old @ Value::Object(_)) if new.is_object() => {
                        out.insert(key.clone(), diff(old, new));
                    }
                    _ => {
                        out.insert(key.clone(), new.clone());
                    }
                }
            }
            for key in a.keys().filter(|k| !b.contains_key(*k)) {
                out.insert(key.clone(), Value::Null);
            }
            Value::Object(out)
        }
        _ => to.clone(),
    }
}

/// The top-level fields a patch touches.
pub(crate) fn fields(patch: &Value) -> Vec<&str> {
    patch
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn composed_patches_do_what_both_do() {
        let base = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1, 2]});
        let first = json!({"a": 5, "b": {"c": null}});
        let second = json!({"b": {"d": 4}, "e": [3], "f": null});
        let both = compose(&first, &second);
        assert_eq!(apply(&apply(&base, &first), &second), apply(&base, &both));
        assert_eq!(both["b"]["c"], Value::Null, "a removal is kept");
    }

    #[test]
    fn a_diff_applied_gives_the_target() {
        let from = json!({"a": 1, "b": {"c": 2, "d": 3}, "gone": true, "list": [1]});
        let to = json!({"a": 1, "b": {"c": 2, "d": 4}, "list": [1, 2], "new": "x"});
        let patch = diff(&from, &to);
        assert_eq!(
            patch,
            json!({"b": {"d": 4}, "gone": null, "list": [1, 2], "new": "x"})
        );
        assert_eq!(apply(&from, &patch), to);
        assert_eq!(diff(&to, &to), json!({}));
    }
}
