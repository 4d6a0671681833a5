//! QuickBooks' instants: ISO 8601 with the company's offset
//! (`2026-11-30T04:12:09-08:00`, answers' `time` with milliseconds). Read in
//! any offset, kept and written as RFC 3339 UTC so stored objects compare
//! and sort the same whatever zone the company keeps.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// An instant QuickBooks sent, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct QbDateTime(pub(crate) DateTime<Utc>);

/// Reads an ISO 8601 instant with an offset (`Z`, `-08:00`, `-0800`).
pub(crate) fn parse(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|t| t.to_utc())
}

/// An instant as a query or `changedSince` names it: whole seconds, UTC.
/// `MetaData` keeps whole seconds, so rounding down loses nothing that a
/// `>` comparison would have found.
pub(crate) fn query_stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Serialize for QbDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

const EXPECTED: &str = "an ISO 8601 time with offset like 2026-11-30T04:12:09-08:00";

struct Visitor;

impl de::Visitor<'_> for Visitor {
    type Value = QbDateTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<QbDateTime, E> {
        parse(s)
            .map(QbDateTime)
            .ok_or_else(|| E::custom(format!("expected {EXPECTED}, got {s:?}")))
    }
}

impl<'de> Deserialize<'de> for QbDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc(json: &str) -> String {
        serde_json::to_value(serde_json::from_str::<QbDateTime>(json).unwrap())
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn offsets_become_utc() {
        assert_eq!(
            rfc(r#""2026-11-29T20:12:09-08:00""#),
            "2026-11-30T04:12:09Z"
        );
        assert_eq!(
            rfc(r#""2026-11-29T20:12:09.123-08:00""#),
            "2026-11-30T04:12:09.123Z"
        );
        assert_eq!(rfc(r#""2026-11-30T04:12:09Z""#), "2026-11-30T04:12:09Z");
        assert_eq!(rfc(r#""2026-11-29T20:12:09-0800""#), "2026-11-30T04:12:09Z");
    }

    #[test]
    fn garbage_and_zoneless_times_are_refused() {
        for bad in [
            r#""soon""#,
            r#""2026-11-30""#,
            r#""2026-11-30T04:12:09""#,
            "12",
        ] {
            let err = serde_json::from_str::<QbDateTime>(bad)
                .unwrap_err()
                .to_string();
            assert!(err.contains("ISO 8601"), "{bad}: {err}");
        }
    }

    #[test]
    fn query_stamps_are_whole_seconds_utc() {
        let t = parse("2026-11-29T20:12:09.987-08:00").unwrap();
        assert_eq!(query_stamp(t), "2026-11-30T04:12:09Z");
    }
}
