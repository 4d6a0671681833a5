//! Progress reporting out of the sync loop (the CLI draws bars with it).

use super::KindReport;

/// Told about a sync as it goes; every method has a no-op default.
pub trait SyncObserver: Send + Sync {
    /// A kind's pull starts (or resumes).
    fn started(&self, _kind: &str, _resumed: bool) {}

    /// A page was committed; `fetched` objects so far of `total`, if known.
    fn page(&self, _kind: &str, _fetched: u64, _total: Option<u64>) {}

    /// A kind's pull ended.
    fn finished(&self, _report: &KindReport) {}
}

/// Reports nothing.
pub struct NoProgress;

impl SyncObserver for NoProgress {}
