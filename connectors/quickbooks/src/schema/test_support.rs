//! Helpers shared by the schema tests; fixtures are shaped as Intuit's
//! entity reference examples (docs.md, "Kinds").

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// An exact decimal from its text.
pub(crate) fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal literal")
}

/// Parses `object` with a made-up field added, serialises it, and checks
/// the made-up field survives and a second pass changes nothing. Returns
/// the normalised JSON.
pub(crate) fn round_trip<T: DeserializeOwned + Serialize>(mut object: Value) -> Value {
    let made_up = json!({"Nested": [1, "two", {"Three": null}], "Flag": true});
    object["TetherMadeUpField"] = made_up.clone();
    let typed: T = serde_json::from_value(object).expect("parses");
    let out = serde_json::to_value(&typed).expect("serialises");
    assert_eq!(out["TetherMadeUpField"], made_up, "unknown field kept");
    let again: T = serde_json::from_value(out.clone()).expect("normalised form parses");
    assert_eq!(
        serde_json::to_value(&again).unwrap(),
        out,
        "normalising is idempotent"
    );
    out
}

/// The path and message of the error reading `object` as a `T`.
pub(crate) fn error_at<T: DeserializeOwned>(object: Value) -> (String, String) {
    let err = serde_path_to_error::deserialize::<_, T>(object)
        .err()
        .expect("must not parse");
    (err.path().to_string(), err.inner().to_string())
}
