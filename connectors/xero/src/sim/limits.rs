//! Xero's rate limits: per tenant 5 concurrent, 60 per sliding minute and
//! 5000 per rolling day; per app 10,000 per minute. Windows slide: a request
//! counts while it is younger than the window.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::config::{Force429, SimLimits};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// Which limit refused a request (`X-Rate-Limit-Problem`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Problem {
    Concurrent,
    Minute,
    Daily,
    AppMinute,
}

impl Problem {
    pub(crate) fn header(self) -> &'static str {
        match self {
            Problem::Concurrent => "concurrent",
            Problem::Minute => "minute",
            Problem::Daily => "daily",
            Problem::AppMinute => "appminute",
        }
    }
}

/// Calls left, for the `X-*Limit-Remaining` headers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Remaining {
    pub minute: u32,
    pub day: u32,
    pub app_minute: u32,
}

/// A refused request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Throttle {
    pub problem: Problem,
    pub retry_after_secs: u64,
    pub remaining: Remaining,
}

#[derive(Default)]
struct TenantWindows {
    in_flight: u32,
    window: VecDeque<Instant>,
    day: VecDeque<Instant>,
    blocked_until: Option<(Instant, Problem)>,
}

#[derive(Default)]
struct State {
    tenants: HashMap<Uuid, TenantWindows>,
    app: VecDeque<Instant>,
    force: Option<Force429>,
}

/// The limiter shared by all requests.
pub(crate) struct Limiter {
    limits: SimLimits,
    state: Mutex<State>,
}

/// An admitted request; dropping it ends the request (concurrency slot freed).
pub(crate) struct Permit {
    limiter: Arc<Limiter>,
    tenant: Uuid,
    pub remaining: Remaining,
    pub in_flight: u32,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Ok(mut s) = self.limiter.state.lock()
            && let Some(t) = s.tenants.get_mut(&self.tenant)
        {
            t.in_flight = t.in_flight.saturating_sub(1);
        }
    }
}

fn prune(q: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
        q.pop_front();
    }
}

/// Whole seconds until `t` (at least 1).
fn secs_until(t: Instant, now: Instant) -> u64 {
    let d = t.saturating_duration_since(now);
    (d.as_millis().div_ceil(1000) as u64).max(1)
}

fn left(limit: u32, used: usize) -> u32 {
    limit.saturating_sub(used.min(u32::MAX as usize) as u32)
}

impl Limiter {
    pub(crate) fn new(limits: SimLimits, force: Option<Force429>) -> Self {
        Self {
            limits,
            state: Mutex::new(State {
                force: force.filter(|f| f.count > 0),
                ..State::default()
            }),
        }
    }

    /// Arms `force_429`: the next `count` requests are refused.
    pub(crate) fn force(&self, force: Option<Force429>) {
        if let Ok(mut s) = self.state.lock() {
            s.force = force.filter(|f| f.count > 0);
        }
    }

