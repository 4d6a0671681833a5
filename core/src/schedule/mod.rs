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
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 11, 30, h, m, s).unwrap()
    }

    fn schedules(toml_like: WorkerConfig) -> Schedules {
        Schedules::new(toml_like).unwrap()
    }

    fn no_jitter() -> WorkerConfig {
        WorkerConfig {
            defaults: Overrides {
                jitter_secs: Some(0),
                ..Overrides::default()
            },
            ..WorkerConfig::default()
        }
    }

    fn key(c: &str, k: &str) -> Key {
        Key {
            connection: c.to_owned(),
            kind: k.to_owned(),
        }
    }

    #[test]
    fn defaults_resync_every_quarter_hour_and_reconcile_weekly() {
        let s = schedules(no_jitter());
        let plan = s.plan("acme", "invoices");
        assert_eq!(
            next_fire(&plan.resync, plan.offset, at(5, 31, 0)),
            at(5, 45, 0)
        );
        // 2026-11-30 is a Monday: the next Sunday 03:00 is 2026-12-06.
        let full = next_fire(&plan.full, plan.offset, at(5, 31, 0));
        assert_eq!(
            full,
            chrono::Utc.with_ymd_and_hms(2026, 12, 6, 3, 0, 0).unwrap()
        );
        assert_eq!(plan.export_poll, std::time::Duration::from_secs(5));
    }

    #[test]
    fn jitter_is_stable_bounded_and_spreads_tenants() {
        let a = offset("acme", "invoices", 60);
        assert_eq!(
            a,
            offset("acme", "invoices", 60),
            "the same on every restart"
        );
        assert!(a <= std::time::Duration::from_secs(60));
        let offsets: std::collections::HashSet<_> = (0..20)
            .map(|i| offset(&format!("tenant{i}"), "invoices", 60))
            .collect();
        assert!(offsets.len() > 15, "tenants start apart: {offsets:?}");
        assert_eq!(offset("acme", "invoices", 0), std::time::Duration::ZERO);

        let s = schedules(WorkerConfig::default());
        let plan = s.plan("acme", "invoices");
        let fire = next_fire(&plan.resync, plan.offset, at(5, 31, 0));
        assert_eq!(fire, at(5, 45, 0) + chrono::Duration::from_std(a).unwrap());
        // Just before its jittered slot, the slot is still ahead; just after, the next one.
        let before = fire - chrono::Duration::milliseconds(1);
        assert_eq!(next_fire(&plan.resync, plan.offset, before), fire);
        assert_eq!(
            next_fire(&plan.resync, plan.offset, fire),
            fire + chrono::Duration::minutes(15)
        );
    }

    #[test]
    fn kind_overrides_connection_overrides_defaults() {
        let text = WorkerConfig {
            defaults: Overrides {
                resync: Some("*/10 * * * *".into()),
                jitter_secs: Some(0),
                export_poll_secs: Some(7),
                ..Overrides::default()
            },
            connections: [(
                "acme".to_owned(),
                ConnectionOverrides {
                    resync: Some("*/5 * * * *".into()),
                    kinds: [(
                        "invoices".to_owned(),
                        Overrides {
                            resync: Some("*/2 * * * * *".into()),
                            ..Overrides::default()
                        },
                    )]
                    .into(),
                    ..ConnectionOverrides::default()
                },
            )]
            .into(),
        };
        let s = schedules(text);
        let fire = |c, k| {
            let plan = s.plan(c, k);
            next_fire(&plan.resync, plan.offset, at(5, 31, 1))
        };
        assert_eq!(fire("acme", "invoices"), at(5, 31, 2), "seconds field");
        assert_eq!(fire("acme", "contacts"), at(5, 35, 0));
        assert_eq!(fire("other", "invoices"), at(5, 40, 0));
        assert_eq!(s.plan("acme", "invoices").export_poll.as_secs(), 7);
    }

    #[test]
    fn a_bad_expression_is_refused_naming_where() {
        let mut config = WorkerConfig::default();
        config.connections.insert(
            "acme".to_owned(),
            ConnectionOverrides {
                kinds: [(
                    "items".to_owned(),
                    Overrides {
                        full: Some("every sunday".into()),
                        ..Overrides::default()
                    },
                )]
                .into(),
                ..ConnectionOverrides::default()
            },
        );
        let e = Schedules::new(config).unwrap_err().to_string();
        assert!(e.contains("connections.acme.kinds.items.full"), "{e}");
    }

    #[test]
    fn exports_first_then_furthest_behind() {
        let mut s = Scheduler::new(schedules(no_jitter()));
        let now = at(5, 31, 0);
        for c in ["a", "b", "c"] {
            s.add(c, "invoices", true, now);
        }
        assert!(
            s.take_due(now, 10).is_empty(),
            "nothing before the first slot"
        );
        s.set_cursor(&key("a", "invoices"), Some(at(5, 0, 0)));
        s.set_cursor(&key("b", "invoices"), Some(at(4, 0, 0)));
        s.set_cursor(&key("c", "invoices"), None);
        assert_eq!(s.checks_due(now).len(), 3);
        assert!(s.checks_due(now).is_empty(), "asked again after the poll");
        s.set_pending(&key("a", "invoices"), Some(42));
        let later = at(5, 45, 0);
        let due = s.take_due(later, 10);
        let order: Vec<_> = due
            .iter()
            .map(|d| (d.key.connection.as_str(), d.job))
            .collect();
        assert_eq!(
            order,
            [("a", Job::Export), ("c", Job::Resync), ("b", Job::Resync)]
        );
        assert!(s.take_due(later, 10).is_empty(), "never twice at once");

        // What an export could not send waits for a change, not for the
        // next poll...
        s.finished(&due[0], Some(42));
        s.set_pending(&key("a", "invoices"), Some(42));
        let next = s.take_due(later, 10);
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].job, Job::Resync, "a's resync slot, no export");
        // ...and for the kind's next resync slot, after which it is tried again.
        s.finished(&next[0], None);
        let again = s.take_due(later, 10);
        assert_eq!(
            (again[0].key.connection.as_str(), again[0].job),
            ("a", Job::Export)
        );
        // A new edit is exported at once.
        s.set_pending(&key("b", "invoices"), Some(7));
        s.finished(&due[2], None);
        assert_eq!(s.take_due(later, 10)[0].job, Job::Export);
    }

    #[test]
    fn a_job_handed_off_is_free_again_and_its_export_settles_what_is_pending() {
        let mut s = Scheduler::new(schedules(no_jitter()));
        let now = at(5, 31, 0);
        s.add("a", "invoices", true, now);
        s.set_pending(&key("a", "invoices"), Some(9));
        let due = s.take_due(now, 10);
        assert_eq!(due[0].job, Job::Export);
        s.handed_off(&due[0]);
        assert!(s.take_due(now, 10).is_empty());
        s.set_pending(&key("a", "invoices"), Some(9));
        assert!(
            s.take_due(now, 10).is_empty(),
            "the same edits are not handed out twice"
        );
        s.set_pending(&key("a", "invoices"), Some(10));
        assert_eq!(s.take_due(now, 10)[0].job, Job::Export, "new edits are");
        s.set_cursor(&key("a", "invoices"), Some(at(5, 0, 0)));
        assert_eq!(s.cursor(&key("a", "invoices")), Some(at(5, 0, 0)));
    }

    #[test]
    fn the_limit_takes_the_most_urgent_and_missed_slots_run_once() {
        let mut s = Scheduler::new(schedules(no_jitter()));
        let now = at(5, 31, 0);
        s.add("a", "invoices", false, now);
        s.add("b", "invoices", false, now);
        s.set_cursor(&key("a", "invoices"), Some(at(1, 0, 0)));
        s.set_cursor(&key("b", "invoices"), Some(at(5, 0, 0)));
        // An hour late: four missed slots are one run.
        let late = at(6, 31, 0);
        let due = s.take_due(late, 1);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].key.connection, "a");
        s.finished(&due[0], None);
        let b = s.take_due(late, 1);
        assert_eq!(b[0].key.connection, "b");
        assert!(s.take_due(late, 1).is_empty());
        s.set_cursor(&key("a", "invoices"), None);
        // b runs past its next slot: that slot wakes no one until it ends.
        let past_b = at(7, 0, 0);
        assert_eq!(s.next_wake(), Some(at(6, 45, 0)), "a's slot");
        assert_eq!(s.take_due(past_b, 1)[0].key.connection, "a");
        assert_eq!(s.next_wake(), None, "both running");
        s.finished(&b[0], None);
        assert_eq!(
            s.next_wake(),
            Some(at(6, 45, 0)),
            "b's missed slot, at once"
        );
    }

    #[test]
    fn an_unfinished_pull_is_due_at_once() {
        let mut s = Scheduler::new(schedules(no_jitter()));
        let now = at(5, 31, 0);
        s.add("a", "invoices", false, now);
        s.add("a", "items", false, now);
        s.due_now(&key("a", "invoices"), now);
        let due = s.take_due(now, 5);
        assert_eq!(due.len(), 1);
        assert_eq!(
            (due[0].key.kind.as_str(), due[0].job),
            ("invoices", Job::Resync)
        );
        assert_eq!(s.next_slots(&key("a", "invoices")).unwrap().0, at(5, 45, 0));
    }

    #[test]
    fn a_full_reconciliation_stands_for_the_resync_due_with_it() {
        let mut config = no_jitter();
        config.defaults.full = Some("0 6 * * *".into());
        let mut s = Scheduler::new(schedules(config));
        s.add("a", "items", false, at(5, 31, 0));
        let due = s.take_due(at(6, 0, 0), 5);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].job, Job::Full);
        s.finished(&due[0], None);
        assert!(s.take_due(at(6, 0, 0), 5).is_empty());
        assert_eq!(s.next_slots(&key("a", "items")).unwrap().0, at(6, 15, 0));
    }
}
