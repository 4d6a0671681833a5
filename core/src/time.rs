//! Provider instants as Tether stores them: RFC 3339 in UTC, whatever zone
//! or form the provider wrote, so stored objects compare and sort the same
//! (the form [`ParsedObject::data`](crate::ParsedObject::data) promises). A
//! connector's instant type reads its provider's forms with these helpers
//! and writes [`to_stored`].

use std::fmt;

use chrono::{DateTime, SecondsFormat};
use serde::{Deserializer, de};

use crate::Timestamp;

/// Reads an ISO 8601 instant that names its offset, as UTC: RFC 3339
/// (`Z`, `-08:00`) or an offset without its colon (`-0800`), which
/// providers also write.
pub fn parse_with_offset(s: &str) -> Option<Timestamp> {
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|t| t.to_utc())
}

/// The stored text of an instant: RFC 3339 UTC with `Z`, a fraction only
/// when it is not zero (`2019-11-14T18:10:38.313Z`, `2019-11-14T00:00:00Z`).
pub fn to_stored(t: Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Deserialises an instant from a JSON string with `parse`; anything else,
/// or a string `parse` refuses, is an error saying `expected` and what came.
pub fn deserialize_with<'de, D, T>(
    deserializer: D,
    expected: &'static str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_str(Visitor { expected, parse })
}

/// Reads a string with a connector's parser.
struct Visitor<T> {
    expected: &'static str,
    parse: fn(&str) -> Option<T>,
}

impl<T> de::Visitor<'_> for Visitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expected)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        (self.parse)(s).ok_or_else(|| E::custom(format!("expected {}, got {s:?}", self.expected)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(s: &str) -> String {
        to_stored(parse_with_offset(s).unwrap())
    }

    #[test]
    fn offsets_become_utc() {
        assert_eq!(stored("2026-11-29T20:12:09-08:00"), "2026-11-30T04:12:09Z");
        assert_eq!(
            stored("2026-11-29T20:12:09.123-08:00"),
            "2026-11-30T04:12:09.123Z"
        );
        assert_eq!(stored("2026-11-30T04:12:09Z"), "2026-11-30T04:12:09Z");
        assert_eq!(stored("2026-11-29T20:12:09-0800"), "2026-11-30T04:12:09Z");
        assert_eq!(
            stored("2019-11-15T07:10:38.5+1300"),
            "2019-11-14T18:10:38.500Z"
        );
    }

    #[test]
    fn zoneless_and_garbage_are_refused() {
        for bad in ["soon", "2026-11-30", "2026-11-30T04:12:09", ""] {
            assert_eq!(parse_with_offset(bad), None, "{bad}");
        }
    }

    #[test]
    fn refusals_say_what_was_expected() {
        let read = |json: &str| {
            let mut de = serde_json::Deserializer::from_str(json);
            deserialize_with(&mut de, "an instant", parse_with_offset)
        };
        assert!(read(r#""2026-11-30T04:12:09Z""#).is_ok());
        let err = read(r#""soon""#).unwrap_err().to_string();
        assert!(
            err.starts_with(r#"expected an instant, got "soon""#),
            "{err}"
        );
        let err = read("12").unwrap_err().to_string();
        assert!(err.contains("expected an instant"), "{err}");
    }
}
