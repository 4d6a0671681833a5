//! The worker's config file: `--config FILE`, else `TETHER_WORKER_CONFIG`,
//! else `tether/worker.toml` in your config directory. No file means
//! Tether's defaults (see `tether_core::schedule`).
//!
//! ```toml
//! [defaults]
//! resync = "*/15 * * * *"   # cron; 6 fields when the first is seconds
//! full = "0 3 * * 0"        # the full reconciliation (resync --full)
//! export_poll_secs = 5      # how often pending local edits are looked for
//! jitter_secs = 60          # a stable offset per (connection, kind), up to this
//!
//! [connections.acme]
//! resync = "*/5 * * * *"
//!
//! [connections.acme.kinds.invoices]
//! resync = "* * * * *"
//! ```

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use tether_core::schedule::{Schedules, WorkerConfig};

/// Reads the schedules from `given`, or the default place.
pub fn load(given: Option<&Path>) -> Result<(Schedules, Option<PathBuf>)> {
    let (path, explicit) = match given {
        Some(path) => (path.to_owned(), true),
        None => match std::env::var_os("TETHER_WORKER_CONFIG") {
            Some(path) => (PathBuf::from(path), true),
            None => match dirs::config_dir() {
                Some(dir) => (dir.join("tether").join("worker.toml"), false),
                None => return Ok((Schedules::new(WorkerConfig::default())?, None)),
            },
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            return Ok((Schedules::new(WorkerConfig::default())?, None));
        }
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let config: WorkerConfig =
        toml::from_str(&text).with_context(|| format!("reading {}", path.display()))?;
    let schedules =
        Schedules::new(config).with_context(|| format!("reading {}", path.display()))?;
    Ok((schedules, Some(path)))
}
