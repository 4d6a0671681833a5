//! The knobs every simulator shares: the faults a test switches on, and the
//! shape of a provider's rate limits (each provider fills in its numbers).

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Faults injected into API requests (not into `/_sim` or auth endpoints,
/// except `lose_token_answers`); settable at start, via `POST
/// /_sim/faults`, and via the handle. Tests use it to show a connector
/// survives the failures real providers have.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SimFaults {
    /// Added delay of every API request, in milliseconds.
    pub latency_ms: u64,
    /// Fraction (0..=1) of API requests answered 500 or 503 without running them.
    pub error_rate: f64,
    /// Fraction of API requests whose connection is closed without a response
    /// (after the request ran: the response is lost, as in a network failure).
    pub drop_rate: f64,
    /// Fraction of API requests answered 200 with a truncated JSON body.
    pub malformed_rate: f64,
    /// Forces the next requests to be throttled.
    pub force_429: Option<Force429>,
    /// The next N write requests are applied, their idempotency key stored,
    /// and then the connection is closed without a response: a network
    /// failure after the provider committed. Counts down per request.
    pub lose_write_answers: u32,
    /// While non-zero, every write request is applied first and its answer
    /// then held back this many milliseconds, so a client with a shorter
    /// timeout gives up although the write happened.
    pub write_answer_delay_ms: u64,
    /// The next N successful `refresh_token` grants rotate the refresh
    /// token and then close the connection without a response: the
    /// provider answered, the client never saw it. Counts down per refresh.
    pub lose_token_answers: u32,
}

/// The next `count` API requests get 429 with `Retry-After: retry_after_secs`;
/// a throttled tenant's requests keep getting 429 until that time passes,
/// so tests can check a client honours `Retry-After`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Force429 {
    /// How many requests are forced to 429.
    pub count: u32,
    /// The `Retry-After` announced, in seconds.
    pub retry_after_secs: u64,
}

/// A provider's rate limits, in the shape they all share: requests in
/// progress per tenant, a sliding window per tenant, and optionally a
/// rolling day per tenant and a sliding window for the whole app.
/// `enabled: false` still counts (for the remaining-calls numbers) but
/// never refuses a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Whether requests over a limit are refused with 429.
    pub enabled: bool,
    /// Requests in progress at once per tenant.
    pub concurrent: u32,
    /// Requests per tenant per sliding `window`.
    pub per_window: u32,
    /// Length of the sliding window of `per_window` and `app_per_window`.
    pub window: Duration,
    /// Requests per tenant per rolling 24 hours, if the provider has such a limit.
    pub per_day: Option<u32>,
    /// Requests of the whole app per sliding `window`, if the provider has such a limit.
    pub app_per_window: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_deserialize_with_defaults() {
        let f: SimFaults = serde_json::from_str(r#"{"error_rate":0.5}"#).unwrap();
        assert_eq!(f.error_rate, 0.5);
        assert_eq!(f.latency_ms, 0);
        assert!(f.force_429.is_none());
        assert_eq!(f.lose_write_answers, 0);
        assert_eq!(f.write_answer_delay_ms, 0);
        let f: SimFaults =
            serde_json::from_str(r#"{"lose_write_answers":2,"write_answer_delay_ms":300}"#)
                .unwrap();
        assert_eq!((f.lose_write_answers, f.write_answer_delay_ms), (2, 300));
        let f: SimFaults = serde_json::from_str(r#"{"lose_token_answers":1}"#).unwrap();
        assert_eq!((f.lose_token_answers, f.lose_write_answers), (1, 0));
    }
}
