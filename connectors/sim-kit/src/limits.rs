//! The rate limiter every simulator puts in front of its API: per tenant
//! a concurrency limit, a sliding window and (optionally) a rolling day;
//! per app (optionally) a sliding window; plus forced 429s. Windows slide:
//! a request counts while it is younger than the window. How a refusal is
//! spelled (headers, body) is the provider's business.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::config::{Force429, Limits};
use crate::tenant::TenantId;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// Which limit refused a request, so the provider can name it (Xero's
/// `X-Rate-Limit-Problem`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Too many requests of the tenant in progress at once.
    Concurrent,
    /// The tenant's sliding window is full (also the problem of forced 429s).
    Window,
    /// The tenant's rolling day is full.
    Day,
    /// The app's sliding window is full.
    AppWindow,
}

/// Calls left, for the provider's remaining-calls headers; `None` where
/// the provider has no such limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Remaining {
    /// Left in the tenant's sliding window.
    pub window: u32,
    /// Left in the tenant's rolling day.
    pub day: Option<u32>,
    /// Left in the app's sliding window.
    pub app_window: Option<u32>,
}

/// A refused request: which limit, and when to come back.
#[derive(Debug, PartialEq, Eq)]
pub struct Throttle {
    /// The limit that refused it.
    pub problem: Problem,
    /// Seconds to announce in `Retry-After` (at least 1).
    pub retry_after_secs: u64,
    /// Calls left when it was refused.
    pub remaining: Remaining,
}

#[derive(Default)]
struct TenantWindows {
    in_flight: u32,
    window: VecDeque<Instant>,
    day: VecDeque<Instant>,
    blocked_until: Option<(Instant, Problem)>,
}

struct State<K> {
    tenants: HashMap<K, TenantWindows>,
    app: VecDeque<Instant>,
    force: Option<Force429>,
}

/// The limiter shared by all requests of one simulator, keyed by the
/// provider's tenant id.
pub struct Limiter<K: TenantId> {
    limits: Limits,
    state: Mutex<State<K>>,
}

/// An admitted request; dropping it ends the request (concurrency slot freed).
pub struct Permit<K: TenantId> {
    limiter: Arc<Limiter<K>>,
    tenant: K,
    /// Calls left after this one.
    pub remaining: Remaining,
    /// Requests of the tenant in progress, this one included.
    pub in_flight: u32,
}

impl<K: TenantId> Drop for Permit<K> {
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

/// The first entry of `q` when `q` holds `limit` or more: the one whose
/// leaving frees a call.
fn full(q: &VecDeque<Instant>, limit: u32) -> Option<Instant> {
    q.front().copied().filter(|_| q.len() >= limit as usize)
}

impl<K: TenantId> Limiter<K> {
    /// A limiter enforcing `limits`, with `force` 429s armed.
    pub fn new(limits: Limits, force: Option<Force429>) -> Self {
        Self {
            limits,
            state: Mutex::new(State {
                tenants: HashMap::new(),
                app: VecDeque::new(),
                force: force.filter(|f| f.count > 0),
            }),
        }
    }

    /// Arms `force_429`: the next `count` requests are refused.
    pub fn force(&self, force: Option<Force429>) {
        if let Ok(mut s) = self.state.lock() {
            s.force = force.filter(|f| f.count > 0);
        }
    }

