//! QuickBooks' instants: ISO 8601 with the company's offset
//! (`2026-11-30T04:12:09-08:00`, answers' `time` with milliseconds). Read in
//! any offset, kept and written as RFC 3339 UTC so stored objects compare
//! and sort the same whatever zone the company keeps.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tether_core::time;

/// An instant QuickBooks sent, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct QbDateTime(pub(crate) DateTime<Utc>);

/// Reads an ISO 8601 instant with an offset (`Z`, `-08:00`, `-0800`).
pub(crate) fn parse(s: &str) -> Option<DateTime<Utc>> {
    time::parse_with_offset(s)
}

/// An instant as a query or `changedSince` names it: whole seconds, UTC.
/// `MetaData` keeps whole seconds, so rounding down loses nothing that a
/// `>` comparison would have found.
pub(crate) fn query_stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Serialize for QbDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&time::to_stored(self.0))
    }
}

impl<'de> Deserialize<'de> for QbDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let expected = "an ISO 8601 time with offset like 2026-11-30T04:12:09-08:00";
        time::deserialize_with(deserializer, expected, |s| parse(s).map(QbDateTime))
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
        // The forms themselves are tether_core::time's tests.
        assert_eq!(
            rfc(r#""2026-11-29T20:12:09.123-0800""#),
            "2026-11-30T04:12:09.123Z"
        );
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
