//! Proactive per-tenant limiting: Tether keeps to the provider's published
//! limits by itself so a normal run provokes no 429, and when one comes
//! anyway every request of the tenant waits out its `Retry-After` (or, from
//! a provider that sends none, one window of its limit).
//!
//! The window, the calls in flight and the day are the tenant's
//! [`CallBudget`]'s, shared by every process working for the tenant when it
//! lives in the store; where the provider also limits an app across its
//! tenants, a call then finds room in the app's window too, and a batch
//! request in the tenant's batch window before that (always in that order,
//! so no two calls each hold a place the other waits for). A local semaphore
//! first keeps this process's own calls from asking the budget in vain.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use http::Extensions;
use reqwest::{Request, Response, StatusCode};
use reqwest_middleware::{Middleware, Next};
use tokio::sync::{Mutex, Semaphore};
use tokio::time::Instant;

use super::budget::{Begun, BudgetKey, CallBudget, Reservation, app_policy, batch_policy};
use super::memory_budget::MemoryBudget;
use crate::{Error, ErrorKind, RateLimitPolicy};

/// Longest `Retry-After` waited out in-process; past it the call fails as
/// rate limited and the run resumes later from its checkpoint.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// Marks a request carrying several operations (a provider's batch
/// endpoint), which the provider may limit apart from its other calls
/// (`RateLimitPolicy::batch_per_window`): a connector sets it with
/// `RequestBuilder::with_extension(Batch)`.
#[derive(Debug, Clone, Copy)]
pub struct Batch;

/// One budget a call must find room in before it starts.
struct Gate {
    key: BudgetKey,
    policy: RateLimitPolicy,
}

impl Gate {
    fn of(key: BudgetKey, policy: Option<RateLimitPolicy>) -> Option<Gate> {
        policy.map(|policy| Gate { key, policy })
    }
}

/// One tenant's limits: its call budget (window, in flight, day) and its
/// app's, this process's own calls in flight, and a pause set by a 429.
pub struct TenantLimiter {
    in_flight: Semaphore,
    budget: Arc<dyn CallBudget>,
    /// The tenant's budget.
    tenant: Gate,
    /// Its batch requests' window, when the provider limits them apart.
    batches: Option<Gate>,
    /// Its app's window across tenants, when the provider limits apps.
    app: Option<Gate>,
    /// How long a reservation of a call that never ended holds its place.
    ttl: Duration,
    budget_header: Option<&'static str>,
    paused_until: Mutex<Option<Instant>>,
    /// How long a 429 without `Retry-After` is waited out: one window of
    /// the provider's limit, after which a sliding window has room again.
    window: Duration,
}

impl TenantLimiter {
    /// A limiter keeping to `policy` in this process alone; `budget_header`
    /// names the response header with the provider's remaining daily budget.
    pub fn new(policy: RateLimitPolicy, budget_header: Option<&'static str>) -> Self {
        TenantLimiter::shared(
            policy,
            budget_header,
            Arc::new(MemoryBudget::default()),
            BudgetKey::tenant("local", ""),
            None,
            Duration::from_secs(90),
        )
    }

    /// A limiter keeping to `policy` within `key`'s share of `budget` and,
    /// when the policy has an app limit and `app` names the app, within the
    /// app's share too; a reservation never ended expires after `ttl`.
    pub fn shared(
        policy: RateLimitPolicy,
        budget_header: Option<&'static str>,
        budget: Arc<dyn CallBudget>,
        key: BudgetKey,
        app: Option<BudgetKey>,
        ttl: Duration,
    ) -> Self {
        TenantLimiter {
            in_flight: Semaphore::new(policy.concurrency.max(1) as usize),
            budget,
            batches: Gate::of(key.batches(), batch_policy(&policy)),
            app: app.and_then(|key| Gate::of(key, app_policy(&policy))),
            tenant: Gate { key, policy },
            ttl,
            budget_header,
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

    /// Waits until every budget of the call (`batch`: a batch request) lets
    /// it start; fails at once when the tenant's day is spent (what was
    /// reserved is given back).
    async fn reserve(&self, batch: bool) -> crate::Result<Ending> {
        let mut ending = Ending {
            budget: self.budget.clone(),
            reservations: Vec::with_capacity(3),
        };
        let batches = self.batches.as_ref().filter(|_| batch);
        let gates = std::iter::once(&self.tenant)
            .chain(batches)
            .chain(&self.app);
        for gate in gates {
            loop {
                self.wait_for_pause().await;
                match self.budget.begin(&gate.key, &gate.policy, self.ttl).await? {
                    Begun::Go(reservation) => {
                        ending.reservations.push(reservation);
                        break;
                    }
                    Begun::Wait(wait) => tokio::time::sleep(wait).await,
                }
            }
        }
        Ok(ending)
    }

    fn day_remaining(&self, response: &Response) -> Option<u64> {
        self.budget_header
            .and_then(|h| response.headers().get(h))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
            .map(|v| u64::try_from(v).unwrap_or(0))
    }
}

/// Ends a call's reservations: explicitly once the answer came, or, when
/// the call was dropped half-way (a timeout above, Ctrl-C), from a task of
/// its own.
struct Ending {
    budget: Arc<dyn CallBudget>,
    /// The tenant's first: the provider's remaining day is the tenant's.
    reservations: Vec<Reservation>,
}

impl Ending {
    async fn end(mut self, day_remaining: Option<u64>) {
        let reported = std::iter::once(day_remaining).chain(std::iter::repeat(None));
        for (r, remaining) in std::mem::take(&mut self.reservations).iter().zip(reported) {
            if let Err(e) = self.budget.end(r, remaining).await {
                // The reservation expires on its own; the call itself went well.
                tracing::warn!(key = %r.key, error = %e, "could not end a call's reservation");
            }
        }
    }
}

impl Drop for Ending {
    fn drop(&mut self) {
        let reservations = std::mem::take(&mut self.reservations);
        if !reservations.is_empty()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let budget = self.budget.clone();
            runtime.spawn(async move {
                for r in &reservations {
                    let _ = budget.end(r, None).await;
                }
            });
        }
    }
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
        let _permit = limiter
            .in_flight
            .acquire()
            .await
            .map_err(|e| Error::new(ErrorKind::Permanent, e.to_string()))?;
        let ending = limiter.reserve(extensions.get::<Batch>().is_some()).await?;
        let response = next.run(req, extensions).await;
        let remaining = response
            .as_ref()
            .ok()
            .and_then(|r| limiter.day_remaining(r));
        ending.end(remaining).await;
        let response = response?;
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

    #[tokio::test]
    async fn pause_only_moves_forward() {
        let limiter = TenantLimiter::new(
            RateLimitPolicy {
                concurrency: 1,
                per_window: 60,
                window: Duration::from_secs(60),
                per_day: None,
                app_per_window: None,
                batch_per_window: None,
            },
            None,
        );
        limiter.pause_for(Duration::from_secs(30)).await;
        let first = limiter.paused_until.lock().await.unwrap();
        limiter.pause_for(Duration::from_secs(1)).await;
        assert_eq!(limiter.paused_until.lock().await.unwrap(), first);
    }
}
