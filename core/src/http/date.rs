//! The provider's clock, read from its `Date` header: cursors come from it,
//! never from ours.

use reqwest::header::{DATE, HeaderMap};

use crate::Timestamp;

/// The time in a response's `Date` header (RFC 7231 IMF-fixdate), if any.
pub fn provider_time(headers: &HeaderMap) -> Option<Timestamp> {
    let text = headers.get(DATE)?.to_str().ok()?;
    chrono::DateTime::parse_from_rfc2822(text)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn reads_imf_fixdate() {
        let mut headers = HeaderMap::new();
        headers.insert(DATE, "Tue, 24 Nov 2026 23:23:04 GMT".parse().unwrap());
        let expected = chrono::Utc
            .with_ymd_and_hms(2026, 11, 24, 23, 23, 4)
            .unwrap();
        assert_eq!(provider_time(&headers), Some(expected));
    }

    #[test]
    fn missing_or_garbled_is_none() {
        let mut headers = HeaderMap::new();
        assert_eq!(provider_time(&headers), None);
        headers.insert(DATE, "yesterday".parse().unwrap());
        assert_eq!(provider_time(&headers), None);
    }
}
