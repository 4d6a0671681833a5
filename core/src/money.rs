//! Money and quantities as exact decimals, the form
//! [`ParsedObject::data`](crate::ParsedObject::data) promises: for
//! `#[serde(with = "tether_core::money")]` (`Decimal`) and
//! `#[serde(default, with = "tether_core::money::option")]`
//! (`Option<Decimal>`) on a connector's schema fields.
//!
//! Reading: a JSON number or a numeric string (Xero sends `"50.00"` in a few
//! places). Without serde_json's `arbitrary_precision` a JSON number reaches us
//! as an `f64`; we convert it through its shortest round-trip decimal text
//! (`0.1` -> `"0.1"` -> `0.1`), never through its binary value. serde_json parses
//! numbers of up to 15 significant digits (and up to 22 decimal places) to the
//! nearest `f64`, and the shortest text of that `f64` is the original digits, so
//! such values - which covers any amount of money (providers send at most two
//! decimals, quantities more) - arrive exact.
//!
//! Writing: a JSON number, since the stored object stays the provider's JSON.
//! Whole values that fit an `i64` are written as integers (`40.00` -> `40`),
//! others as the `f64` nearest to the decimal (`34.50` -> `34.5`), which
//! serde_json prints with its shortest text: exact again up to 15 significant
//! digits. Trailing zeros are not kept (JSON numbers carry no scale).
//!
//! rust_decimal's own `serde::float` module reads the same way, but its errors
//! do not say what was wrong ("a Decimal type representing a fixed-point
//! number") and it writes through `Decimal::to_f64`, which can miss the nearest
//! `f64`; hence this module.

use std::{fmt, str::FromStr};

use rust_decimal::{Decimal, prelude::ToPrimitive};
use serde::{Deserialize, Deserializer, Serializer, de, ser};

/// Deserialises a required decimal (see the module docs).
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    deserializer.deserialize_any(MoneyVisitor)
}

/// Serialises a decimal as a JSON number (see the module docs).
pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    let normal = value.normalize();
    if let (0, Some(i)) = (normal.scale(), normal.to_i64()) {
        return serializer.serialize_i64(i);
    }
    // Rust's float parser is correctly rounded: the nearest f64 to the decimal.
    let f = f64::from_str(&normal.to_string()).map_err(ser::Error::custom)?;
    serializer.serialize_f64(f)
}

/// The same for optional fields; pair with `default` and
/// `skip_serializing_if = "Option::is_none"`. `null` reads as `None`.
pub mod option {
    use super::*;

    /// Deserialises an optional decimal; `null` is `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        Ok(Option::<Money>::deserialize(deserializer)?.map(|m| m.0))
    }

    /// Serialises an optional decimal (`None` as `null`, normally skipped).
    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(d) => super::serialize(d, serializer),
            None => serializer.serialize_none(),
        }
    }
}

/// Lets `Option<_>`'s own deserialiser handle `null`.
struct Money(Decimal);

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize(deserializer).map(Money)
    }
}

struct MoneyVisitor;

impl de::Visitor<'_> for MoneyVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        // `f64`'s Display is its shortest round-trip text, never exponent notation.
        Decimal::from_str(&v.to_string()).map_err(|_| {
            E::custom(format!(
                "expected a decimal number in range, got number {v}"
            ))
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        Decimal::from_str(v)
            .or_else(|_| Decimal::from_scientific(v))
            .map_err(|_| E::custom(format!("expected a decimal number, got string {v:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Debug, Serialize, Deserialize)]
    struct Amounts {
        #[serde(with = "super")]
        required: Decimal,
        #[serde(
            default,
            with = "super::option",
            skip_serializing_if = "Option::is_none"
        )]
        optional: Option<Decimal>,
    }

    fn read(json: &str) -> Result<Amounts, serde_json::Error> {
        serde_json::from_str(json)
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn numbers_arrive_exact() {
        for (json, want) in [
            ("0.1", "0.1"),
            ("1234.5678", "1234.5678"),
            ("148062.76", "148062.76"),
            ("-43.6", "-43.6"),
            ("40.00", "40"),
            ("1.000000", "1"),
            ("46", "46"),
            ("-100", "-100"),
            ("123456789012.345", "123456789012.345"),
            ("0.000001", "0.000001"),
        ] {
            let a = read(&format!(r#"{{"required": {json}}}"#)).unwrap();
            assert_eq!(a.required, d(want), "{json}");
            assert_eq!(a.optional, None);
        }
    }

    #[test]
    fn numeric_strings_are_accepted() {
        let a = read(r#"{"required": "50.00", "optional": "0.1"}"#).unwrap();
        assert_eq!(a.required, d("50.00"));
        assert_eq!(a.optional, Some(d("0.1")));
        assert_eq!(read(r#"{"required": "1e3"}"#).unwrap().required, d("1000"));
    }

    #[test]
    fn null_is_none_and_none_is_skipped() {
        let a = read(r#"{"required": 1, "optional": null}"#).unwrap();
        assert_eq!(a.optional, None);
        assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"required":1}"#);
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        let err = read(r#"{"required": "abc"}"#).unwrap_err().to_string();
        assert!(
            err.starts_with(r#"expected a decimal number, got string "abc""#),
            "{err}"
        );
        let err = read(r#"{"required": 1, "optional": "12,5"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(r#"expected a decimal number, got string "12,5""#),
            "{err}"
        );
        let err = read(r#"{"required": true}"#).unwrap_err().to_string();
        assert!(err.contains("expected a decimal number"), "{err}");
        assert!(read(r#"{"required": null}"#).is_err());
        assert!(read(r#"{"required": 1e300}"#).is_err());
        assert!(
            read(r#"{"optional": 1}"#).is_err(),
            "required stays required"
        );
    }

    #[test]
    fn writes_json_numbers_that_round_trip() {
        let a = Amounts {
            required: d("0.1"),
            optional: Some(d("1234.5678")),
        };
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"required":0.1,"optional":1234.5678}"#
        );
        let a = Amounts {
            required: d("40.00"),
            optional: Some(d("-0.00")),
        };
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"required":40,"optional":0}"#
        );
        // 15 significant digits survive write + read unchanged.
        for s in [
            "123456789012.345",
            "0.333333333333333",
            "-99999999999999.9",
            "34.5",
        ] {
            let a = Amounts {
                required: d(s),
                optional: None,
            };
            let back = read(&serde_json::to_string(&a).unwrap()).unwrap();
            assert_eq!(back.required, d(s), "{s}");
        }
    }
}
