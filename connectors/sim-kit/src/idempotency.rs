//! Idempotent writes: within a window a write sent again with the same key
//! gets the stored answer (errors included) and changes nothing. Where the
//! key comes from, how long it may be, and what the same key with another
//! request gets is the provider's [`IdempotencyRule`] (Xero: the
//! `Idempotency-Key` header, 128 characters, a different request is
//! refused; QuickBooks: the `requestid` query parameter, 50 characters, a
//! repeat gets the first answer whatever it sends).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::errors::ErrorBody;

/// Where a provider reads a write's idempotency key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// A request header (Xero: `Idempotency-Key`), matched case-insensitively.
    Header(&'static str),
    /// A query parameter (QuickBooks: `requestid`), matched exactly.
    Query(&'static str),
}

/// What the same key with a different request gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// Refused ([`ErrorBody::idempotency_conflict`]); Xero.
    Conflict,
    /// The first answer again, nothing run; QuickBooks' `requestid`.
    Replay,
}

/// A provider's idempotency rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdempotencyRule {
    /// Where the key is read.
    pub source: KeySource,
    /// The longest key accepted, in characters.
    pub max_len: usize,
    /// What a reused key with a different request gets.
    pub on_mismatch: Mismatch,
}

/// Why a key was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadKey {
    /// Present but empty.
    Empty,
    /// Longer than [`IdempotencyRule::max_len`].
    TooLong,
    /// Not readable as text (a header with non-ASCII bytes).
    Unreadable,
}

impl IdempotencyRule {
    /// The key of a request (`None` when it carries none), from its headers
    /// or its raw query string as the rule says.
    pub fn extract(
        &self,
        headers: &HeaderMap,
        query: Option<&str>,
    ) -> Result<Option<String>, BadKey> {
        let key = match self.source {
            KeySource::Header(name) => match headers.get(name) {
                None => return Ok(None),
                Some(v) => v.to_str().map_err(|_| BadKey::Unreadable)?.to_string(),
            },
            KeySource::Query(name) => {
                let pairs = url::form_urlencoded::parse(query.unwrap_or("").as_bytes());
                match pairs.into_iter().find(|(k, _)| k == name) {
                    None => return Ok(None),
                    Some((_, v)) => v.into_owned(),
                }
            }
        };
        if key.is_empty() {
            Err(BadKey::Empty)
        } else if key.chars().count() > self.max_len {
            Err(BadKey::TooLong)
        } else {
            Ok(Some(key))
        }
    }

    /// [`extract`](Self::extract), with a refusal in the provider's words.
    #[allow(clippy::result_large_err)]
    pub fn key(
        &self,
        headers: &HeaderMap,
        query: Option<&str>,
        errors: &dyn ErrorBody,
    ) -> Result<Option<String>, Response> {
        self.extract(headers, query)
            .map_err(|why| errors.bad_idempotency_key(self, why))
    }
}

/// An answer as stored for replay: status, content type and body.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `Content-Type`, if the answer had one.
    pub content_type: Option<HeaderValue>,
    /// The body.
    pub body: String,
}

impl Answer {
    /// An answer with a body of the given content type.
    pub fn new(status: StatusCode, content_type: &'static str, body: String) -> Self {
        Self {
            status,
            content_type: Some(HeaderValue::from_static(content_type)),
            body,
        }
    }

