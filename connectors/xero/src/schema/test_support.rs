//! Helpers shared by the schema tests. The fixtures in `testdata/` are the
//! example responses of Xero's OpenAPI spec (16.1.0), converted from YAML to
//! JSON with every number and string kept as written.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::XeroObject;

/// Parses `response[key]` (e.g. `Invoices`) of a spec example response; a
/// failure names the JSON path of the offending field.
pub(crate) fn fixture<T: DeserializeOwned>(response: &str, key: &str) -> Vec<T> {
    let value: Value = serde_json::from_str(response).expect("fixture is JSON");
    let list = value.get(key).cloned().expect("fixture has the collection");
    serde_path_to_error::deserialize(list).unwrap_or_else(|e| panic!("{key}: {e}"))
}

/// The `index`th object of `response[key]`, untyped.
pub(crate) fn raw(response: &str, key: &str, index: usize) -> Value {
    let value: Value = serde_json::from_str(response).expect("fixture is JSON");
    value[key][index].clone()
}

/// An exact decimal from its text.
pub(crate) fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal literal")
}

/// A UTC instant from RFC 3339 text.
pub(crate) fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("RFC 3339 literal")
        .to_utc()
}

/// [`tether_core::round_trip::check`]: the made-up field survives and a
/// second pass changes nothing. Returns the normalised JSON.
pub(crate) fn round_trip<T: XeroObject>(object: Value) -> Value {
    tether_core::round_trip::check::<T>(object).unwrap_or_else(|e| panic!("{e}"))
}

/// Removing the id field makes parsing fail, naming the field.
pub(crate) fn assert_id_required<T: XeroObject + std::fmt::Debug>(mut object: Value) {
    object
        .as_object_mut()
        .unwrap()
        .remove(T::ID_FIELD)
        .expect("id present");
    let err = serde_json::from_value::<T>(object).unwrap_err().to_string();
    assert!(
        err.contains(&format!("missing field `{}`", T::ID_FIELD)),
        "{err}"
    );
}
