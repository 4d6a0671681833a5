//! What the simulator counted: the kit's request and OAuth counters plus
//! the one QuickBooks adds, calls made without `?minorversion=` (Intuit
//! answers those as the oldest supported version, so a connector should
//! never send one).

use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// The counters since start or the last reset (`GET /_sim/stats`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SimStats {
    /// Requests per route, 429s, injected errors, lost answers, OAuth grants.
    #[serde(flatten)]
    pub counters: tether_sim_kit::SimStats,
    /// API calls that carried no `minorversion` parameter.
    pub missing_minorversion: u64,
}

impl Deref for SimStats {
    type Target = tether_sim_kit::SimStats;

    fn deref(&self) -> &Self::Target {
        &self.counters
    }
}

/// The live counters.
#[derive(Default)]
pub(crate) struct Stats {
    pub kit: tether_sim_kit::stats::Stats,
    missing_minorversion: AtomicU64,
}

impl Stats {
    /// Counts an API call without `minorversion`.
    pub(crate) fn missing_minorversion(&self) {
        self.missing_minorversion.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters now.
    pub(crate) fn snapshot(&self) -> SimStats {
        SimStats {
            counters: self.kit.snapshot(),
            missing_minorversion: self.missing_minorversion.load(Ordering::Relaxed),
        }
    }

    /// Zeroes every counter.
    pub(crate) fn reset(&self) {
        self.kit.reset();
        self.missing_minorversion.store(0, Ordering::Relaxed);
    }
}
