//! Injected faults: latency, 500s (Fault 10000), forced 429s and write
//! answers lost after the write was applied.
//! Interim: to be replaced by `tether-sim-kit`'s faults when they land.

use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tether_sim_kit::rng::SimRng;

/// Faults injected into API calls (not into OAuth or `/_sim` endpoints);
/// set at start, by `POST /_sim/faults`, or through the handle.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SimFaults {
    /// Delay added to every API call, in milliseconds.
    pub latency_ms: u64,
    /// Fraction (0..=1) of API calls answered 500 with Fault 10000, not run.
    pub error_rate: f64,
    /// The next N API calls are answered 429 (Fault 003001), not run.
    pub force_429: u32,
    /// The next N writes are applied and their connection then closed
    /// without an answer: the provider committed, the client never heard.
    pub lose_write_answers: u32,
}

/// What happens to one call.
#[derive(Debug, Default)]
pub(crate) struct Decision {
    pub latency: Duration,
    pub error: bool,
    pub throttle: bool,
    pub lose_answer: bool,
}

/// The live fault settings and the draws they make.
pub(crate) struct Faults {
    inner: Mutex<(SimFaults, SimRng)>,
}

impl Faults {
    /// Faults as configured, drawing from `seed`.
    pub(crate) fn new(faults: SimFaults, seed: u64) -> Self {
        Self {
            inner: Mutex::new((faults, SimRng::new(seed, 3, 0))),
        }
    }

    /// The current settings.
    pub(crate) fn get(&self) -> SimFaults {
        self.inner.lock().map(|g| g.0.clone()).unwrap_or_default()
    }

    /// Replaces the settings.
    pub(crate) fn set(&self, faults: SimFaults) {
        if let Ok(mut g) = self.inner.lock() {
            g.0 = faults;
        }
    }

    /// Decides one API call's fate (counting down the forced ones).
    pub(crate) fn decide(&self, write: bool) -> Decision {
        let Ok(mut g) = self.inner.lock() else {
            return Decision::default();
        };
        let (f, rng) = &mut *g;
        let mut d = Decision {
            latency: Duration::from_millis(f.latency_ms),
            ..Decision::default()
        };
        if f.force_429 > 0 {
            f.force_429 -= 1;
            d.throttle = true;
        } else if f.error_rate > 0.0 && (rng.below(1_000_000) as f64) < f.error_rate * 1e6 {
            d.error = true;
        } else if write && f.lose_write_answers > 0 {
            f.lose_write_answers -= 1;
            d.lose_answer = true;
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forced_faults_count_down_and_rates_hold() {
        let f = Faults::new(SimFaults { force_429: 2, lose_write_answers: 1, ..SimFaults::default() }, 1);
        assert!(f.decide(false).throttle && f.decide(true).throttle);
        assert!(!f.decide(false).lose_answer, "reads keep their answers");
        assert!(f.decide(true).lose_answer);
        assert!(!f.decide(true).lose_answer);
        f.set(SimFaults { error_rate: 1.0, ..SimFaults::default() });
        assert!(f.decide(false).error);
        f.set(SimFaults { error_rate: 0.0, ..SimFaults::default() });
        assert!((0..100).all(|_| !f.decide(false).error));
    }
}
