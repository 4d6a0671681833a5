//! What is due, and in which order: the schedules of a worker, without the
//! worker. Per (connection, kind) a resync slot and a full-reconciliation
//! slot (cron expressions, each moved by a stable jitter), and an export as
//! soon as local edits are pending. [`Scheduler`] answers "what should run
//! now" from a clock it is given; who runs it (one process today, a job
//! engine shared by several tomorrow) is the caller's business.
//!
//! Priority when several are due: exports first (a person is waiting for
//! them), then the (connection, kind)s that fell furthest behind (oldest
//! cursor; never synced counts as furthest). A (connection, kind) that is
//! running is never handed out again until it is reported finished; a slot
//! missed while it ran is not queued up, it runs once, at once.

mod config;

use std::collections::BTreeMap;

pub use config::{
    ConnectionOverrides, DEFAULT_EXPORT_POLL_SECS, DEFAULT_FULL, DEFAULT_JITTER_SECS,
    DEFAULT_RESYNC, KindPlan, Overrides, Schedules, WorkerConfig, offset, parse,
};

use crate::Timestamp;

/// A (connection, kind), by names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// The connection's name.
    pub connection: String,
    /// The kind's name.
    pub kind: String,
}

/// What to run for a (connection, kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    /// Send pending local edits (after a resync of the kind).
    Export,
    /// A full reconciliation (`resync --full`).
    Full,
    /// The changes since the cursor.
    Resync,
}

impl Job {
    /// Its name in logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Job::Export => "export",
            Job::Full => "full",
            Job::Resync => "resync",
        }
    }
}

/// A job handed out: run it, then call [`Scheduler::finished`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// Which (connection, kind).
    pub key: Key,
    /// What to run.
    pub job: Job,
}

/// Local edits of a (connection, kind) an export would send, as a
/// fingerprint of which records are pending at which revision: an export is
/// due while it differs from what the last export left. What an export
/// could not send is tried again at the kind's next resync slot, not at
/// every poll.
pub type PendingPrint = Option<u64>;

#[derive(Debug)]
struct Slot {
    plan: KindPlan,
    writable: bool,
    next_resync: Timestamp,
    next_full: Timestamp,
    next_check: Timestamp,
    cursor: Option<Timestamp>,
    pending: PendingPrint,
    settled: PendingPrint,
    running: bool,
}

/// The due-list of one worker.
#[derive(Debug)]
pub struct Scheduler {
    schedules: Schedules,
    slots: BTreeMap<Key, Slot>,
}

impl Scheduler {
    /// A scheduler with nothing to keep yet.
    pub fn new(schedules: Schedules) -> Scheduler {
        Scheduler {
            schedules,
            slots: BTreeMap::new(),
        }
    }

    /// Starts keeping `kind` of `connection` (a no-op when already kept):
    /// its first slots are the next ones after `now`, and its pending edits
    /// are looked for at once when it is `writable`.
    pub fn add(&mut self, connection: &str, kind: &str, writable: bool, now: Timestamp) {
        let key = Key {
            connection: connection.to_owned(),
            kind: kind.to_owned(),
        };
        if self.slots.contains_key(&key) {
            return;
        }
        let plan = self.schedules.plan(connection, kind);
        let slot = Slot {
            next_resync: next_fire(&plan.resync, plan.offset, now),
            next_full: next_fire(&plan.full, plan.offset, now),
            next_check: now,
            plan,
            writable,
            cursor: None,
            pending: None,
            settled: None,
            running: false,
        };
        self.slots.insert(key, slot);
    }

    /// Stops keeping every kind of `connection` (it was disconnected); a
    /// run in progress finishes on its own.
    pub fn remove_connection(&mut self, connection: &str) {
        self.slots.retain(|k, _| k.connection != connection);
    }

    /// Whether any kind of `connection` is kept.
    pub fn keeps(&self, connection: &str) -> bool {
        self.slots.keys().any(|k| k.connection == connection)
    }

    /// Makes `key`'s resync due at once: a pull left unfinished (a worker
    /// stopped mid-run) or never made does not wait for the next slot.
    pub fn due_now(&mut self, key: &Key, now: Timestamp) {
        if let Some(slot) = self.slots.get_mut(key) {
            slot.next_resync = slot.next_resync.min(now);
        }
    }

    /// Tells how far `key` is in step (its cursor), for the priority.
    pub fn set_cursor(&mut self, key: &Key, cursor: Option<Timestamp>) {
        if let Some(slot) = self.slots.get_mut(key) {
            slot.cursor = cursor;
        }
    }

