//! A tenant's call budget, shared by everything that calls for the tenant:
//! in one process ([`MemoryBudget`](super::MemoryBudget)) or, through the
//! store, in every process of a deployment. The provider counts calls per
//! tenant whoever makes them, so N workers each keeping to the limit on
//! their own would spend N times it.
//!
//! The window is an exact sliding-window log, not a token bucket: a call
//! may start while fewer than `per_window` calls of the key were counted in
//! the last `window`, where a call in flight counts as "now" and a finished
//! call counts at the moment its response arrived. The provider saw the call
//! between its start and that moment, so whatever its window's alignment,
//! it never counts more than `per_window` of ours in any of its windows.

use std::time::Duration;

use async_trait::async_trait;

use crate::{Error, ErrorKind, RateLimitPolicy, Result};

/// Added to the window before a finished call stops counting: it covers
/// clocks read at millisecond precision and the provider's clock running
/// a hair apart from the one the budget is kept by.
pub const WINDOW_MARGIN: Duration = Duration::from_millis(10);

/// How long a caller waits before asking again when nothing but calls in
/// flight (whose end time nobody knows yet) stands in its way.
pub const POLL: Duration = Duration::from_millis(25);

/// Milliseconds in a UTC day, the period of the daily budget.
pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Whose budget a call spends: one per provider and tenant, so two
/// connections to one tenant (or two processes) share it; and, where the
/// provider limits an app as a whole, one per app across its tenants.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BudgetKey(String);

impl BudgetKey {
    /// The key of `tenant` at `provider`.
    pub fn tenant(provider: &str, tenant: &str) -> BudgetKey {
        BudgetKey(format!("{provider}:{tenant}"))
    }

    /// The key of the app (OAuth client) `client_id` at `provider`, whose
    /// calls for all its tenants count against one limit.
    pub fn app(provider: &str, client_id: &str) -> BudgetKey {
        BudgetKey(format!("{provider}:app:{client_id}"))
    }

    /// The key of this tenant's batch requests, where the provider limits
    /// them apart from its other calls.
    pub fn batches(&self) -> BudgetKey {
        BudgetKey(format!("{}:batch", self.0))
    }

    /// The key as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for BudgetKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A call's place in its key's budget, from [`CallBudget::begin`] until
/// [`CallBudget::end`] (or until it expires, when its process died).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    /// Whose budget it spends.
    pub key: BudgetKey,
    /// Its id within the budget.
    pub id: i64,
}

/// What [`CallBudget::begin`] answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begun {
    /// The call may start now; end the reservation when its answer came.
    Go(Reservation),
    /// Ask again after this long.
    Wait(Duration),
}

/// The per-key budget calls are admitted by.
#[async_trait]
pub trait CallBudget: Send + Sync {
    /// Reserves a place for one call of `key` under `policy`, or says how
    /// long to wait. A reservation never ended stops holding its place
    /// after `ttl` (the request timeout and a margin). A key whose day is
    /// spent fails at once as [`ErrorKind::RateLimited`], with the time
    /// until the UTC day's reset as its retry-after.
    async fn begin(
        &self,
        key: &BudgetKey,
        policy: &RateLimitPolicy,
        ttl: Duration,
    ) -> Result<Begun>;

    /// Ends a call: it counts in the window from now on, and frees its
    /// in-flight place. `day_remaining` is what the provider said is left of
    /// the tenant's day, when it says; the lower of that and the policy's
    /// daily budget is kept.
    async fn end(&self, reservation: &Reservation, day_remaining: Option<u64>) -> Result<()>;
}

/// What stands in a call's way in the window, judged from the key's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing: it may start.
    Go,
    /// Calls in flight: ask again after [`POLL`].
    Poll,
    /// The window is full: the call may start once the finished call at
    /// this index (oldest first, among those still counting) has left it.
    UntilLeaves(u64),
}

/// Judges a call against `policy` given the calls of its key in flight and
/// the calls counting in its window (those in flight included).
pub fn verdict(policy: &RateLimitPolicy, in_flight: u64, in_window: u64) -> Verdict {
    let per_window = u64::from(policy.per_window.max(1));
    if in_flight >= u64::from(policy.concurrency.max(1)) {
        return Verdict::Poll;
    }
    if in_window < per_window {
        return Verdict::Go;
    }
    // in_window - per_window + 1 calls must leave; finished ones leave in
    // the order they finished, so the last of them is at this index.
    let index = in_window - per_window;
    let finished = in_window - in_flight;
    if index < finished {
        Verdict::UntilLeaves(index)
    } else {
        Verdict::Poll
    }
}

/// How long until a call that finished at `ended_ms` leaves the window, at `now_ms`.
pub fn until_leaves(policy: &RateLimitPolicy, ended_ms: i64, now_ms: i64) -> Duration {
    let leaves = ended_ms + window_ms(policy);
    Duration::from_millis(u64::try_from(leaves - now_ms).unwrap_or(0).max(1))
}