    /// Admits or refuses one API request of `tenant`.
    pub(crate) fn acquire(
        self: &Arc<Self>,
        tenant: Uuid,
        now: Instant,
    ) -> Result<Permit, Throttle> {
        let l = &self.limits;
        let Ok(mut guard) = self.state.lock() else {
            return Err(Throttle {
                problem: Problem::Concurrent,
                retry_after_secs: 1,
                remaining: Remaining::default(),
            });
        };
        let s = &mut *guard;
        prune(&mut s.app, now, l.window);
        let app_len = s.app.len();
        let t = s.tenants.entry(tenant).or_default();
        prune(&mut t.window, now, l.window);
        prune(&mut t.day, now, DAY);
        let remaining = Remaining {
            minute: left(l.per_window, t.window.len()),
            day: left(l.per_day, t.day.len()),
            app_minute: left(l.app_per_window, app_len),
        };
        let refuse = |problem: Problem, retry_after_secs: u64| Throttle {
            problem,
            retry_after_secs,
            remaining,
        };

        if let Some(f) = s.force.as_mut() {
            f.count -= 1;
            let secs = f.retry_after_secs;
            if f.count == 0 {
                s.force = None;
            }
            let t = s.tenants.entry(tenant).or_default();
            t.blocked_until = Some((now + Duration::from_secs(secs), Problem::Minute));
            return Err(refuse(Problem::Minute, secs.max(1)));
        }
        let t = s.tenants.entry(tenant).or_default();
        if let Some((until, problem)) = t.blocked_until {
            if until > now {
                return Err(refuse(problem, secs_until(until, now)));
            }
            t.blocked_until = None;
        }
        if l.enabled {
            if let Some(first) = t.day.front().filter(|_| t.day.len() >= l.per_day as usize) {
                return Err(refuse(Problem::Daily, secs_until(*first + DAY, now)));
            }
            if let Some(first) = t
                .window
                .front()
                .filter(|_| t.window.len() >= l.per_window as usize)
            {
                return Err(refuse(Problem::Minute, secs_until(*first + l.window, now)));
            }
            if let Some(first) = s
                .app
                .front()
                .filter(|_| app_len >= l.app_per_window as usize)
            {
                return Err(refuse(
                    Problem::AppMinute,
                    secs_until(*first + l.window, now),
                ));
            }
            if t.in_flight >= l.concurrent {
                return Err(refuse(Problem::Concurrent, 1));
            }
        }
        t.window.push_back(now);
        t.day.push_back(now);
        t.in_flight += 1;
        let in_flight = t.in_flight;
        let remaining = Remaining {
            minute: left(l.per_window, t.window.len()),
            day: left(l.per_day, t.day.len()),
            app_minute: left(l.app_per_window, app_len + 1),
        };
        s.app.push_back(now);
        Ok(Permit {
            limiter: self.clone(),
            tenant,
            remaining,
            in_flight,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_window: u32, window_ms: u64) -> Arc<Limiter> {
        Arc::new(Limiter::new(
            SimLimits {
                per_window,
                window: Duration::from_millis(window_ms),
                ..SimLimits::real()
            },
            None,
        ))
    }

    #[test]
    fn sliding_window_refuses_then_recovers() {
        let l = limiter(3, 1000);
        let t = Uuid::nil();
        let t0 = Instant::now();
        for i in 0..3u32 {
            let p = l
                .acquire(t, t0 + Duration::from_millis(u64::from(i) * 100))
                .unwrap();
            assert_eq!(p.remaining.minute, 2 - i);
        }
        let err = l.acquire(t, t0 + Duration::from_millis(300)).err().unwrap();
        assert_eq!(err.problem, Problem::Minute);
        assert_eq!(err.retry_after_secs, 1);
        assert_eq!(err.remaining.minute, 0);
        // The first request leaves the window at t0+1000ms.
        assert!(l.acquire(t, t0 + Duration::from_millis(1001)).is_ok());
        // Another tenant has its own window.
        assert!(
            l.acquire(Uuid::from_u128(7), t0 + Duration::from_millis(300))
                .is_ok()
        );
    }

    #[test]
    fn concurrency_is_released_on_drop() {
        let l = limiter(100, 60_000);
        let t = Uuid::nil();
        let now = Instant::now();
        let permits: Vec<Permit> = (0..5).map(|_| l.acquire(t, now).unwrap()).collect();
        assert_eq!(permits[4].in_flight, 5);
        assert_eq!(
            l.acquire(t, now).err().unwrap().problem,
            Problem::Concurrent
        );
        drop(permits);
        assert!(l.acquire(t, now).is_ok());
    }

    #[test]
    fn forced_429_blocks_tenant_until_retry_after() {
        let l = limiter(100, 60_000);
        l.force(Some(Force429 {
            count: 1,
            retry_after_secs: 2,
        }));
        let t = Uuid::nil();
        let now = Instant::now();
        assert_eq!(l.acquire(t, now).err().unwrap().retry_after_secs, 2);
        let again = l
            .acquire(t, now + Duration::from_millis(500))
            .err()
            .unwrap();
        assert_eq!(again.retry_after_secs, 2);
        assert!(l.acquire(t, now + Duration::from_millis(2001)).is_ok());
    }

    #[test]
    fn disabled_limits_count_but_admit() {
        let l = Arc::new(Limiter::new(
            SimLimits {
                per_window: 1,
                ..SimLimits::off()
            },
            None,
        ));
        let now = Instant::now();
        let _a = l.acquire(Uuid::nil(), now).unwrap();
        let b = l.acquire(Uuid::nil(), now).unwrap();
        assert_eq!(b.remaining.minute, 0);
    }
}
