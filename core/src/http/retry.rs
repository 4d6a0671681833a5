//! Retries with exponential backoff and jitter for what may pass (5xx,
//! dropped connections, timeouts), and immediate retries after a 429: the
//! rate-limit layer below already holds every request back until the
//! provider's `Retry-After` has passed.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use backon::{BackoffBuilder, ExponentialBuilder};
use http::Extensions;
use reqwest::{Request, Response, StatusCode};
use reqwest_middleware::{Middleware, Next};

use super::ApiStats;
use super::calls::CountAlso;

/// How hard to try before giving up on a call.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts after the first for 5xx and network failures.
    pub max_retries: usize,
    /// First backoff delay.
    pub min_delay: Duration,
    /// Longest backoff delay.
    pub max_delay: Duration,
    /// Consecutive 429s tolerated before giving up.
    pub max_throttled: usize,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 6,
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
            max_throttled: 10,
        }
    }
}

impl RetryPolicy {
    /// The delays between attempts: exponential, with jitter.
    pub fn backoff(&self) -> impl Iterator<Item = Duration> + use<> {
        ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries)
            .with_jitter()
            .build()
    }
}

fn is_retryable_status(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
}

/// Only transport failures are retried here. Errors raised by the layers
/// below (a token endpoint that kept failing, a spent daily budget) were
/// already retried or are final where they were raised.
fn is_retryable_error(error: &reqwest_middleware::Error) -> bool {
    match error {
        reqwest_middleware::Error::Reqwest(e) => {
            e.is_connect() || e.is_timeout() || e.is_request() || e.is_body()
        }
        reqwest_middleware::Error::Middleware(_) => false,
    }
}

/// See the module docs.
pub struct RetryLayer {
    policy: RetryPolicy,
    stats: Arc<ApiStats>,
}

impl RetryLayer {
    /// Retries per `policy`, counting into `stats`.
    pub fn new(policy: RetryPolicy, stats: Arc<ApiStats>) -> Self {
        RetryLayer { policy, stats }
    }
}

#[async_trait]
impl Middleware for RetryLayer {
    async fn handle(
        &self,
        req: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let mut backoff = self.policy.backoff();
        let mut throttled = 0;
        loop {
            let Some(attempt) = req.try_clone() else {
                // A streaming body cannot be replayed: one attempt only.
                return next.run(req, extensions).await;
            };
            let outcome = next.clone().run(attempt, extensions).await;
            let delay = match &outcome {
                Ok(r) if r.status() == StatusCode::TOO_MANY_REQUESTS => {
                    throttled += 1;
                    if throttled > self.policy.max_throttled {
                        return outcome;
                    }
                    Some(Duration::ZERO)
                }
                Ok(r) if is_retryable_status(r.status()) => backoff.next(),
                Ok(_) => return outcome,
                Err(e) if is_retryable_error(e) => backoff.next(),
                Err(_) => return outcome,
            };
            let Some(delay) = delay else {
                return outcome;
            };
            let reason = match &outcome {
                Ok(r) if r.status() == StatusCode::TOO_MANY_REQUESTS => {
                    "rate limited by the provider (429)".to_owned()
                }
                Ok(r) => format!("HTTP {}", r.status().as_u16()),
                Err(reqwest_middleware::Error::Reqwest(e)) => crate::error::transport_cause(e).1,
                Err(e) => e.to_string(),
            };
            tracing::debug!(%reason, ?delay, "retrying");
            if let Some(CountAlso(also)) = extensions.get::<CountAlso>() {
                also.count_retry(reason.clone());
            }
            self.stats.count_retry(reason);
            tokio::time::sleep(delay).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_and_grows() {
        let policy = RetryPolicy {
            max_retries: 4,
            min_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_throttled: 1,
        };
        let delays: Vec<_> = policy.backoff().collect();
        assert_eq!(delays.len(), 4);
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(2)));
        assert!(delays[0] >= Duration::from_millis(100));
    }

    #[test]
    fn only_server_faults_are_retried() {
        assert!(is_retryable_status(StatusCode::SERVICE_UNAVAILABLE));
        assert!(!is_retryable_status(StatusCode::BAD_REQUEST));
        assert!(!is_retryable_status(StatusCode::NOT_FOUND));
    }
}