    /// Admits or refuses one API request of `tenant`.
    pub fn acquire(self: &Arc<Self>, tenant: &K, now: Instant) -> Result<Permit<K>, Throttle> {
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
        let t = s.tenants.entry(tenant.clone()).or_default();
        prune(&mut t.window, now, l.window);
        prune(&mut t.day, now, DAY);
        let remaining = Remaining {
            window: left(l.per_window, t.window.len()),
            day: l.per_day.map(|d| left(d, t.day.len())),
            app_window: l.app_per_window.map(|a| left(a, app_len)),
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
            let t = s.tenants.entry(tenant.clone()).or_default();
            t.blocked_until = Some((now + Duration::from_secs(secs), Problem::Window));
            return Err(refuse(Problem::Window, secs.max(1)));
        }
        let t = s.tenants.entry(tenant.clone()).or_default();
        if let Some((until, problem)) = t.blocked_until {
            if until > now {
                return Err(refuse(problem, secs_until(until, now)));
            }
            t.blocked_until = None;
        }
        if l.enabled {
            if let Some(first) = l.per_day.and_then(|d| full(&t.day, d)) {
                return Err(refuse(Problem::Day, secs_until(first + DAY, now)));
            }
            if let Some(first) = full(&t.window, l.per_window) {
                return Err(refuse(Problem::Window, secs_until(first + l.window, now)));
            }
            if let Some(first) = l.app_per_window.and_then(|a| full(&s.app, a)) {
                return Err(refuse(
                    Problem::AppWindow,
                    secs_until(first + l.window, now),
                ));
            }
            if t.in_flight >= l.concurrent {
                return Err(refuse(Problem::Concurrent, 1));
            }
        }
        t.window.push_back(now);
        if l.per_day.is_some() {
            t.day.push_back(now);
        }
        t.in_flight += 1;
        let in_flight = t.in_flight;
        let remaining = Remaining {
            window: left(l.per_window, t.window.len()),
            day: l.per_day.map(|d| left(d, t.day.len())),
            app_window: l.app_per_window.map(|a| left(a, app_len + 1)),
        };
        if l.app_per_window.is_some() {
            s.app.push_back(now);
        }
        Ok(Permit {
            limiter: self.clone(),
            tenant: tenant.clone(),
            remaining,
            in_flight,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_window: u32, window_ms: u64) -> Limits {
        Limits {
            enabled: true,
            concurrent: 5,
            per_window,
            window: Duration::from_millis(window_ms),
            per_day: Some(5000),
            app_per_window: Some(10_000),
        }
    }

    fn limiter(per_window: u32, window_ms: u64) -> Arc<Limiter<u32>> {
        Arc::new(Limiter::new(limits(per_window, window_ms), None))
    }

    #[test]
    fn sliding_window_refuses_then_recovers() {
        let l = limiter(3, 1000);
        let t0 = Instant::now();
        for i in 0..3u32 {
            let p = l
                .acquire(&0, t0 + Duration::from_millis(u64::from(i) * 100))
                .unwrap();
            assert_eq!(p.remaining.window, 2 - i);
            assert_eq!(p.remaining.day, Some(4999 - i));
        }
        let err = l
            .acquire(&0, t0 + Duration::from_millis(300))
            .err()
            .unwrap();
        assert_eq!(err.problem, Problem::Window);
        assert_eq!(err.retry_after_secs, 1);
        assert_eq!(err.remaining.window, 0);
        // The first request leaves the window at t0+1000ms.
        assert!(l.acquire(&0, t0 + Duration::from_millis(1001)).is_ok());
        // Another tenant has its own window.
        assert!(l.acquire(&7, t0 + Duration::from_millis(300)).is_ok());
    }

    #[test]
    fn concurrency_is_released_on_drop() {
        let l = limiter(100, 60_000);
        let now = Instant::now();
        let permits: Vec<_> = (0..5).map(|_| l.acquire(&0, now).unwrap()).collect();
        assert_eq!(permits[4].in_flight, 5);
        assert_eq!(
            l.acquire(&0, now).err().unwrap().problem,
            Problem::Concurrent
        );
        drop(permits);
        assert!(l.acquire(&0, now).is_ok());
    }

    #[test]
    fn forced_429_blocks_tenant_until_retry_after() {
        let l = limiter(100, 60_000);
        l.force(Some(Force429 {
            count: 1,
            retry_after_secs: 2,
        }));
        let now = Instant::now();
        assert_eq!(l.acquire(&0, now).err().unwrap().retry_after_secs, 2);
        let again = l
            .acquire(&0, now + Duration::from_millis(500))
            .err()
            .unwrap();
        assert_eq!(again.retry_after_secs, 2);
        assert!(l.acquire(&0, now + Duration::from_millis(2001)).is_ok());
    }

    #[test]
    fn disabled_limits_count_but_admit() {
        let l = Arc::new(Limiter::new(
            Limits {
                enabled: false,
                ..limits(1, 60_000)
            },
            None,
        ));
        let now = Instant::now();
        let _a = l.acquire(&0, now).unwrap();
        let b = l.acquire(&0, now).unwrap();
        assert_eq!(b.remaining.window, 0);
    }

    #[test]
    fn string_tenants_without_day_or_app_limits() {
        let l = Arc::new(Limiter::new(
            Limits {
                per_day: None,
                app_per_window: None,
                ..limits(2, 60_000)
            },
            None,
        ));
        let now = Instant::now();
        let realm = "9130347".to_string();
        let p = l.acquire(&realm, now).unwrap();
        assert_eq!(p.remaining.day, None);
        assert_eq!(p.remaining.app_window, None);
        let _q = l.acquire(&realm, now).unwrap();
        assert_eq!(
            l.acquire(&realm, now).err().unwrap().problem,
            Problem::Window
        );
        assert!(l.acquire(&"42".to_string(), now).is_ok());
    }
}