    /// The writable (connection, kind)s whose pending edits are to be looked
    /// for now; each is asked again after its `export_poll_secs`.
    pub fn checks_due(&mut self, now: Timestamp) -> Vec<Key> {
        let mut keys = Vec::new();
        for (key, slot) in &mut self.slots {
            if slot.writable && slot.next_check <= now {
                slot.next_check = now + slot.plan.export_poll;
                keys.push(key.clone());
            }
        }
        keys
    }

    /// Tells what is pending for `key` now.
    pub fn set_pending(&mut self, key: &Key, pending: PendingPrint) {
        if let Some(slot) = self.slots.get_mut(key) {
            slot.pending = pending;
        }
    }

    /// Up to `limit` jobs due at `now`, in priority order, each marked
    /// running; a full reconciliation due with a resync stands for both.
    pub fn take_due(&mut self, now: Timestamp, limit: usize) -> Vec<Due> {
        let mut due: Vec<(&Key, &mut Slot, Job)> = self
            .slots
            .iter_mut()
            .filter(|(_, s)| !s.running)
            .filter_map(|(key, slot)| {
                let job = if slot.pending.is_some() && slot.pending != slot.settled {
                    Job::Export
                } else if slot.next_full <= now {
                    Job::Full
                } else if slot.next_resync <= now {
                    Job::Resync
                } else {
                    return None;
                };
                Some((key, slot, job))
            })
            .collect();
        due.sort_by(|(ka, a, ja), (kb, b, jb)| {
            (*ja != Job::Export)
                .cmp(&(*jb != Job::Export))
                .then(a.cursor.cmp(&b.cursor))
                .then(ka.cmp(kb))
        });
        due.into_iter()
            .take(limit)
            .map(|(key, slot, job)| {
                slot.running = true;
                match job {
                    Job::Export => {}
                    Job::Full => {
                        slot.settled = None;
                        slot.next_full = next_fire(&slot.plan.full, slot.plan.offset, now);
                        slot.next_resync = next_fire(&slot.plan.resync, slot.plan.offset, now);
                    }
                    Job::Resync => {
                        slot.settled = None;
                        slot.next_resync = next_fire(&slot.plan.resync, slot.plan.offset, now);
                    }
                }
                Due {
                    key: key.clone(),
                    job,
                }
            })
            .collect()
    }

    /// Reports `due` done (however it ended: a failure is retried at the
    /// next slot). After an export, `left` is what it left pending.
    pub fn finished(&mut self, due: &Due, left: PendingPrint) {
        if let Some(slot) = self.slots.get_mut(&due.key) {
            slot.running = false;
            if due.job == Job::Export {
                slot.pending = left;
                slot.settled = left;
            }
        }
    }

    /// Reports `due` handed to a job engine that runs it elsewhere (another
    /// process may): it is no longer this scheduler's to watch, and an
    /// export is taken as settling what is pending now, so it is not handed
    /// out again until the edits change or the kind's next resync.
    pub fn handed_off(&mut self, due: &Due) {
        if let Some(slot) = self.slots.get_mut(&due.key) {
            slot.running = false;
            if due.job == Job::Export {
                // Asked again at the next look: still these edits (the job
                // has not run yet, or could not send them) is settled.
                slot.settled = slot.pending.take();
            }
        }
    }

    /// How far `key` is in step, as last told by [`Scheduler::set_cursor`].
    pub fn cursor(&self, key: &Key) -> Option<Timestamp> {
        self.slots.get(key).and_then(|s| s.cursor)
    }

    /// The earliest time something may fall due (a slot of a (connection,
    /// kind) not running, or a look for pending edits), to sleep until;
    /// `None` when nothing is kept. A run ending is a wake-up of its own.
    pub fn next_wake(&self) -> Option<Timestamp> {
        self.slots
            .values()
            .flat_map(|s| {
                let check = s.writable.then_some(s.next_check);
                let idle = !s.running;
                [
                    idle.then_some(s.next_resync),
                    idle.then_some(s.next_full),
                    check,
                ]
            })
            .flatten()
            .min()
    }

    /// When `key` next resyncs and reconciles in full.
    pub fn next_slots(&self, key: &Key) -> Option<(Timestamp, Timestamp)> {
        self.slots.get(key).map(|s| (s.next_resync, s.next_full))
    }
}

/// The first slot of `cron` moved by `offset` strictly after `now`.
pub fn next_fire(cron: &croner::Cron, offset: std::time::Duration, now: Timestamp) -> Timestamp {
    let offset = chrono::Duration::from_std(offset).unwrap_or_default();
    match cron.find_next_occurrence(&(now - offset), false) {
        Ok(at) => at + offset,
        // No next occurrence (a date that never comes): never.
        Err(_) => Timestamp::MAX_UTC,
    }
}

#[cfg(test)]
mod tests;
