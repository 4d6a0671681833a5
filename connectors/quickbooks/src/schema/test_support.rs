//! Helpers shared by the schema tests; fixtures are shaped as Intuit's
//! entity reference examples (docs.md, "Kinds").

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// An exact decimal from its text.
pub(crate) fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal literal")
}

/// [`tether_core::round_trip::check`]: the made-up field survives and a
/// second pass changes nothing. Returns the normalised JSON.
pub(crate) fn round_trip<T: DeserializeOwned + Serialize>(object: Value) -> Value {
    tether_core::round_trip::check::<T>(object).unwrap_or_else(|e| panic!("{e}"))
}

/// The path and message of the error reading `object` as a `T`.
pub(crate) fn error_at<T: DeserializeOwned>(object: Value) -> (String, String) {
    let err = serde_path_to_error::deserialize::<_, T>(object)
        .err()
        .expect("must not parse");
    (err.path().to_string(), err.inner().to_string())
}