/// The window plus [`WINDOW_MARGIN`], in milliseconds.
pub fn window_ms(policy: &RateLimitPolicy) -> i64 {
    i64::try_from((policy.window + WINDOW_MARGIN).as_millis()).unwrap_or(i64::MAX / 4)
}

/// The calls left of a day, from the policy's budget and the lowest the
/// provider reported (`cap`); `None` when neither limits it.
pub fn day_limit(policy: &RateLimitPolicy, cap: Option<i64>) -> Option<i64> {
    let per_day = policy.per_day.map(i64::from);
    match (per_day, cap) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The policy of an app's budget under a tenant `policy` that has an app
/// limit: its calls per window, over the same window, with no limit of its
/// own on calls in flight or per day (those are the tenants').
pub fn app_policy(policy: &RateLimitPolicy) -> Option<RateLimitPolicy> {
    policy.app_per_window.map(|n| window_only(policy, n))
}

/// The policy of a tenant's batch requests under `policy`, when it limits
/// them apart: as [`app_policy`], a window of their own.
pub fn batch_policy(policy: &RateLimitPolicy) -> Option<RateLimitPolicy> {
    policy.batch_per_window.map(|n| window_only(policy, n))
}

/// `per_window` calls over `policy`'s window, and no other limit.
fn window_only(policy: &RateLimitPolicy, per_window: u32) -> RateLimitPolicy {
    RateLimitPolicy {
        concurrency: u32::MAX,
        per_window,
        window: policy.window,
        per_day: None,
        app_per_window: None,
        batch_per_window: None,
    }
}

/// The refusal of a call whose key spent its day; it may go again at the
/// UTC day's reset, `now_ms` being the budget's clock.
pub fn day_spent(key: &BudgetKey, spent: i64, now_ms: i64) -> Error {
    let reset_in =
        Duration::from_millis(u64::try_from(DAY_MS - now_ms.rem_euclid(DAY_MS)).unwrap_or(0));
    Error::new(
        ErrorKind::RateLimited,
        format!(
            "the daily call budget of {key} is spent ({spent} calls today); it resets in {}m at 00:00 UTC",
            reset_in.as_secs().div_ceil(60)
        ),
    )
    .with_retry_after(reset_in)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(concurrency: u32, per_window: u32) -> RateLimitPolicy {
        RateLimitPolicy {
            concurrency,
            per_window,
            window: Duration::from_secs(2),
            per_day: Some(100),
            app_per_window: None,
            batch_per_window: None,
        }
    }

    #[test]
    fn in_flight_calls_block_and_count() {
        let p = policy(3, 10);
        assert_eq!(verdict(&p, 2, 9), Verdict::Go);
        assert_eq!(verdict(&p, 3, 3), Verdict::Poll);
        // full: 10 counting, 2 in flight, so the oldest finished one leaves first
        assert_eq!(verdict(&p, 2, 10), Verdict::UntilLeaves(0));
        assert_eq!(verdict(&p, 0, 12), Verdict::UntilLeaves(2));
        // full of calls in flight only: nobody knows when one leaves
        assert_eq!(verdict(&policy(20, 10), 10, 10), Verdict::Poll);
    }

    #[test]
    fn a_finished_call_leaves_one_window_and_margin_after_it_ended() {
        let p = policy(3, 10);
        assert_eq!(until_leaves(&p, 1_000, 1_000), Duration::from_millis(2_010));
        assert_eq!(until_leaves(&p, 1_000, 5_000), Duration::from_millis(1));
    }

    #[test]
    fn the_lower_day_limit_wins() {
        let p = policy(3, 10);
        assert_eq!(day_limit(&p, None), Some(100));
        assert_eq!(day_limit(&p, Some(40)), Some(40));
        assert_eq!(day_limit(&p, Some(400)), Some(100));
        let none = RateLimitPolicy { per_day: None, ..p };
        assert_eq!(day_limit(&none, None), None);
    }

    #[test]
    fn an_app_budget_limits_only_its_window() {
        let p = RateLimitPolicy {
            app_per_window: Some(1000),
            batch_per_window: None,
            ..policy(3, 10)
        };
        let app = app_policy(&p).unwrap();
        assert_eq!(
            (app.per_window, app.window, app.per_day),
            (1000, p.window, None)
        );
        assert_eq!(verdict(&app, 500, 999), Verdict::Go);
        assert_eq!(verdict(&app, 500, 1000), Verdict::UntilLeaves(0));
        assert_eq!(app_policy(&policy(3, 10)), None);
        assert_ne!(
            BudgetKey::app("xero", "t1"),
            BudgetKey::tenant("xero", "t1")
        );
    }

    #[test]
    fn a_spent_day_waits_for_midnight_utc() {
        let key = BudgetKey::tenant("xero", "t1");
        let e = day_spent(&key, 5, 3 * DAY_MS + DAY_MS - 60_000);
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(60)));
        assert!(e.message().contains("xero:t1"), "{e}");
    }
}
