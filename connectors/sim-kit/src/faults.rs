//! Fault injection: latency, injected 500/503, dropped connections,
//! truncated bodies, and lost or delayed answers of applied writes, decided
//! per API request; and lost answers of applied token refreshes. The dice
//! are not seeded: faults are about timing, not data.

use std::sync::RwLock;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use rand::Rng as _;

use crate::config::SimFaults;
use crate::conn::ConnKill;
use crate::limits::Limiter;
use crate::stats::Stats;
use crate::tenant::TenantId;

/// What happens to one request.
#[derive(Debug, Default, PartialEq)]
pub struct Decision {
    /// Delay before the request runs.
    pub latency: Duration,
    /// An injected error answered instead of running the request.
    pub error: Option<StatusCode>,
    /// The connection is closed after the request ran, without a response.
    pub drop: bool,
    /// The body is cut in half.
    pub malformed: bool,
    /// A write whose answer is lost after it was applied.
    pub lose_answer: bool,
    /// How long a write's answer is held back after it was applied.
    pub answer_delay: Duration,
}

/// The current fault settings of one simulator.
pub struct Faults {
    current: RwLock<SimFaults>,
    json_type: &'static str,
}

impl Faults {
    /// No faults yet; a truncated body is labelled `json_type` (the
    /// provider's JSON content type).
    pub fn new(json_type: &'static str) -> Self {
        Self {
            current: RwLock::new(SimFaults::default()),
            json_type,
        }
    }

    /// Replaces the settings; `force_429` is handed to the limiter, which
    /// counts it down (`None` cancels forced 429s not yet given; a Retry-After
    /// already announced still runs out).
    pub fn set<K: TenantId>(&self, mut faults: SimFaults, limiter: &Limiter<K>) {
        limiter.force(faults.force_429.take());
        if let Ok(mut c) = self.current.write() {
            *c = faults;
        }
    }

    /// The settings now (`force_429` is the limiter's, so always `None`).
    pub fn get(&self) -> SimFaults {
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

    /// Takes one of the `lose_token_answers` left, if any: the token
    /// endpoint then kills the connection after a refresh rotated.
    pub fn take_lost_token_answer(&self) -> bool {
        let Ok(mut c) = self.current.write() else {
            return false;
        };
        let take = c.lose_token_answers > 0;
        if take {
            c.lose_token_answers -= 1;
        }
        take
    }

    /// Rolls the dice for one request; `write` when the provider says the
    /// request changes data (only writes lose or delay their answers).
    pub fn decide(&self, write: bool) -> Decision {
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

    /// Hands the answer of a request that ran to the client as `d` says:
    /// delayed, lost (the connection closes without a response byte),
    /// dropped, truncated, or as it is.
    pub async fn deliver(
        &self,
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
            truncate(resp, self.json_type).await
        } else {
            resp
        }
    }
}

/// The response as a 200 labelled `json_type` whose body is cut in half
/// (an empty or one-byte body becomes a lone `{`): JSON no parser accepts,
/// whatever the provider's shapes.
pub async fn truncate(resp: Response, json_type: &'static str) -> Response {
    let (parts, body) = resp.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let cut = if bytes.len() > 1 { bytes.len() / 2 } else { 0 };
    let mut out = bytes.slice(..cut).to_vec();
    if out.is_empty() {
        out.push(b'{');
    }
    let mut r = Response::new(Body::from(out));
    *r.status_mut() = StatusCode::OK;
    *r.headers_mut() = parts.headers;
    r.headers_mut().remove(header::CONTENT_LENGTH);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(json_type));
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Force429, Limits};

    fn limiter() -> Limiter<u32> {
        Limiter::new(
            Limits {
                enabled: false,
                concurrent: 5,
                per_window: 60,
                window: Duration::from_secs(60),
                per_day: None,
                app_per_window: None,
            },
            None,
        )
    }

    #[test]
    fn certain_faults_always_fire() {
        let f = Faults::new("application/json");
        let l = limiter();
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
        let f = Faults::new("application/json");
        let l = limiter();
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

    async fn truncated(body: &'static str) -> (StatusCode, String, Vec<u8>) {
        let mut r = Response::new(Body::from(body));
        *r.status_mut() = StatusCode::CREATED;
        let t = truncate(r, "application/json;charset=UTF-8").await;
        let ct = t.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        let status = t.status();
        (
            status,
            ct,
            to_bytes(t.into_body(), 1024).await.unwrap().to_vec(),
        )
    }

    #[tokio::test]
    async fn truncation_breaks_json() {
        let (status, ct, b) = truncated(r#"{"Invoices":[1,2,3]}"#).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(ct, "application/json;charset=UTF-8");
        assert!(serde_json::from_slice::<serde_json::Value>(&b).is_err());
        let (_, _, empty) = truncated("").await;
        assert_eq!(empty, b"{");
        assert!(serde_json::from_slice::<serde_json::Value>(&empty).is_err());
    }
}
