//! The parse hook: a raw Xero object into a normalised record, or an error
//! naming the kind, the object's id and the offending field.

use serde_json::value::RawValue;
use tether_core::{ParseError, ParsedObject};

use crate::kinds::Collection;
use crate::schema::XeroObject;

/// Parses one object of `collection` as a `T`.
pub(crate) fn parse<T: XeroObject>(
    collection: &Collection,
    raw: &RawValue,
) -> Result<ParsedObject, ParseError> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    let object: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let field = match e.path().to_string() {
            path if path == "." => T::ID_FIELD.to_owned(),
            path => path,
        };
        ParseError {
            kind: collection.kind.to_owned(),
            external_id: lenient_id(raw, T::ID_FIELD),
            field,
            problem: e.into_inner().to_string(),
        }
    })?;
    let data = serde_json::to_string(&object).map_err(|e| ParseError {
        kind: collection.kind.to_owned(),
        external_id: Some(object.external_id()),
        field: "(object)".to_owned(),
        problem: format!("cannot normalise: {e}"),
    })?;
    let updated = object.updated_at();
    Ok(ParsedObject {
        external_id: object.external_id(),
        remote_updated_at: updated,
        // Xero has no version field: `UpdatedDateUTC` (to the millisecond) is
        // the only way to tell that an object changed.
        version: updated.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        deleted: collection.deletion.is_deleted(object.status()),
        data,
    })
}

/// The id of an object that failed to parse, if it can be read at all.
fn lenient_id(raw: &RawValue, field: &str) -> Option<String> {
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(raw.get()).ok()?;
    map.get(field)?.as_str().map(str::to_owned)
}
