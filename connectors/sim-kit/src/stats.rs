//! Request counters, so tests can prove what a connector did (how many calls,
//! how many were throttled, how many ran at once).

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What the simulator has seen since start or the last reset; the same data
/// as `GET /_sim/stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SimStats {
    /// Count per `"METHOD /path"`, ids replaced by `{id}` (the provider
    /// decides the key; see [`default_route_key`]).
    pub requests: BTreeMap<String, u64>,
    /// 429 responses given.
    pub throttled: u64,
    /// Highest number of API requests of one tenant in progress at once.
    pub peak_in_flight: u64,
    /// All requests counted in `requests`.
    pub total_requests: u64,
    /// 500/503 responses injected by the fault settings.
    pub errors_injected: u64,
    /// Connections closed without a response by `drop_rate`.
    pub dropped: u64,
    /// Write answers lost after the write was applied (`lose_write_answers`):
    /// the connection was closed without a response.
    pub lost_answers: u64,
    /// Truncated JSON bodies served by the fault settings.
    pub malformed: u64,
    /// Authorization codes issued by the consent screen.
    pub codes_issued: u64,
    /// Authorization codes exchanged for tokens.
    pub code_exchanges: u64,
    /// `refresh_token` grants answered with a new pair.
    pub refreshes: u64,
    /// `refresh_token` grants refused (`invalid_grant`).
    pub refreshes_refused: u64,
    /// Revocations that revoked something.
    pub revocations: u64,
    /// Refresh answers lost after the rotation (`lose_token_answers`).
    pub lost_token_answers: u64,
}

/// The live counters of one simulator, shared by its handlers.
#[derive(Default)]
pub struct Stats {
    inner: Mutex<SimStats>,
}

impl Stats {
    fn with(&self, f: impl FnOnce(&mut SimStats)) {
        if let Ok(mut s) = self.inner.lock() {
            f(&mut s);
        }
    }

    /// Counts one request under `key` (see [`default_route_key`]).
    pub fn request(&self, key: String) {
        self.with(|s| {
            *s.requests.entry(key).or_default() += 1;
            s.total_requests += 1;
        });
    }

    /// Counts a 429 given.
    pub fn throttled(&self) {
        self.with(|s| s.throttled += 1);
    }

    /// Counts an injected 500/503.
    pub fn error_injected(&self) {
        self.with(|s| s.errors_injected += 1);
    }

    /// Counts a dropped connection.
    pub fn dropped(&self) {
        self.with(|s| s.dropped += 1);
    }

    /// Counts a write answer lost after the write was applied.
    pub fn lost_answer(&self) {
        self.with(|s| s.lost_answers += 1);
    }

    /// Counts a truncated body.
    pub fn malformed(&self) {
        self.with(|s| s.malformed += 1);
    }

    /// Counts an authorization code issued.
    pub fn code_issued(&self) {
        self.with(|s| s.codes_issued += 1);
    }

    /// Counts an authorization code exchanged.
    pub fn code_exchange(&self) {
        self.with(|s| s.code_exchanges += 1);
    }

    /// Counts a refresh answered with a new pair.
    pub fn refresh_ok(&self) {
        self.with(|s| s.refreshes += 1);
    }

    /// Counts a refused refresh.
    pub fn refresh_refused(&self) {
        self.with(|s| s.refreshes_refused += 1);
    }

    /// Counts a revocation that revoked something.
    pub fn revocation(&self) {
        self.with(|s| s.revocations += 1);
    }

    /// Counts a refresh answer lost after the rotation.
    pub fn lost_token_answer(&self) {
        self.with(|s| s.lost_token_answers += 1);
    }

    /// Records `n` requests of one tenant in progress (keeps the peak).
    pub fn in_flight(&self, n: u32) {
        self.with(|s| s.peak_in_flight = s.peak_in_flight.max(u64::from(n)));
    }

    /// The counters now.
    pub fn snapshot(&self) -> SimStats {
        self.inner.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Zeroes every counter.
    pub fn reset(&self) {
        self.with(|s| *s = SimStats::default());
    }
}

/// `"METHOD /path"` with every UUID or all-digit segment as `{id}`, so
/// counts group by route (`GET /v3/company/{id}/invoice/{id}`); a provider
/// with other ids in its paths writes its own key.
pub fn default_route_key(method: &str, path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    out.push_str(method);
    out.push(' ');
    for (i, seg) in path.split('/').enumerate() {
        if i == 0 {
            continue;
        }
        out.push('/');
        let digits = !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit());
        if digits || Uuid::parse_str(seg).is_ok() {
            out.push_str("{id}");
        } else {
            out.push_str(seg);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_route_keys_replace_ids() {
        assert_eq!(
            default_route_key("GET", "/v3/company/9130347/invoice/12"),
            "GET /v3/company/{id}/invoice/{id}"
        );
        assert_eq!(
            default_route_key("POST", &format!("/Connections/{}", Uuid::nil())),
            "POST /Connections/{id}"
        );
        assert_eq!(
            default_route_key("POST", "/connect/token"),
            "POST /connect/token"
        );
        assert_eq!(default_route_key("GET", "/"), "GET /");
    }

    #[test]
    fn counters_and_reset() {
        let s = Stats::default();
        s.request("GET /x".into());
        s.request("GET /x".into());
        s.throttled();
        s.in_flight(3);
        s.in_flight(2);
        let snap = s.snapshot();
        assert_eq!(snap.requests["GET /x"], 2);
        assert_eq!(snap.total_requests, 2);
        assert_eq!(snap.throttled, 1);
        assert_eq!(snap.peak_in_flight, 3);
        s.reset();
        assert_eq!(s.snapshot(), SimStats::default());
    }
}
