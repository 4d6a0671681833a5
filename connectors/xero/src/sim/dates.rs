//! Xero's date formats: `/Date(1573755038314+0000)/` (MS-JSON), zone-less
//! `DateString`s, and the forms accepted in requests and `If-Modified-Since`.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};

pub(crate) use tether_sim_kit::clock::now_ms;

/// `/Date(ms+0000)/`, as Xero writes object dates and `UpdatedDateUTC`.
pub(crate) fn xero_date(ms: i64) -> String {
    format!("/Date({ms}+0000)/")
}

/// `/Date(ms)/`, as Xero writes the envelope's `DateTimeUTC`.
pub(crate) fn xero_date_plain(ms: i64) -> String {
    format!("/Date({ms})/")
}

/// `2019-03-11T00:00:00`, the zone-less `DateString` of a day.
pub(crate) fn date_string(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        // Field by field: strftime parsing is slow for a million invoices.
        Some(dt) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        ),
        None => String::from("0001-01-01T00:00:00"),
    }
}

/// Midnight UTC of the day containing `ms`.
pub(crate) fn day_start(ms: i64) -> i64 {
    ms.div_euclid(86_400_000) * 86_400_000
}

/// Parses `/Date(1573755038314+0000)/` or `/Date(1573755038314)/`.
pub(crate) fn parse_xero_date(s: &str) -> Option<i64> {
    let inner = s.trim().strip_prefix("/Date(")?.strip_suffix(")/")?;
    let end = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map(|(p, _)| p)
        .unwrap_or(inner.len());
    let ms: i64 = inner.get(..end)?.parse().ok()?;
    let zone = inner.get(end..)?;
    if zone.is_empty() {
        return Some(ms);
    }
    // The offset only says in which zone the instant is shown; ms is UTC.
    let digits = zone.get(1..)?;
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(ms)
}

/// A date sent in a request body (`Date`, `DueDate`): `YYYY-MM-DD`,
/// `YYYY-MM-DDTHH:MM:SS[.fff][Z|±hh:mm]` or `/Date(..)/`. Returns the day's
/// midnight UTC in ms, as Xero stores dates without time.
pub(crate) fn parse_request_date(s: &str) -> Option<i64> {
    parse_instant(s).map(day_start)
}

/// An instant given as ISO 8601 (with or without zone; no zone = UTC),
/// RFC 1123 / RFC 2822 HTTP-date, a plain date, or `/Date(..)/`.
pub(crate) fn parse_instant(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.starts_with("/Date(") {
        return parse_xero_date(s);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp_millis());
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Some(dt.timestamp_millis());
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(naive.and_utc().timestamp_millis());
        }
    }
    if let Ok(dt) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(dt.timestamp_millis());
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|n| n.and_utc().timestamp_millis());
    }
    None
}

/// The instant an `If-Modified-Since` header names, as Xero reads it: a UTC
/// time to whole seconds. Xero documents the filter as "accurate to the
/// second" (developer.xero.com/documentation/api/requests-and-responses) and
/// its format as `yyyy-mm-ddThh:mm:ss`, so a fraction sent by a client (the
/// spec's own example is `2020-02-06T12:17:43.202-08:00`) is dropped, not
/// rounded up.
pub(crate) fn parse_if_modified_since(s: &str) -> Option<i64> {
    parse_instant(s).map(|ms| ms.div_euclid(1000) * 1000)
}

/// `04/09/2023 05:16:59`, the form of the expiry in Xero's `TokenExpired` detail.
pub(crate) fn us_datetime(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(dt) => dt.format("%m/%d/%Y %H:%M:%S").to_string(),
        None => String::new(),
    }
}

/// `2019-12-07T18:46:19.5165400`, the identity API's `createdDateUtc` form.
pub(crate) fn identity_datetime(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(dt) => format!("{}0000", dt.format("%Y-%m-%dT%H:%M:%S%.3f")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_ms_json_dates() {
        assert_eq!(xero_date(1573755038314), "/Date(1573755038314+0000)/");
        assert_eq!(xero_date_plain(1552326816230), "/Date(1552326816230)/");
        assert_eq!(date_string(1539993600000), "2018-10-20T00:00:00");
    }

    #[test]
    fn parses_ms_json_dates() {
        assert_eq!(
            parse_xero_date("/Date(1573755038314+0000)/"),
            Some(1573755038314)
        );
        assert_eq!(
            parse_xero_date("/Date(1552326816230)/"),
            Some(1552326816230)
        );
        assert_eq!(parse_xero_date("/Date(-1000+0000)/"), Some(-1000));
        assert_eq!(parse_xero_date("/Date(abc)/"), None);
        assert_eq!(parse_xero_date("2019-01-01"), None);
    }

    #[test]
    fn parses_if_modified_since_forms() {
        let want = 1_580_991_463_000; // 2020-02-06T12:17:43Z
        assert_eq!(parse_instant("Thu, 06 Feb 2020 12:17:43 GMT"), Some(want));
        assert_eq!(parse_instant("2020-02-06T12:17:43Z"), Some(want));
        assert_eq!(parse_instant("2020-02-06T12:17:43"), Some(want));
        assert_eq!(parse_instant("2020-02-06T04:17:43-08:00"), Some(want));
        assert_eq!(
            parse_instant("2020-02-06T12:17:43.202-08:00"),
            Some(want + 8 * 3_600_000 + 202)
        );
        assert_eq!(parse_instant("2020-02-06"), Some(1_580_947_200_000));
        assert_eq!(parse_instant("yesterday"), None);
    }

    #[test]
    fn if_modified_since_is_read_to_whole_seconds() {
        let noon = 1_795_953_600_000; // 2026-11-29T12:00:00Z
        assert_eq!(parse_if_modified_since("2026-11-29T12:00:00"), Some(noon));
        assert_eq!(
            parse_if_modified_since("2026-11-29T12:00:00.999"),
            Some(noon)
        );
        assert_eq!(
            parse_if_modified_since("2026-11-29T04:00:00.500-08:00"),
            Some(noon)
        );
        assert_eq!(
            parse_if_modified_since("Sun, 29 Nov 2026 12:00:00 GMT"),
            Some(noon)
        );
        assert_eq!(
            parse_if_modified_since("1969-12-31T23:59:59.5"),
            Some(-1000)
        );
        assert_eq!(parse_if_modified_since("soon"), None);
    }

    #[test]
    fn request_dates_are_days() {
        assert_eq!(parse_request_date("2019-03-11"), Some(1552262400000));
        assert_eq!(
            parse_request_date("2019-03-11T15:00:00"),
            Some(1552262400000)
        );
        assert_eq!(
            parse_request_date("/Date(1552262400000+0000)/"),
            Some(1552262400000)
        );
    }

    #[test]
    fn other_forms() {
        assert_eq!(us_datetime(1681017419000), "04/09/2023 05:16:59");
        assert_eq!(
            identity_datetime(1575744379516),
            "2019-12-07T18:46:19.5160000"
        );
    }
}
