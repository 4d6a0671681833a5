//! Reading a local object as its kind's type before it has provider ids:
//! the usual [`ObjectWriter::check`](crate::ObjectWriter::check), so each
//! connector's writer does not spell out the placeholder rules again.

use serde_json::Value;
use serde_json::value::RawValue;

use super::LOCAL_REF;
use crate::{ObjectKind, ParseError};

/// Checks `object` against `kind`'s typed schema (its own `parse`), as a
/// writer's `check` must: every `local:<id>` reference, and the object's
/// own id in `id_field` when it has none yet, stand as `placeholder_id` (a
/// value of the provider's id type), so what export will complete still
/// reads as its type. The error names the field, and no id.
pub fn check_typed(
    kind: &dyn ObjectKind,
    object: &Value,
    id_field: &str,
    placeholder_id: &str,
) -> Result<(), ParseError> {
    let mut candidate = with_placeholders(object, placeholder_id);
    if let Value::Object(map) = &mut candidate {
        map.entry(id_field)
            .or_insert_with(|| Value::from(placeholder_id));
    }
    let raw = RawValue::from_string(candidate.to_string()).map_err(|e| ParseError {
        kind: kind.name().to_owned(),
        external_id: None,
        field: "(object)".to_owned(),
        problem: e.to_string(),
    })?;
    kind.parse(&raw).map(|_| ()).map_err(|e| ParseError {
        external_id: None,
        ..e
    })
}

/// `value` with every `local:<id>` reference replaced by `placeholder_id`.
fn with_placeholders(value: &Value, placeholder_id: &str) -> Value {
    match value {
        Value::String(s) if s.starts_with(LOCAL_REF) => Value::from(placeholder_id),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| with_placeholders(v, placeholder_id))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), with_placeholders(v, placeholder_id)))
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
    fn local_references_read_as_ids() {
        let v = with_placeholders(
            &json!({"Contact": {"ContactID": "local:4"}, "Lines": ["local:x"], "N": "local"}),
            "0",
        );
        assert_eq!(v["Contact"]["ContactID"], "0");
        assert_eq!(v["Lines"][0], "0");
        assert_eq!(v["N"], "local");
    }
}
