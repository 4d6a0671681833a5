//! The figures read from the run history: what ran, what every connection
//! had pulled, and how far behind each was.

use std::collections::HashMap;

use anyhow::Result;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use tether_store::SeaStore;

/// A run as the run history holds it.
pub struct Run {
    pub connection: i64,
    pub kind: String,
    pub status: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Records stored or marked deleted.
    pub changed: i64,
}

/// Every run recorded so far.
pub async fn runs(store: &SeaStore) -> Result<Vec<Run>> {
    let rows = store
        .db()
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT connection_id, kind, status, started_at, finished_at, stored + deleted AS changed FROM runs",
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Run {
                connection: row.try_get("", "connection_id")?,
                kind: row.try_get("", "kind")?,
                status: row.try_get("", "status")?,
                started_at: row.try_get("", "started_at")?,
                finished_at: row.try_get("", "finished_at")?,
                changed: row.try_get("", "changed")?,
            })
        })
        .collect()
}

/// How many connections had every kind pulled once.
pub fn pulled(runs: &[Run], kinds: &[String]) -> usize {
    let mut done: HashMap<i64, Vec<&str>> = HashMap::new();
    for r in runs.iter().filter(|r| r.status == "succeeded") {
        let kinds = done.entry(r.connection).or_default();
        if !kinds.contains(&r.kind.as_str()) {
            kinds.push(&r.kind);
        }
    }
    done.values().filter(|k| k.len() >= kinds.len()).count()
}

/// The 99th percentile over `connections` of how far each is behind at
/// `end`: the start of the oldest of its kinds' last successful runs (a
/// kind never pulled counts as the whole `window_secs`).
pub fn p99_lag(
    runs: &[Run],
    connections: &[i64],
    kinds: &[String],
    end: DateTime<Utc>,
    window_secs: f64,
) -> f64 {
    let mut last: HashMap<(i64, &str), DateTime<Utc>> = HashMap::new();
    for r in runs.iter().filter(|r| r.status == "succeeded") {
        let at = last.entry((r.connection, &r.kind)).or_insert(r.started_at);
        *at = (*at).max(r.started_at);
    }
    let mut lags: Vec<f64> = connections
        .iter()
        .map(|c| {
            kinds
                .iter()
                .map(|k| match last.get(&(*c, k.as_str())) {
                    Some(at) => (end - *at).num_milliseconds() as f64 / 1000.0,
                    None => window_secs,
                })
                .fold(0.0, f64::max)
        })
        .collect();
    lags.sort_by(f64::total_cmp);
    lags.get((lags.len() * 99 / 100).min(lags.len().saturating_sub(1)))
        .copied()
        .unwrap_or(window_secs)
}

/// When the last of `pairs` (connection, kind)s was first pulled, once
/// every one of them was.
pub fn all_pulled_at(runs: &[Run], pairs: usize) -> Option<DateTime<Utc>> {
    let mut first_pulls: HashMap<(i64, &str), DateTime<Utc>> = HashMap::new();
    for r in runs.iter().filter(|r| r.status == "succeeded") {
        if let Some(at) = r.finished_at {
            let first = first_pulls.entry((r.connection, &r.kind)).or_insert(at);
            *first = (*first).min(at);
        }
    }
    (first_pulls.len() == pairs)
        .then(|| first_pulls.values().max().copied())
        .flatten()
}
