//! Fault injection: latency, injected 500/503, dropped connections,
//! truncated bodies, and lost or delayed answers of applied writes, decided
//! per API request; and lost answers of applied token refreshes.

use std::sync::RwLock;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use rand::Rng as _;

use super::config::SimFaults;
use super::conn::ConnKill;
use super::errors::JSON_TYPE;
use super::limits::Limiter;
use super::stats::Stats;

/// What happens to one request.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Decision {
    pub latency: Duration,
    pub error: Option<StatusCode>,
    pub drop: bool,
    pub malformed: bool,
    /// A write whose answer is lost after it was applied.
    pub lose_answer: bool,
    /// How long a write's answer is held back after it was applied.
    pub answer_delay: Duration,
}

/// The current fault settings.
#[derive(Default)]
pub(crate) struct Faults {
    current: RwLock<SimFaults>,
}

impl Faults {
    /// Replaces the settings; `force_429` is handed to the limiter, which
    /// counts it down (`None` cancels forced 429s not yet given; a Retry-After
    /// already announced still runs out).
    pub(crate) fn set(&self, mut faults: SimFaults, limiter: &Limiter) {
        limiter.force(faults.force_429.take());
        if let Ok(mut c) = self.current.write() {
            *c = faults;
        }
    }

    pub(crate) fn get(&self) -> SimFaults {
        self.current.read().map(|c| c.clone()).unwrap_or_default()
    }

    /// Takes one of the `lose_write_answers` left, if any.
    fn take_lost_answer(&self) -> bool {
        let Ok(mut c) = self.current.write() else {
            return false;
        };
        let take = c.lose_write_answers > 0;
        if take {
            c.lose_write_answers -= 1;
        }
        take
    }

    /// Takes one of the `lose_token_answers` left, if any.
    pub(crate) fn take_lost_token_answer(&self) -> bool {
        let Ok(mut c) = self.current.write() else {
            return false;
        };
        let take = c.lose_token_answers > 0;
        if take {
            c.lose_token_answers -= 1;
        }
        take
    }

    /// Rolls the dice for one request; `write` for PUT, POST and DELETE.
    pub(crate) fn decide(&self, write: bool) -> Decision {
        let f = self.get();
        let mut rng = rand::rng();
        let mut roll = |p: f64| p > 0.0 && rng.random::<f64>() < p;
        let error = roll(f.error_rate).then(|| {
            if rand::rng().random_bool(0.5) {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            }
        });
        let applied_write = write && error.is_none();
        let lose_answer = applied_write && self.take_lost_answer();
        Decision {
            latency: Duration::from_millis(f.latency_ms),
            error,
            drop: error.is_none() && !lose_answer && roll(f.drop_rate),
            malformed: error.is_none() && !lose_answer && roll(f.malformed_rate),
            lose_answer,
            answer_delay: if applied_write {
                Duration::from_millis(f.write_answer_delay_ms)
            } else {
                Duration::ZERO
            },
        }
    }
}

/// Hands the answer of a request that ran to the client as `d` says:
/// delayed, lost (the connection closes without a response byte), dropped,
/// truncated, or as it is.
pub(crate) async fn deliver(
    d: &Decision,
    resp: Response,
    kill: Option<&ConnKill>,
    stats: &Stats,
) -> Response {
    if !d.answer_delay.is_zero() {
        tokio::time::sleep(d.answer_delay).await;
    }
    if d.lose_answer || d.drop {
        if d.lose_answer {
            stats.lost_answer();
        } else {
            stats.dropped();
        }
        if let Some(k) = kill {
            k.kill();
        }
        resp
    } else if d.malformed {
        stats.malformed();
        truncate(resp).await
    } else {
        resp
    }
}

/// The response as a 200 whose JSON body is cut in half.
pub(crate) async fn truncate(resp: Response) -> Response {
    let (parts, body) = resp.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let cut = if bytes.len() > 1 { bytes.len() / 2 } else { 0 };
    let mut out = bytes.slice(..cut).to_vec();
    if out.is_empty() {
        out.extend_from_slice(b"{\"Id\":");
    }
    let mut r = Response::new(Body::from(out));
    *r.status_mut() = StatusCode::OK;
    *r.headers_mut() = parts.headers;
    r.headers_mut().remove(header::CONTENT_LENGTH);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_TYPE));
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::{Force429, SimLimits};

    #[test]
    fn certain_faults_always_fire() {
        let f = Faults::default();
        let l = Limiter::new(SimLimits::off(), None);
        f.set(
            SimFaults {
                error_rate: 1.0,
                latency_ms: 5,
                force_429: Some(Force429 {
                    count: 1,
                    retry_after_secs: 1,
                }),
                ..Default::default()
            },
            &l,
        );
        assert!(f.get().force_429.is_none());
        let d = f.decide(true);
        assert!(d.error.is_some());
        assert!(!d.drop);
        assert!(!d.lose_answer && d.answer_delay.is_zero());
        assert_eq!(d.latency, Duration::from_millis(5));
        f.set(
            SimFaults {
                drop_rate: 1.0,
                ..Default::default()
            },
            &l,
        );
        assert!(f.decide(false).drop);
        f.set(SimFaults::default(), &l);
        assert_eq!(f.decide(true), Decision::default());
    }

    #[test]
    fn lost_answers_count_down_per_write() {
        let f = Faults::default();
        let l = Limiter::new(SimLimits::off(), None);
        f.set(
            SimFaults {
                lose_write_answers: 2,
                write_answer_delay_ms: 7,
                ..Default::default()
            },
            &l,
        );
        let read = f.decide(false);
        assert!(!read.lose_answer && read.answer_delay.is_zero());
        assert!(f.decide(true).lose_answer);
        assert_eq!(f.get().lose_write_answers, 1);
        let d = f.decide(true);
        assert!(d.lose_answer && !d.drop);
        assert_eq!(d.answer_delay, Duration::from_millis(7));
        assert!(!f.decide(true).lose_answer);
        assert_eq!(f.get().lose_write_answers, 0);
    }

    #[tokio::test]
    async fn truncation_breaks_json() {
        let r = crate::sim::errors::json_text(StatusCode::OK, r#"{"Invoices":[1,2,3]}"#.into());
        let t = truncate(r).await;
        assert_eq!(t.status(), StatusCode::OK);
        let b = to_bytes(t.into_body(), 1024).await.unwrap();
        assert!(serde_json::from_slice::<serde_json::Value>(&b).is_err());
    }
}
