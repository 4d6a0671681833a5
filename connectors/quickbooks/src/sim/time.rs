//! QuickBooks' time stamps: ISO 8601 with the company's offset. The
//! simulated companies keep Pacific standard time (`-08:00`), as Intuit's
//! sandbox companies do. `MetaData` times have whole seconds, the answers'
//! `"time"` field milliseconds, as Intuit's examples show.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone as _};

/// Milliseconds in a day.
pub(crate) const DAY_MS: i64 = 86_400_000;

fn pacific() -> FixedOffset {
    FixedOffset::west_opt(8 * 3600).expect("a valid offset")
}

fn at(ms: i64) -> DateTime<FixedOffset> {
    pacific()
        .timestamp_millis_opt(ms)
        .single()
        .unwrap_or_else(|| pacific().timestamp_millis_opt(0).unwrap())
}

/// A `MetaData` time: `2026-11-30T04:12:09-08:00`.
pub(crate) fn meta(ms: i64) -> String {
    at(ms).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// An answer's `"time"`: `2026-11-30T04:12:09.123-08:00`.
pub(crate) fn stamp(ms: i64) -> String {
    at(ms).format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
}

/// A transaction date (`TxnDate`, `DueDate`) in the company's time zone.
pub(crate) fn date(ms: i64) -> String {
    at(ms).format("%Y-%m-%d").to_string()
}

/// `ms` rounded down to whole seconds, the resolution `MetaData` keeps.
pub(crate) fn whole_seconds(ms: i64) -> i64 {
    ms - ms.rem_euclid(1000)
}

/// The instant a query or `changedSince` names: RFC 3339 with any offset
/// (`Z` too), or a bare date (midnight in the company's zone).
pub(crate) fn parse_instant(s: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%:z") {
        return Some(t.timestamp_millis());
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let t = pacific()
        .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .single()?;
    Some(t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_pacific_and_parses_back() {
        let ms = 1_796_011_929_123; // 2026-11-30T04:12:09.123Z
        assert_eq!(meta(ms), "2026-11-29T20:12:09-08:00");
        assert_eq!(stamp(ms), "2026-11-29T20:12:09.123-08:00");
        assert_eq!(date(ms), "2026-11-29");
        assert_eq!(parse_instant(&meta(ms)), Some(whole_seconds(ms)));
        assert_eq!(parse_instant("2026-11-30T04:12:09.123Z"), Some(ms));
        assert_eq!(
            parse_instant("2026-11-30"),
            parse_instant("2026-11-30T00:00:00-08:00")
        );
        assert_eq!(parse_instant("yesterday"), None);
    }
}
