//! Progress bars for long pulls, drawn on stderr (hidden when it is not a terminal).

use std::collections::HashMap;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tether_core::sync::{KindReport, SyncObserver};

/// One bar per kind.
pub struct Bars {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl Bars {
    pub fn new(hidden: bool) -> Self {
        let target = if hidden {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        Bars {
            multi: MultiProgress::with_draw_target(target),
            bars: Mutex::new(HashMap::new()),
        }
    }

    fn bar(&self, kind: &str) -> ProgressBar {
        let mut bars = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        bars.entry(kind.to_owned())
            .or_insert_with(|| {
                let bar = self.multi.add(ProgressBar::no_length());
                bar.set_style(
                    ProgressStyle::with_template(
                        "{prefix:>20} {bar:30} {pos}/{len} {per_sec} {msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar.set_prefix(kind.to_owned());
                bar
            })
            .clone()
    }
}

impl SyncObserver for Bars {
    fn started(&self, kind: &str, resumed: bool) {
        let bar = self.bar(kind);
        if resumed {
            bar.set_message("resuming");
        }
    }

    fn page(&self, kind: &str, fetched: u64, total: Option<u64>) {
        let bar = self.bar(kind);
        if let Some(total) = total {
            bar.set_length(total);
        } else {
            bar.set_length(fetched);
        }
        bar.set_position(fetched);
    }

    fn finished(&self, report: &KindReport) {
        let bar = self.bar(report.kind);
        let message = match &report.error {
            Some(_) => "failed".to_owned(),
            None => "done".to_owned(),
        };
        bar.finish_with_message(message);
    }
}
