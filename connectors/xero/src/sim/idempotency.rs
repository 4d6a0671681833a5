//! `Idempotency-Key`: a write retried with the same key and the same request
//! within the window gets the stored response and changes nothing.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::StatusCode;

/// How long a key is remembered.
pub(crate) const WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
/// The longest key accepted (spec: 128 characters).
pub(crate) const MAX_KEY: usize = 128;

struct Stored {
    fingerprint: u64,
    at: Instant,
    status: StatusCode,
    body: String,
}

/// Outcome of looking a key up.
#[derive(Debug, PartialEq)]
pub(crate) enum Lookup {
    /// Not seen (or expired): run the request.
    Miss,
    /// Seen with the same request: answer this.
    Replay(StatusCode, String),
    /// Seen with a different request.
    Conflict,
}

/// The keys of one tenant.
#[derive(Default)]
pub(crate) struct Idempotency {
    entries: Mutex<HashMap<String, Stored>>,
}

/// Identifies a request: method, path, query and body.
pub(crate) fn fingerprint(method: &str, path: &str, query: &str, body: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    (method, path.to_ascii_lowercase(), query, body).hash(&mut h);
    h.finish()
}

impl Idempotency {
    pub(crate) fn lookup(&self, key: &str, fingerprint: u64, now: Instant) -> Lookup {
        let Ok(mut entries) = self.entries.lock() else {
            return Lookup::Miss;
        };
        match entries.get(key) {
            Some(s) if now.duration_since(s.at) < WINDOW => {
                if s.fingerprint == fingerprint {
                    Lookup::Replay(s.status, s.body.clone())
                } else {
                    Lookup::Conflict
                }
            }
            Some(_) => {
                entries.remove(key);
                Lookup::Miss
            }
            None => Lookup::Miss,
        }
    }

    pub(crate) fn store(
        &self,
        key: &str,
        fingerprint: u64,
        status: StatusCode,
        body: String,
        now: Instant,
    ) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, s| now.duration_since(s.at) < WINDOW);
            entries.insert(
                key.to_string(),
                Stored {
                    fingerprint,
                    at: now,
                    status,
                    body,
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_conflict_and_expiry() {
        let i = Idempotency::default();
        let now = Instant::now();
        let fp = fingerprint("PUT", "/api.xro/2.0/Invoices", "", b"{}");
        assert_eq!(i.lookup("k", fp, now), Lookup::Miss);
        i.store("k", fp, StatusCode::OK, "body".into(), now);
        assert_eq!(
            i.lookup("k", fp, now),
            Lookup::Replay(StatusCode::OK, "body".into())
        );
        let other = fingerprint("PUT", "/api.xro/2.0/Invoices", "", b"{\"x\":1}");
        assert_eq!(i.lookup("k", other, now), Lookup::Conflict);
        assert_eq!(i.lookup("k", fp, now + WINDOW), Lookup::Miss);
    }
}
