//! The check a connector's schema tests make of each typed object:
//! [`ParsedObject::data`](crate::ParsedObject::data) promises the provider's
//! object with every field kept, normalised once and for all, so a type
//! must keep what it does not type and normalise its own output unchanged.

use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

/// The field [`check`] adds, which no provider sends.
const MADE_UP_FIELD: &str = "TetherMadeUpField";

/// Reads `object` with a made-up field added as a `T` and writes it back;
/// the made-up field must come back as it went in, and reading and writing
/// the output again must change nothing. Returns the normalised JSON, or
/// what went wrong.
pub fn check<T: DeserializeOwned + Serialize>(mut object: Value) -> Result<Value, String> {
    let made_up = json!({"Nested": [1, "two", {"Three": null}], "Flag": true});
    object
        .as_object_mut()
        .ok_or("expected a JSON object")?
        .insert(MADE_UP_FIELD.to_owned(), made_up.clone());
    let normalise = |v: Value| {
        let typed: T = serde_json::from_value(v).map_err(|e| format!("does not parse: {e}"))?;
        serde_json::to_value(&typed).map_err(|e| format!("does not serialise: {e}"))
    };
    let out = normalise(object)?;
    if out.get(MADE_UP_FIELD) != Some(&made_up) {
        return Err(format!("an unknown field was not kept: {out}"));
    }
    let again = normalise(out.clone()).map_err(|e| format!("the normalised form {e}"))?;
    if again != out {
        return Err(format!(
            "normalising again changed it:\n{out}\nbecame\n{again}"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::Map;

    #[derive(Serialize, Deserialize)]
    struct Keeps {
        id: String,
        #[serde(flatten)]
        extra: Map<String, Value>,
    }

    #[derive(Serialize, Deserialize)]
    struct Drops {
        id: String,
    }

    #[test]
    fn a_type_that_keeps_unknown_fields_passes() {
        let out = check::<Keeps>(json!({"id": "1", "Other": 2})).unwrap();
        assert_eq!(out["Other"], 2);
        assert_eq!(out[MADE_UP_FIELD]["Flag"], true);
    }

    #[test]
    fn dropping_or_refusing_fails() {
        let err = check::<Drops>(json!({"id": "1"})).unwrap_err();
        assert!(err.starts_with("an unknown field was not kept"), "{err}");
        let err = check::<Keeps>(json!({"id": 1})).unwrap_err();
        assert!(err.starts_with("does not parse"), "{err}");
        assert!(check::<Keeps>(json!([])).is_err());
    }
}
