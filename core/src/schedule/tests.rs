//! The scheduler's decisions, on a clock the tests set.

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
