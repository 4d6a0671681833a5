//! Progress bars for long pulls, drawn on stderr (hidden when it is not a
//! terminal, and with `--json`). The running kind's bar also says when calls
//! are being retried and why, so a slow provider is never a silent wait.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use tether_core::export::{ExportObserver, KindExport};
use tether_core::http::ApiStats;
use tether_core::sync::{KindReport, SyncObserver};

/// One bar per kind.
#[derive(Clone)]
pub struct Bars {
    inner: Arc<Inner>,
}

struct Inner {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
    running: Mutex<Option<String>>,
}

impl Bars {
    pub fn new(hidden: bool) -> Self {
        let target = if hidden {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        Bars {
            inner: Arc::new(Inner {
                multi: MultiProgress::with_draw_target(target),
                bars: Mutex::new(HashMap::new()),
                running: Mutex::new(None),
            }),
        }
    }

    /// Shows the retries counted in `stats` on the running kind's bar, until
    /// the returned guard is dropped.
    pub fn watch(&self, stats: Arc<ApiStats>) -> WatchGuard {
        let bars = self.clone();
        WatchGuard(tokio::spawn(async move {
            let mut seen = stats.retries();
            loop {
                tokio::time::sleep(Duration::from_millis(200)).await;
                let retries = stats.retries();
                if retries == seen {
                    continue;
                }
                seen = retries;
                let running = lock(&bars.inner.running).clone();
                if let Some(kind) = running {
                    let why = stats.last_retry().unwrap_or_default();
                    bars.bar(&kind)
                        .set_message(format!("retrying ({retries} so far): {why}"));
                }
            }
        }))
    }

    fn bar(&self, kind: &str) -> ProgressBar {
        let mut bars = lock(&self.inner.bars);
        bars.entry(kind.to_owned())
            .or_insert_with(|| {
                let bar = self.inner.multi.add(ProgressBar::no_length());
                bar.set_style(
                    ProgressStyle::with_template("{prefix:>20} {bar:30} {pos}/{len} {rate} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .with_key(
                            "rate",
                            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                                let _ = write!(w, "{:.0}/s", state.per_sec());
                            },
                        ),
                );
                bar.set_prefix(kind.to_owned());
                bar
            })
            .clone()
    }
}

/// Stops the retry display when dropped.
pub struct WatchGuard(tokio::task::JoinHandle<()>);

impl Drop for WatchGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SyncObserver for Bars {
    fn started(&self, kind: &str, resumed: bool) {
        *lock(&self.inner.running) = Some(kind.to_owned());
        let bar = self.bar(kind);
        if resumed {
            bar.set_message("resuming");
        }
    }

    fn page(&self, kind: &str, fetched: u64, total: Option<u64>) {
        let bar = self.bar(kind);
        bar.set_length(total.unwrap_or(fetched).max(fetched));
        bar.set_position(fetched);
    }

    fn finished(&self, report: &KindReport) {
        *lock(&self.inner.running) = None;
        let bar = self.bar(report.kind);
        let message = match &report.error {
            Some(_) => report.status.as_str().to_owned(),
            None => "done".to_owned(),
        };
        bar.finish_with_message(message);
    }
}

impl ExportObserver for Bars {
    fn started(&self, kind: &str) {
        *lock(&self.inner.running) = Some(kind.to_owned());
        self.bar(kind).set_message("exporting");
    }

    fn progress(&self, kind: &str, done: u64) {
        let bar = self.bar(kind);
        bar.set_length(done);
        bar.set_position(done);
    }

    fn finished(&self, report: &KindExport) {
        *lock(&self.inner.running) = None;
        let message = match &report.error {
            Some(_) => report.status.as_str().to_owned(),
            None => "done".to_owned(),
        };
        self.bar(report.kind).finish_with_message(message);
    }
}
