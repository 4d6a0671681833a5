//! The clock the auth side reads: real time plus an offset tests can move
//! forward, so code expiry, the refresh grace period and the 60-day idle
//! expiry can be shown in milliseconds. One per simulator, never global:
//! many simulators run side by side in one test process.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Real time shifted by a movable offset.
#[derive(Default)]
pub struct SimClock {
    offset_ms: AtomicI64,
}

impl SimClock {
    /// Milliseconds since the Unix epoch as the auth side sees them.
    pub fn now_ms(&self) -> i64 {
        now_ms() + self.offset_ms.load(Ordering::SeqCst)
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 4);
        self.offset_ms.fetch_add(ms, Ordering::SeqCst);
    }

    /// How far the clock has been moved, in milliseconds.
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::SeqCst)
    }
}

/// Milliseconds since the Unix epoch, real time.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_only_this_clock() {
        let a = SimClock::default();
        let b = SimClock::default();
        a.advance(Duration::from_secs(3600));
        assert_eq!(a.offset_ms(), 3_600_000);
        assert_eq!(b.offset_ms(), 0);
        assert!(a.now_ms() - b.now_ms() >= 3_599_000);
    }
}
