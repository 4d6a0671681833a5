//! The schedules a worker keeps, as a person writes them (a TOML file in the
//! CLI, read into [`WorkerConfig`]) and as they resolve for one
//! (connection, kind): defaults, overridden per connection, overridden per kind.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use croner::Cron;
use serde::Deserialize;

use crate::{Error, Result};

/// Resync every 15 minutes.
pub const DEFAULT_RESYNC: &str = "*/15 * * * *";
/// A full reconciliation every Sunday at 03:00 UTC.
pub const DEFAULT_FULL: &str = "0 3 * * 0";
/// How often the store is asked for local edits to export.
pub const DEFAULT_EXPORT_POLL_SECS: u64 = 5;
/// The largest offset a (connection, kind)'s slots are moved by.
pub const DEFAULT_JITTER_SECS: u64 = 60;

/// The whole file: `[defaults]`, then `[connections.NAME]` and
/// `[connections.NAME.kinds.KIND]`. Every field is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    /// What every connection and kind keeps unless told otherwise.
    #[serde(default)]
    pub defaults: Overrides,
    /// Per connection, by name.
    #[serde(default)]
    pub connections: BTreeMap<String, ConnectionOverrides>,
}

/// Schedule fields; the ones left out come from the level above.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// Cron expression of the resync (5 fields, or 6 with seconds first).
    pub resync: Option<String>,
    /// Cron expression of the full reconciliation (`resync --full`).
    pub full: Option<String>,
    /// Seconds between two looks for pending local edits.
    pub export_poll_secs: Option<u64>,
    /// Slots are moved by a stable offset of up to this many seconds.
    pub jitter_secs: Option<u64>,
}

/// One connection's fields, and its kinds' own.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionOverrides {
    /// See [`Overrides::resync`].
    pub resync: Option<String>,
    /// See [`Overrides::full`].
    pub full: Option<String>,
    /// See [`Overrides::export_poll_secs`].
    pub export_poll_secs: Option<u64>,
    /// See [`Overrides::jitter_secs`].
    pub jitter_secs: Option<u64>,
    /// Per kind, by name.
    #[serde(default)]
    pub kinds: BTreeMap<String, Overrides>,
}

impl ConnectionOverrides {
    fn own(&self) -> Overrides {
        Overrides {
            resync: self.resync.clone(),
            full: self.full.clone(),
            export_poll_secs: self.export_poll_secs,
            jitter_secs: self.jitter_secs,
        }
    }
}

/// What one (connection, kind) keeps.
#[derive(Debug, Clone)]
pub struct KindPlan {
    /// When it resyncs.
    pub resync: Cron,
    /// When it reconciles in full.
    pub full: Cron,
    /// How often its pending edits are looked for.
    pub export_poll: Duration,
    /// Its own stable offset (already drawn from `jitter_secs`).
    pub offset: Duration,
}

/// A checked [`WorkerConfig`]: every expression parses.
#[derive(Debug, Clone)]
pub struct Schedules {
    config: WorkerConfig,
}

impl Schedules {
    /// Checks every expression of `config`; an error names where the bad one is.
    pub fn new(config: WorkerConfig) -> Result<Schedules> {
        check(&config.defaults, "defaults")?;
        for (name, c) in &config.connections {
            check(&c.own(), &format!("connections.{name}"))?;
            for (kind, k) in &c.kinds {
                check(k, &format!("connections.{name}.kinds.{kind}"))?;
            }
        }
        Ok(Schedules { config })
    }

    /// What `kind` of `connection` keeps: the kind's fields, else the
    /// connection's, else the defaults, else Tether's defaults.
    pub fn plan(&self, connection: &str, kind: &str) -> KindPlan {
        let c = self.config.connections.get(connection);
        let k = c.and_then(|c| c.kinds.get(kind));
        let own = c.map(ConnectionOverrides::own);
        let levels = [k, own.as_ref(), Some(&self.config.defaults)];
        let pick = |f: fn(&Overrides) -> Option<String>, fallback: &str| {
            let text = levels
                .iter()
                .flatten()
                .find_map(|o| f(o))
                .unwrap_or_else(|| fallback.to_owned());
            parse(&text).expect("checked when the schedules were read")
        };
        let number = |f: fn(&Overrides) -> Option<u64>, fallback: u64| {
            levels
                .iter()
                .flatten()
                .find_map(|o| f(o))
                .unwrap_or(fallback)
        };
        let jitter = number(|o| o.jitter_secs, DEFAULT_JITTER_SECS);
        KindPlan {
            resync: pick(|o| o.resync.clone(), DEFAULT_RESYNC),
            full: pick(|o| o.full.clone(), DEFAULT_FULL),
            export_poll: Duration::from_secs(
                number(|o| o.export_poll_secs, DEFAULT_EXPORT_POLL_SECS).max(1),
            ),
            offset: offset(connection, kind, jitter),
        }
    }
}

fn check(o: &Overrides, place: &str) -> Result<()> {
    for (field, text) in [("resync", &o.resync), ("full", &o.full)] {
        if let Some(text) = text {
            parse(text).map_err(|e| {
                Error::config(format!(
                    "{place}.{field} = \"{text}\" is not a cron expression: {e}"
                ))
            })?;
        }
    }
    Ok(())
}

/// A cron expression: 5 fields, or 6 with seconds first.
pub fn parse(text: &str) -> std::result::Result<Cron, croner::errors::CronError> {
    Cron::from_str(text)
}

/// A stable offset of up to `jitter_secs` for `connection`/`kind`: drawn
/// from their names (FNV-1a, the same in every build and on every restart),
/// so tenants do not all start at once and keep their slots.
pub fn offset(connection: &str, kind: &str, jitter_secs: u64) -> Duration {
    if jitter_secs == 0 {
        return Duration::ZERO;
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in connection.bytes().chain([b'/']).chain(kind.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    Duration::from_millis(hash % (jitter_secs * 1000 + 1))
}
