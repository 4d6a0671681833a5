//! Xero's dates. The Accounting API writes most of them in Microsoft's
//! legacy JSON form (`/Date(1573755038314+0000)/`), a few as ISO 8601 without
//! a zone (`2019-11-14T00:00:00`); we read every form and always write RFC 3339
//! UTC, so stored objects compare and sort the same whatever Xero sent.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tether_core::time;

/// An instant as Xero sends it, normalised to UTC; serialises as RFC 3339
/// (`2019-11-14T18:10:38.313Z`, no fraction when it is zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct XeroDateTime(pub(crate) DateTime<Utc>);

impl XeroDateTime {
    /// Reads any form Xero sends; `None` when `s` is none of them.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        parse_ms_date(s).or_else(|| parse_iso(s)).map(Self)
    }

    /// The RFC 3339 UTC text we store and send.
    pub(crate) fn to_rfc3339(self) -> String {
        time::to_stored(self.0)
    }
}

impl From<DateTime<Utc>> for XeroDateTime {
    fn from(t: DateTime<Utc>) -> Self {
        Self(t)
    }
}

impl From<XeroDateTime> for DateTime<Utc> {
    fn from(t: XeroDateTime) -> Self {
        t.0
    }
}

impl fmt::Display for XeroDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// `/Date(ms)/` or `/Date(ms+hhmm)/`, `ms` possibly negative.
/// Microsoft's format: the milliseconds are already UTC; the offset only says
/// the value was "local" on the sender's side and is ignored (as .NET does).
fn parse_ms_date(s: &str) -> Option<DateTime<Utc>> {
    let inner = s.strip_prefix("/Date(")?.strip_suffix(")/")?;
    // The offset sign is the first '+' or '-' after the (possibly signed) start.
    let split = inner
        .char_indices()
        .skip(1)
        .find(|&(_, c)| c == '+' || c == '-')
        .map(|(i, _)| i);
    let (ms, offset) = match split {
        Some(i) => (&inner[..i], Some(&inner[i + 1..])),
        None => (inner, None),
    };
    if offset.is_some_and(|o| o.len() != 4 || !o.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let digits = ms.strip_prefix('-').unwrap_or(ms);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    DateTime::from_timestamp_millis(ms.parse().ok()?)
}

/// ISO 8601: with a zone (`Z`, `+13:00`, `+1300`) it is converted to UTC;
/// without one (Xero's `DateString`s) it is taken as UTC; a bare date is midnight UTC.
fn parse_iso(s: &str) -> Option<DateTime<Utc>> {
    if let Some(t) = time::parse_with_offset(s) {
        return Some(t);
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc());
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

impl Serialize for XeroDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for XeroDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let expected = "a Xero date like /Date(1573755038314+0000)/ or 2019-11-14T00:00:00";
        time::deserialize_with(deserializer, expected, XeroDateTime::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<XeroDateTime, serde_json::Error> {
        serde_json::from_str(json)
    }

    fn rfc(json: &str) -> String {
        parse(json).unwrap().to_rfc3339()
    }

    #[test]
    fn reads_microsoft_dates() {
        assert_eq!(
            rfc(r#""/Date(1573755038314+0000)/""#),
            "2019-11-14T18:10:38.314Z"
        );
        assert_eq!(
            rfc(r#""/Date(1573755038314)/""#),
            "2019-11-14T18:10:38.314Z"
        );
        // JSON may escape the slashes, as .NET does.
        assert_eq!(
            rfc(r#""\/Date(1573689600000+0000)\/""#),
            "2019-11-14T00:00:00Z"
        );
        assert_eq!(
            rfc(r#""/Date(-631152000000+0000)/""#),
            "1950-01-01T00:00:00Z"
        );
        assert_eq!(rfc(r#""/Date(-631152000000)/""#), "1950-01-01T00:00:00Z");
        assert_eq!(rfc(r#""/Date(0)/""#), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn microsoft_offset_is_informational() {
        // The ms are UTC whatever the offset says: same instant for +1300 and -0800.
        assert_eq!(
            rfc(r#""/Date(1573755038314+1300)/""#),
            "2019-11-14T18:10:38.314Z"
        );
        assert_eq!(
            rfc(r#""/Date(1573755038314-0800)/""#),
            "2019-11-14T18:10:38.314Z"
        );
    }

    #[test]
    fn reads_iso_forms() {
        assert_eq!(rfc(r#""2019-11-14T00:00:00""#), "2019-11-14T00:00:00Z");
        assert_eq!(
            rfc(r#""2019-11-14T18:10:38.313""#),
            "2019-11-14T18:10:38.313Z"
        );
        assert_eq!(
            rfc(r#""2017-08-14T01:18:26.74""#),
            "2017-08-14T01:18:26.740Z"
        );
        assert_eq!(rfc(r#""2018-11-02T16:31:30Z""#), "2018-11-02T16:31:30Z");
        assert_eq!(
            rfc(r#""2019-11-15T07:10:38+13:00""#),
            "2019-11-14T18:10:38Z"
        );
        assert_eq!(
            rfc(r#""2019-11-15T07:10:38.5+1300""#),
            "2019-11-14T18:10:38.500Z"
        );
        assert_eq!(rfc(r#""2019-11-14""#), "2019-11-14T00:00:00Z");
    }

    #[test]
    fn serialises_as_rfc3339_utc() {
        let t = parse(r#""/Date(1573755038313+0000)/""#).unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#""2019-11-14T18:10:38.313Z""#
        );
        // Our own output reads back to the same instant.
        assert_eq!(parse(&serde_json::to_string(&t).unwrap()).unwrap(), t);
        let midnight = parse(r#""/Date(1573689600000+0000)/""#).unwrap();
        assert_eq!(
            serde_json::to_value(midnight).unwrap(),
            "2019-11-14T00:00:00Z"
        );
    }

    #[test]
    fn rejects_garbage_with_a_clear_message() {
        let err = parse(r#""banana""#).unwrap_err().to_string();
        assert!(
            err.starts_with(
                r#"expected a Xero date like /Date(1573755038314+0000)/ or 2019-11-14T00:00:00, got "banana""#
            ),
            "{err}"
        );
        for bad in [
            r#""/Date()/""#,
            r#""/Date(12a)/""#,
            r#""/Date(123+00)/""#,
            r#""/Date(123+0000""#,
            r#""/Date(+123)/""#,
            r#""/Date(-)/""#,
            r#""2019-13-01""#,
            r#""2019-11-14T25:00:00""#,
            r#""""#,
        ] {
            assert!(parse(bad).is_err(), "{bad} should be rejected");
        }
        let err = parse("1573755038314").unwrap_err().to_string();
        assert!(err.contains("expected a Xero date like"), "{err}");
    }
}
