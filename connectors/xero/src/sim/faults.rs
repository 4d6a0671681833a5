//! Fault injection: latency, injected 500/503, dropped connections and
//! truncated bodies, decided per API request.

use std::sync::RwLock;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use rand::Rng as _;

use super::config::SimFaults;
use super::errors::JSON_TYPE;
use super::limits::Limiter;

/// What happens to one request.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Decision {
    pub latency: Duration,
    pub error: Option<StatusCode>,
    pub drop: bool,
    pub malformed: bool,
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

    /// Rolls the dice for one request.
    pub(crate) fn decide(&self) -> Decision {
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
        Decision {
            latency: Duration::from_millis(f.latency_ms),
            error,
            drop: error.is_none() && roll(f.drop_rate),
            malformed: error.is_none() && roll(f.malformed_rate),
        }
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
        let d = f.decide();
        assert!(d.error.is_some());
        assert!(!d.drop);
        assert_eq!(d.latency, Duration::from_millis(5));
        f.set(
            SimFaults {
                drop_rate: 1.0,
                ..Default::default()
            },
            &l,
        );
        assert!(f.decide().drop);
        f.set(SimFaults::default(), &l);
        assert_eq!(f.decide(), Decision::default());
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
