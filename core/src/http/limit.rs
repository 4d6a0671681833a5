//! Proactive per-tenant limiting: Tether keeps to the provider's published
//! limits by itself so a normal run provokes no 429, and when one comes
//! anyway every request of the tenant waits out its `Retry-After` (or, from
//! a provider that sends none, one window of its limit).

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use http::Extensions;
use reqwest::{Request, Response, StatusCode};
use reqwest_middleware::{Middleware, Next};
use tokio::sync::{Mutex, Semaphore};
use tokio::time::Instant;

use crate::{Error, ErrorKind, RateLimitPolicy};

/// Longest `Retry-After` waited out in-process; past it the call fails as
/// rate limited and the run resumes later from its checkpoint.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// One tenant's limits: in-flight requests, requests per window, the daily
/// budget the provider reports, and a pause set by a 429.
pub struct TenantLimiter {
    in_flight: Semaphore,
    rate: DefaultDirectRateLimiter,
    budget_header: Option<&'static str>,
    day_remaining: AtomicI64,
    paused_until: Mutex<Option<Instant>>,
    /// How long a 429 without `Retry-After` is waited out: one window of
    /// the provider's limit, after which a sliding window has room again.
    window: Duration,
}

impl TenantLimiter {
    /// A limiter keeping to `policy`; `budget_header` names the response
    /// header with the provider's remaining daily budget.
    pub fn new(policy: RateLimitPolicy, budget_header: Option<&'static str>) -> Self {
        TenantLimiter {
            in_flight: Semaphore::new(policy.concurrency.max(1) as usize),
            rate: RateLimiter::direct(window_quota(policy.per_window, policy.window)),
            budget_header,
            day_remaining: AtomicI64::new(i64::MAX),
            paused_until: Mutex::new(None),
            window: policy.window,
        }
    }

    async fn wait_for_pause(&self) {
        let until = *self.paused_until.lock().await;
        if let Some(until) = until {
            tokio::time::sleep_until(until).await;
        }
    }

    async fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut paused = self.paused_until.lock().await;
        if paused.is_none_or(|p| p < until) {
            *paused = Some(until);
        }
    }

    fn observe_budget(&self, response: &Response) {
        let remaining = self
            .budget_header
            .and_then(|h| response.headers().get(h))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok());
        if let Some(remaining) = remaining {
            self.day_remaining.store(remaining, Ordering::Relaxed);
        }
    }
}

/// A GCRA quota that can never exceed `limit` calls in any window of length
/// `window`, whatever the provider's window alignment: a burst `b` plus
/// `limit - b` evenly spaced calls. A plain "limit per window" quota would
/// allow a full burst plus a full refill inside one sliding window.
fn window_quota(limit: u32, window: Duration) -> Quota {
    let limit = limit.max(1);
    let burst = (limit / 6).max(1);
    let refill = (limit - burst).max(1);
    let period = window / refill;
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period.max(Duration::from_micros(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
        .allow_burst(burst)
}

/// The `Retry-After` of a response, in seconds or as an HTTP date.
pub(crate) fn retry_after(response: &Response) -> Option<Duration> {
    let value = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    if let Ok(secs) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
        .to_std()
        .ok()
}

/// The middleware holding a [`TenantLimiter`].
pub struct RateLimitLayer {
    limiter: Arc<TenantLimiter>,
}

impl RateLimitLayer {
    /// Limits through `limiter`.
    pub fn new(limiter: Arc<TenantLimiter>) -> Self {
        RateLimitLayer { limiter }
    }
}

#[async_trait]
impl Middleware for RateLimitLayer {
    async fn handle(
        &self,
        req: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let limiter = &self.limiter;
        if limiter.day_remaining.load(Ordering::Relaxed) <= 0 {
            return Err(Error::new(
                ErrorKind::RateLimited,
                "the provider's daily call budget for this tenant is spent; run again tomorrow",
            )
            .into());
        }
        limiter.wait_for_pause().await;
        let _permit = limiter
            .in_flight
            .acquire()
            .await
            .map_err(|e| Error::new(ErrorKind::Permanent, e.to_string()))?;
        limiter.rate.until_ready().await;
        let response = next.run(req, extensions).await?;
        limiter.observe_budget(&response);
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            let wait = retry_after(&response).unwrap_or(limiter.window);
            tracing::warn!(
                wait_secs = wait.as_secs_f64(),
                problem = response
                    .headers()
                    .get("x-rate-limit-problem")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("unspecified"),
                "provider asked us to slow down"
            );
            if wait > MAX_RETRY_AFTER {
                return Err(Error::new(
                    ErrorKind::RateLimited,
                    format!(
                        "the provider asks to wait {}s; stopping here, the next run resumes",
                        wait.as_secs()
                    ),
                )
                .with_retry_after(wait)
                .into());
            }
            limiter.pause_for(wait).await;
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_never_exceeds_the_window() {
        // burst + refills inside one window must stay within the limit
        for (limit, window) in [(60, 60), (60, 2), (10, 1), (2, 1), (5000, 86_400)] {
            let window = Duration::from_secs(window);
            let quota = window_quota(limit, window);
            let burst = quota.burst_size().get();
            let refills =
                (window.as_secs_f64() / quota.replenish_interval().as_secs_f64()).floor() as u32;
            assert!(
                burst + refills <= limit.max(1),
                "limit {limit}: {burst} + {refills}"
            );
            assert!(
                burst + refills >= limit * 9 / 10,
                "limit {limit} underused: {burst} + {refills}"
            );
        }
    }

    #[tokio::test]
    async fn pause_only_moves_forward() {
        let limiter = TenantLimiter::new(
            RateLimitPolicy {
                concurrency: 1,
                per_window: 60,
                window: Duration::from_secs(60),
                per_day: None,
            },
            None,
        );
        limiter.pause_for(Duration::from_secs(30)).await;
        let first = limiter.paused_until.lock().await.unwrap();
        limiter.pause_for(Duration::from_secs(1)).await;
        assert_eq!(limiter.paused_until.lock().await.unwrap(), first);
    }
}
