//! Request counters, so tests can prove what a connector did (how many calls,
//! how many were throttled, how many ran at once).

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::collections::Kind;

/// What the simulator has seen since start or the last reset; the same data
/// as `GET /_sim/stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SimStats {
    /// Count per `"METHOD /path"`, ids replaced by `{id}`
    /// (e.g. `"GET /api.xro/2.0/Invoices/{id}"`).
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

/// The live counters.
#[derive(Default)]
pub(crate) struct Stats {
    inner: Mutex<SimStats>,
}

impl Stats {
    fn with(&self, f: impl FnOnce(&mut SimStats)) {
        if let Ok(mut s) = self.inner.lock() {
            f(&mut s);
        }
    }

    pub(crate) fn request(&self, key: String) {
        self.with(|s| {
            *s.requests.entry(key).or_default() += 1;
            s.total_requests += 1;
        });
    }

    pub(crate) fn throttled(&self) {
        self.with(|s| s.throttled += 1);
    }

    pub(crate) fn error_injected(&self) {
        self.with(|s| s.errors_injected += 1);
    }

    pub(crate) fn dropped(&self) {
        self.with(|s| s.dropped += 1);
    }

    pub(crate) fn lost_answer(&self) {
        self.with(|s| s.lost_answers += 1);
    }

    pub(crate) fn malformed(&self) {
        self.with(|s| s.malformed += 1);
    }

    pub(crate) fn code_issued(&self) {
        self.with(|s| s.codes_issued += 1);
    }

    pub(crate) fn code_exchange(&self) {
        self.with(|s| s.code_exchanges += 1);
    }

    pub(crate) fn refresh_ok(&self) {
        self.with(|s| s.refreshes += 1);
    }

    pub(crate) fn refresh_refused(&self) {
        self.with(|s| s.refreshes_refused += 1);
    }

    pub(crate) fn revocation(&self) {
        self.with(|s| s.revocations += 1);
    }

    pub(crate) fn lost_token_answer(&self) {
        self.with(|s| s.lost_token_answers += 1);
    }

    pub(crate) fn in_flight(&self, n: u32) {
        self.with(|s| s.peak_in_flight = s.peak_in_flight.max(u64::from(n)));
    }

    pub(crate) fn snapshot(&self) -> SimStats {
        self.inner.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub(crate) fn reset(&self) {
        self.with(|s| *s = SimStats::default());
    }
}

/// `"METHOD /path"` with the object id (or any GUID segment) as `{id}`.
pub(crate) fn route_key(method: &str, path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    out.push_str(method);
    out.push(' ');
    let api = path.starts_with("/api.xro/2.0/");
    for (i, seg) in path.split('/').enumerate() {
        if i == 0 {
            continue;
        }
        out.push('/');
        if api && i == 3 {
            match Kind::from_path(seg) {
                Some(k) => out.push_str(k.desc().name),
                None => out.push_str(seg),
            }
        } else if (api && i == 4) || Uuid::parse_str(seg).is_ok() {
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
    fn route_keys_replace_ids() {
        assert_eq!(
            route_key("GET", "/api.xro/2.0/invoices"),
            "GET /api.xro/2.0/Invoices"
        );
        assert_eq!(
            route_key("GET", "/api.xro/2.0/Invoices/INV-0001"),
            "GET /api.xro/2.0/Invoices/{id}"
        );
        assert_eq!(
            route_key("POST", &format!("/Connections/{}", Uuid::nil())),
            "POST /Connections/{id}"
        );
        assert_eq!(route_key("POST", "/connect/token"), "POST /connect/token");
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