    /// The answer of an already built response (its whole body is read;
    /// its own content type is kept).
    pub async fn of(resp: Response) -> Self {
        let status = resp.status();
        let content_type = resp.headers().get(header::CONTENT_TYPE).cloned();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        Self {
            status,
            content_type,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// The HTTP response.
    pub fn into_response(self) -> Response {
        let mut r = Response::new(Body::from(self.body));
        *r.status_mut() = self.status;
        if let Some(ct) = self.content_type {
            r.headers_mut().insert(header::CONTENT_TYPE, ct);
        }
        r
    }
}

/// The key was used within the window for a different request.
#[derive(Debug, PartialEq, Eq)]
pub struct Conflict;

struct Stored {
    fingerprint: u64,
    at: Instant,
    answer: Answer,
}

/// The keys of one tenant.
pub struct Idempotency {
    window: Duration,
    on_mismatch: Mismatch,
    entries: Mutex<HashMap<String, Stored>>,
}

/// Identifies a request: method, path (case-insensitively), query and body.
pub fn fingerprint(method: &str, path: &str, query: &str, body: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    (method, path.to_ascii_lowercase(), query, body).hash(&mut h);
    h.finish()
}

impl Idempotency {
    /// Keys are remembered for `window` from their first call; a reused
    /// key with another request gets what `on_mismatch` says.
    pub fn new(window: Duration, on_mismatch: Mismatch) -> Self {
        Self {
            window,
            on_mismatch,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Answers a request carrying `key`: the stored answer when the key was
    /// seen within the window (with the same request, or with any under
    /// [`Mismatch::Replay`]), a [`Conflict`] when it was seen with another
    /// under [`Mismatch::Conflict`], otherwise `run`'s answer, which is
    /// stored. The keys stay locked while `run` runs, so a key sent twice
    /// at once still runs its request once.
    pub fn answer(
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
            return if s.fingerprint == fingerprint || self.on_mismatch == Mismatch::Replay {
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

/// A tenant that keeps its own idempotency keys.
pub trait KeyedTenant: Send + Sync + 'static {
    /// The tenant's keys.
    fn idempotency(&self) -> &Idempotency;
}

/// Runs a write off the async threads; with a key, a request seen before
/// within the window gets the stored answer instead of running again.
/// Refusals are in `errors`' words.
pub async fn run_keyed<T: KeyedTenant>(
    tenant: Arc<T>,
    key: Option<String>,
    fp: u64,
    errors: &dyn ErrorBody,
    run: impl FnOnce(&T) -> Answer + Send + 'static,
) -> Response {
    let result = tokio::task::spawn_blocking(move || match &key {
        Some(k) => tenant
            .idempotency()
            .answer(k, fp, Instant::now(), || run(&tenant)),
        None => Ok(run(&tenant)),
    })
    .await;
    match result {
        Ok(Ok(answer)) => answer.into_response(),
        Ok(Err(Conflict)) => errors.idempotency_conflict(),
        Err(_) => errors.internal_error(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> Answer {
        Answer::new(StatusCode::OK, "application/json", body.to_string())
    }

    #[test]
    fn replay_conflict_and_expiry() {
        let window = Duration::from_secs(360);
        let i = Idempotency::new(window, Mismatch::Conflict);
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
        let i = Idempotency::new(Duration::from_secs(360), Mismatch::Conflict);
        let now = Instant::now();
        let bad = Answer::new(StatusCode::BAD_REQUEST, "application/json", "{}".into());
        assert_eq!(i.answer("k", 1, now, || bad.clone()), Ok(bad.clone()));
        assert_eq!(i.answer("k", 1, now, || ok("fixed")), Ok(bad));
        assert_eq!(i.answer("k", 2, now, || ok("fixed")), Err(Conflict));
    }

    #[test]
    fn replay_answers_the_first_answer_whatever_the_request() {
        let i = Idempotency::new(Duration::from_secs(60), Mismatch::Replay);
        let now = Instant::now();
        assert_eq!(i.answer("r", 1, now, || ok("first")), Ok(ok("first")));
        assert_eq!(i.answer("r", 2, now, || ok("second")), Ok(ok("first")));
    }

    #[test]
    fn keys_from_a_header_or_the_query() {
        let xero = IdempotencyRule {
            source: KeySource::Header("Idempotency-Key"),
            max_len: 128,
            on_mismatch: Mismatch::Conflict,
        };
        let mut h = HeaderMap::new();
        assert_eq!(xero.extract(&h, Some("Idempotency-Key=q")), Ok(None));
        h.insert("idempotency-key", HeaderValue::from_static("abc"));
        assert_eq!(xero.extract(&h, None), Ok(Some("abc".into())));
        h.insert("idempotency-key", HeaderValue::from_static(""));
        assert_eq!(xero.extract(&h, None), Err(BadKey::Empty));
        h.insert(
            "idempotency-key",
            HeaderValue::from_str(&"k".repeat(129)).unwrap(),
        );
        assert_eq!(xero.extract(&h, None), Err(BadKey::TooLong));

        let qbo = IdempotencyRule {
            source: KeySource::Query("requestid"),
            max_len: 50,
            on_mismatch: Mismatch::Replay,
        };
        let none = HeaderMap::new();
        assert_eq!(qbo.extract(&none, None), Ok(None));
        assert_eq!(
            qbo.extract(&none, Some("minorversion=75&requestid=a%20b")),
            Ok(Some("a b".into()))
        );
        assert_eq!(qbo.extract(&none, Some("requestid=")), Err(BadKey::Empty));
        let long = format!("requestid={}", "x".repeat(51));
        assert_eq!(qbo.extract(&none, Some(&long)), Err(BadKey::TooLong));
        let fifty = format!("requestid={}", "x".repeat(50));
        assert!(qbo.extract(&none, Some(&fifty)).is_ok());
    }

    #[test]
    fn answers_keep_their_content_type() {
        let a = Answer::new(StatusCode::NOT_FOUND, "text/plain", "gone".into());
        let r = a.clone().into_response();
        assert_eq!(r.headers()[header::CONTENT_TYPE], "text/plain");
        let back = futures_lite(Answer::of(r));
        assert_eq!(back, a);
    }

    /// Runs a future to completion on a fresh runtime.
    fn futures_lite<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }
}
