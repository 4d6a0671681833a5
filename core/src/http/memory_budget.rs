//! The call budget of one process, for an [`super::Api`] built without a
//! store (connecting, a connector's own tests): the same log and the same
//! day as the store's, kept in memory.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use super::budget::{
    Begun, BudgetKey, CallBudget, DAY_MS, POLL, Reservation, Verdict, day_limit, day_spent, verdict,
};
use crate::{RateLimitPolicy, Result};

/// See the module docs.
#[derive(Default)]
pub struct MemoryBudget {
    keys: Mutex<HashMap<BudgetKey, KeyLog>>,
    next_id: AtomicI64,
}

#[derive(Default)]
struct KeyLog {
    /// Calls in flight: id and when the reservation expires.
    in_flight: HashMap<i64, Instant>,
    /// When finished calls ended, oldest first.
    ended: VecDeque<Instant>,
    day: i64,
    spent: i64,
    cap: Option<i64>,
    window: Duration,
}

impl KeyLog {
    /// Moves expired reservations to the finished calls (at their expiry)
    /// and drops finished calls that left the window.
    fn settle(&mut self, now: Instant) {
        let expired: Vec<(i64, Instant)> = self
            .in_flight
            .iter()
            .filter(|(_, until)| **until <= now)
            .map(|(id, until)| (*id, *until))
            .collect();
        for (id, until) in expired {
            self.in_flight.remove(&id);
            self.finish(until);
        }
        let window = self.window + super::budget::WINDOW_MARGIN;
        while self.ended.front().is_some_and(|e| *e + window <= now) {
            self.ended.pop_front();
        }
    }

    fn finish(&mut self, at: Instant) {
        let index = self.ended.partition_point(|e| *e <= at);
        self.ended.insert(index, at);
    }

    fn roll_day(&mut self, day: i64) {
        if self.day != day {
            self.day = day;
            self.spent = 0;
            self.cap = None;
        }
    }
}

fn utc_now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[async_trait]
impl CallBudget for MemoryBudget {
    async fn begin(
        &self,
        key: &BudgetKey,
        policy: &RateLimitPolicy,
        ttl: Duration,
    ) -> Result<Begun> {
        let now = Instant::now();
        let now_ms = utc_now_ms();
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        let log = keys.entry(key.clone()).or_default();
        log.window = policy.window;
        log.settle(now);
        log.roll_day(now_ms.div_euclid(DAY_MS));
        if let Some(limit) = day_limit(policy, log.cap)
            && log.spent >= limit
        {
            return Err(day_spent(key, log.spent, now_ms));
        }
        let in_flight = log.in_flight.len() as u64;
        let in_window = in_flight + log.ended.len() as u64;
        match verdict(policy, in_flight, in_window) {
            Verdict::Go => {}
            Verdict::Poll => return Ok(Begun::Wait(POLL)),
            Verdict::UntilLeaves(index) => {
                let ended = log.ended[index as usize];
                let leaves = ended + policy.window + super::budget::WINDOW_MARGIN;
                let wait = leaves.saturating_duration_since(now);
                return Ok(Begun::Wait(wait.max(Duration::from_millis(1))));
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        log.in_flight.insert(id, now + ttl);
        log.spent += 1;
        Ok(Begun::Go(Reservation {
            key: key.clone(),
            id,
        }))
    }

    async fn end(&self, reservation: &Reservation, day_remaining: Option<u64>) -> Result<()> {
        let now = Instant::now();
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        let Some(log) = keys.get_mut(&reservation.key) else {
            return Ok(());
        };
        if log.in_flight.remove(&reservation.id).is_some() {
            log.finish(now);
        }
        if let Some(remaining) = day_remaining {
            log.roll_day(utc_now_ms().div_euclid(DAY_MS));
            // Every finished call of today was counted by the provider.
            let finished = log.spent - log.in_flight.len() as i64;
            let cap = finished + i64::try_from(remaining).unwrap_or(i64::MAX / 4);
            log.cap = Some(log.cap.map_or(cap, |c| c.min(cap)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn policy() -> RateLimitPolicy {
        RateLimitPolicy {
            concurrency: 2,
            per_window: 3,
            window: Duration::from_secs(2),
            per_day: Some(5),
            app_per_window: None,
            batch_per_window: None,
        }
    }

    async fn go(b: &MemoryBudget, key: &BudgetKey) -> Reservation {
        match b
            .begin(key, &policy(), Duration::from_secs(60))
            .await
            .unwrap()
        {
            Begun::Go(r) => r,
            Begun::Wait(w) => panic!("waited {w:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_window_counts_finished_calls_from_their_end() {
        let b = MemoryBudget::default();
        let key = BudgetKey::tenant("p", "t");
        for _ in 0..2 {
            let r = go(&b, &key).await;
            b.end(&r, None).await.unwrap();
        }
        tokio::time::advance(Duration::from_millis(500)).await;
        let r = go(&b, &key).await;
        tokio::time::advance(Duration::from_millis(1000)).await;
        b.end(&r, None).await.unwrap();
        // 3 counting: wait until the first leaves, 2s and margin after its end
        let Begun::Wait(w) = b
            .begin(&key, &policy(), Duration::from_secs(60))
            .await
            .unwrap()
        else {
            panic!("the window is full");
        };
        assert_eq!(w, Duration::from_millis(510));
        tokio::time::advance(w).await;
        go(&b, &key).await;
    }

    #[tokio::test(start_paused = true)]
    async fn in_flight_places_free_on_end_or_expiry() {
        let b = MemoryBudget::default();
        let key = BudgetKey::tenant("p", "t");
        let wide = RateLimitPolicy {
            per_window: 100,
            ..policy()
        };
        let ttl = Duration::from_secs(1);
        let begin = || b.begin(&key, &wide, ttl);
        // a reservation whose process died: never ended
        assert!(matches!(begin().await.unwrap(), Begun::Go(_)));
        let Begun::Go(r) = begin().await.unwrap() else {
            panic!("a second place is free");
        };
        assert_eq!(begin().await.unwrap(), Begun::Wait(POLL));
        b.end(&r, None).await.unwrap();
        assert!(matches!(begin().await.unwrap(), Begun::Go(_)));
        assert_eq!(begin().await.unwrap(), Begun::Wait(POLL));
        tokio::time::advance(Duration::from_millis(1001)).await;
        // both expired and freed their places
        assert!(matches!(begin().await.unwrap(), Begun::Go(_)));
        assert!(matches!(begin().await.unwrap(), Begun::Go(_)));
    }

    #[tokio::test(start_paused = true)]
    async fn the_day_ends_at_the_lower_of_policy_and_provider() {
        let b = MemoryBudget::default();
        let key = BudgetKey::tenant("p", "t");
        let r = go(&b, &key).await;
        b.end(&r, Some(1)).await.unwrap();
        tokio::time::advance(Duration::from_secs(5)).await;
        let r = go(&b, &key).await;
        b.end(&r, None).await.unwrap();
        tokio::time::advance(Duration::from_secs(5)).await;
        let e = b
            .begin(&key, &policy(), Duration::from_secs(60))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert!(e.retry_after().is_some());
        // another tenant is untouched
        go(&b, &BudgetKey::tenant("p", "other")).await;
    }
}
