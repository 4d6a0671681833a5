//! `Idempotency-Key`: within the window (Xero: about 6 minutes from the
//! first call) a write sent again with the same key and the same request
//! gets the stored answer — errors included — and changes nothing; the same
//! key with a different request is refused.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::Response;

use super::errors;

/// The longest key accepted (spec: 128 characters).
pub(crate) const MAX_KEY: usize = 128;

/// An answer as stored for replay: status, content type and body.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Answer {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: String,
}

impl Answer {
    /// A JSON answer.
    pub(crate) fn json(status: StatusCode, body: String) -> Self {
        Self {
            status,
            content_type: errors::JSON_TYPE,
            body,
        }
    }

    /// Xero's plain-text 404.
    pub(crate) fn not_found() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            content_type: errors::TEXT_TYPE,
            body: errors::NOT_FOUND_BODY.to_string(),
        }
    }

    /// The answer of an already built response (its whole body is read).
    pub(crate) async fn of(resp: Response) -> Self {
        let status = resp.status();
        let is_text = resp
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/"));
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        Self {
            status,
            content_type: if is_text {
                errors::TEXT_TYPE
            } else {
                errors::JSON_TYPE
            },
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// The HTTP response.
    pub(crate) fn into_response(self) -> Response {
        errors::typed_text(self.status, self.content_type, self.body)
    }
}

/// The key was used within the window for a different request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Conflict;

struct Stored {
    fingerprint: u64,
    at: Instant,
    answer: Answer,
}

/// The keys of one tenant.
pub(crate) struct Idempotency {
    window: Duration,
    entries: Mutex<HashMap<String, Stored>>,
}

/// Identifies a request: method, path, query and body.
pub(crate) fn fingerprint(method: &str, path: &str, query: &str, body: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    (method, path.to_ascii_lowercase(), query, body).hash(&mut h);
    h.finish()
}

impl Idempotency {
    /// Keys are remembered for `window` from their first call.
    pub(crate) fn new(window: Duration) -> Self {
        Self {
            window,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Answers a request carrying `key`: the stored answer when the key was
    /// seen with the same request within the window, a [`Conflict`] when it
    /// was seen with another, otherwise `run`'s answer, which is stored.
    /// The keys stay locked while `run` runs, so a key sent twice at once
    /// still runs its request once.
    pub(crate) fn answer(
        &self,
        key: &str,
        fingerprint: u64,
        now: Instant,
        run: impl FnOnce() -> Answer,
    ) -> Result<Answer, Conflict> {
        let mut entries = match self.entries.lock() {
            Ok(e) => e,
            Err(poisoned) => poisoned.into_inner(),
        };
        let window = self.window;
        entries.retain(|_, s| now.saturating_duration_since(s.at) < window);
        if let Some(s) = entries.get(key) {
            return if s.fingerprint == fingerprint {
                Ok(s.answer.clone())
            } else {
                Err(Conflict)
            };
        }
        let answer = run();
        entries.insert(
            key.to_string(),
            Stored {
                fingerprint,
                at: now,
                answer: answer.clone(),
            },
        );
        Ok(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> Answer {
        Answer::json(StatusCode::OK, body.to_string())
    }

    #[test]
    fn replay_conflict_and_expiry() {
        let window = Duration::from_secs(360);
        let i = Idempotency::new(window);
        let now = Instant::now();
        let fp = fingerprint("PUT", "/api.xro/2.0/Invoices", "", b"{}");
        let mut runs = 0;
        let mut run = |b: &str| {
            runs += 1;
            ok(b)
        };
        assert_eq!(i.answer("k", fp, now, || run("first")), Ok(ok("first")));
        let later = now + window - Duration::from_millis(1);
        assert_eq!(i.answer("k", fp, later, || run("second")), Ok(ok("first")));
        let other = fingerprint("PUT", "/api.xro/2.0/Invoices", "", b"{\"x\":1}");
        assert_eq!(i.answer("k", other, later, || run("x")), Err(Conflict));
        // The window runs from the first call: replays do not extend it.
        assert_eq!(
            i.answer("k", fp, now + window, || run("third")),
            Ok(ok("third"))
        );
        assert_eq!(runs, 2);
    }

    #[test]
    fn errors_are_stored_too() {
        let i = Idempotency::new(Duration::from_secs(360));
        let now = Instant::now();
        let bad = Answer::json(StatusCode::BAD_REQUEST, "{\"ErrorNumber\":10}".into());
        assert_eq!(i.answer("k", 1, now, || bad.clone()), Ok(bad.clone()));
        assert_eq!(i.answer("k", 1, now, || ok("fixed")), Ok(bad));
        assert_eq!(i.answer("k", 2, now, || ok("fixed")), Err(Conflict));
    }
}
