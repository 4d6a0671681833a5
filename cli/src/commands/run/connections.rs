//! Which connections the worker keeps in step: read again at every
//! refresh, each active one kept with its provider's kinds (no session
//! needed), its cursors read for the scheduler's priority and the lag.

use std::collections::HashMap;

use chrono::Utc;
use tether_core::schedule::Key;
use tether_core::store::{Connection, ConnectionId, ConnectionStatus, Store};
use tether_core::{Connector, Timestamp};

use super::{TOTALS_EVERY, Worker, work};

/// How many of the loop's reads over every kept (connection, kind) (sync
/// states, pending edits, totals) go at once: a few, so that they leave
/// the store's pool (10 connections on PostgreSQL, shared with the job
/// engine and the runs) to the runs. 16 at once cut a worker's runs/min
/// by four over 1,000 connections.
pub(super) const READS_AT_ONCE: usize = 2;

/// A connection the scheduler keeps: what its jobs' ends are read with.
#[derive(Clone, Copy)]
pub(super) struct Kept {
    pub(super) id: ConnectionId,
    pub(super) connector: &'static dyn Connector,
}

impl Worker {
    /// Reads the connections again: keeps each new active one (its kinds
    /// from its provider; its session waits for its first job), drops the
    /// ones that need a person (saying so once), and refreshes the gauges.
    pub(super) async fn refresh(&mut self) {
        let connections = match self.store.connections().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the connections");
                return;
            }
        };
        let reauth = connections
            .iter()
            .filter(|c| c.status == ConnectionStatus::NeedsReauth)
            .count();
        self.metrics.needs_reauth.set(reauth as i64);
        let now = Utc::now();
        let mut added = Vec::new();
        for c in connections {
            let name = c.name.clone();
            let changed =
                self.kept.get(&name).is_some_and(|k| k.id != c.id) || self.sessions.stale(&c);
            if c.status != ConnectionStatus::Active || changed {
                self.sessions.remove(&name);
                if self.kept.remove(&name).is_some() {
                    self.scheduler.remove_connection(&name);
                }
            }
            if c.status == ConnectionStatus::Active && !self.kept.contains_key(&name) {
                if self.keep(&c, now) {
                    added.push(name);
                }
            } else if c.status != ConnectionStatus::Active {
                let why = format!(
                    "skipped: {}{}",
                    c.status.as_str(),
                    c.status_reason
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                );
                self.warn_once(&name, &why);
            }
        }
        let cursors = self.read_cursors().await;
        if let Some(cursors) = cursors {
            self.resume_at_once(&added, &cursors, now).await;
        }
        self.count_totals();
    }

    /// Counts every kept connection's conflicts and held deletions for the
    /// gauges, every [`TOTALS_EVERY`], in a task of its own: a query per
    /// connection does not hold up the loop.
    fn count_totals(&mut self) {
        let counting = self.counting.as_ref().is_some_and(|c| !c.is_finished());
        if counting || tokio::time::Instant::now() < self.next_totals {
            return;
        }
        self.next_totals = tokio::time::Instant::now() + TOTALS_EVERY;
        let kept: Vec<(String, ConnectionId)> =
            self.kept.iter().map(|(n, k)| (n.clone(), k.id)).collect();
        let (store, metrics) = (self.store.clone(), self.metrics.clone());
        self.counting = Some(tokio::spawn(async move {
            work::each_at_once(
                kept,
                READS_AT_ONCE,
                |(name, id): (String, ConnectionId)| {
                    let (store, metrics) = (store.clone(), metrics.clone());
                    async move { work::read_totals(&store, &metrics, id, &name).await }
                },
                |()| {},
            )
            .await;
        }));
    }

    /// Starts keeping `connection`'s kinds; whether it is kept.
    fn keep(&mut self, connection: &Connection, now: Timestamp) -> bool {
        let name = &connection.name;
        let Some(connector) = tether_core::connector(&connection.provider) else {
            let why = format!(
                "skipped: provider `{}` is not in this build",
                connection.provider
            );
            self.warn_once(name, &why);
            return false;
        };
        for kind in connector.kinds() {
            self.scheduler
                .add(name, kind.name(), work::writable(*kind), now);
        }
        self.kept.insert(
            name.clone(),
            Kept {
                id: connection.id,
                connector,
            },
        );
        tracing::info!(connection = %name, "keeping it in step");
        self.warned.remove(name);
        true
    }

    /// A kind of `added` never pulled, or whose pull was left unfinished,
    /// is due now. Only the kinds with a cursor need their sync state read,
    /// a few at once.
    async fn resume_at_once(&mut self, added: &[String], cursors: &Cursors, now: Timestamp) {
        let mut queued = Vec::new();
        for name in added {
            let Some(kept) = self.kept.get(name).copied() else {
                continue;
            };
            for kind in kept.connector.kinds() {
                let key = Key {
                    connection: name.clone(),
                    kind: kind.name().to_owned(),
                };
                if cursors.contains_key(&(kept.id, key.kind.clone())) {
                    queued.push((kept.id, key));
                } else {
                    self.scheduler.due_now(&key, now);
                }
            }
        }
        let store = self.store.clone();
        let scheduler = &mut self.scheduler;
        work::each_at_once(
            queued,
            READS_AT_ONCE,
            |(id, key): (ConnectionId, Key)| {
                let store = store.clone();
                async move {
                    let state = store.sync_state(id, &key.kind).await;
                    (key, state)
                }
            },
            |(key, state)| {
                if let Ok(state) = state
                    && (state.checkpoint.is_some() || state.changes.is_some())
                {
                    scheduler.due_now(&key, now);
                }
            },
        )
        .await;
    }

    fn warn_once(&mut self, name: &str, why: &str) {
        if self.warned.get(name).map(String::as_str) != Some(why) {
            tracing::warn!(connection = %name, "{why}; `tether connect` repairs it");
            self.warned.insert(name.to_owned(), why.to_owned());
        }
    }

    /// Every kept kind's cursor, in one read: the scheduler's priority,
    /// and each connection's lag.
    async fn read_cursors(&mut self) -> Option<Cursors> {
        let cursors = match self.store.cursors(None).await {
            Ok(cursors) => cursors,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the cursors");
                return None;
            }
        };
        let by_kind: Cursors = cursors
            .into_iter()
            .map(|(connection, kind, cursor)| ((connection, kind), cursor))
            .collect();
        let kept: Vec<(String, ConnectionId)> =
            self.kept.iter().map(|(n, k)| (n.clone(), k.id)).collect();
        for (name, id) in kept {
            self.keep_cursors(&name, |kind| by_kind.get(&(id, kind.to_owned())).copied());
        }
        Some(by_kind)
    }

    /// Tells the scheduler how far each kind of `name` is (its priority),
    /// and sets its lag: now − its oldest cursor.
    pub(super) fn keep_cursors(
        &mut self,
        name: &str,
        cursor_of: impl Fn(&str) -> Option<Timestamp>,
    ) {
        let Some(kept) = self.kept.get(name).copied() else {
            return;
        };
        let mut oldest: Option<Timestamp> = None;
        for kind in kept.connector.kinds() {
            let cursor = cursor_of(kind.name());
            let key = Key {
                connection: name.to_owned(),
                kind: kind.name().to_owned(),
            };
            self.scheduler.set_cursor(&key, cursor);
            if let Some(c) = cursor {
                oldest = Some(oldest.map_or(c, |o| o.min(c)));
            }
        }
        work::set_lag(&self.metrics, name, oldest);
    }
}

/// Cursors by (connection, kind).
type Cursors = HashMap<(ConnectionId, String), Timestamp>;
