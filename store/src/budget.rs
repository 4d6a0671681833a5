//! The tenants' call budget in the store, so every process working for a
//! tenant spends one budget (core's `CallBudget`; the rules are in
//! `tether_core::http`'s budget docs). Each begin and end is one short
//! transaction serialized per budget key (on PostgreSQL an advisory lock on
//! the key's hash; SQLite has one writer anyway) and timed by the
//! database's clock, so processes on several machines agree on the window.

use std::time::Duration;

use async_trait::async_trait;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Value};
use tether_core::http::{
    Begun, BudgetKey, CallBudget, DAY_MS, POLL, Reservation, Verdict, day_limit, day_spent,
    until_leaves, verdict, window_ms,
};
use tether_core::{RateLimitPolicy, Result};

use crate::error::{Doing, StoreError};
use crate::leases::{now_ms, statement};
use crate::sea_store::SeaStore;

/// The first half of the advisory lock key of a budget key ("tb"); the
/// second is the key's hash. Two-int keys never meet the migrations' bigint one.
const LOCK_CLASS: i32 = 0x7462;

/// Days of spend kept before today's (for a person looking); older ones are pruned.
const DAYS_KEPT: i64 = 1;

#[derive(FromQueryResult)]
struct Now {
    now: i64,
}

#[derive(FromQueryResult)]
struct Day {
    spent: i64,
    cap: Option<i64>,
}

#[derive(FromQueryResult)]
struct Log {
    in_flight: i64,
    in_window: i64,
}

#[derive(FromQueryResult)]
struct Ended {
    ended_ms: i64,
}

#[derive(FromQueryResult)]
struct Inserted {
    id: i64,
}

/// FNV-1a: the same hash in every process and every build.
fn key_hash(key: &BudgetKey) -> i32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in key.as_str().bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h as i32
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

/// Serializes the key's budget until the transaction ends, and reads the
/// database's clock once the key is ours.
async fn lock_and_now<C: ConnectionTrait>(
    db: &C,
    backend: DbBackend,
    key: &BudgetKey,
) -> Result<i64, DbErr> {
    if backend == DbBackend::Postgres {
        db.execute_raw(statement(
            backend,
            "SELECT pg_advisory_xact_lock(?, ?)",
            vec![LOCK_CLASS.into(), key_hash(key).into()],
        ))
        .await?;
    }
    let now = Now::find_by_statement(statement(
        backend,
        &format!("SELECT {} AS now", now_ms(backend)),
        vec![],
    ))
    .one(db)
    .await?
    .ok_or_else(|| DbErr::Custom("the database did not tell its time".to_owned()))?;
    Ok(now.now)
}

/// Turns reservations that expired (their process died) into calls that
/// ended at their expiry, and prunes calls that left the window and days
/// long past.
async fn settle<C: ConnectionTrait>(
    db: &C,
    backend: DbBackend,
    key: &BudgetKey,
    policy: &RateLimitPolicy,
    now: i64,
) -> Result<(), DbErr> {
    let k = || Value::from(key.as_str().to_owned());
    for (sql, values) in [
        (
            "UPDATE budget_calls SET ended_ms = expires_ms \
             WHERE budget_key = ? AND ended_ms IS NULL AND expires_ms <= ?",
            vec![k(), now.into()],
        ),
        (
            "DELETE FROM budget_calls \
             WHERE budget_key = ? AND ended_ms IS NOT NULL AND ended_ms <= ?",
            vec![k(), (now - window_ms(policy)).into()],
        ),
        (
            "DELETE FROM budget_days WHERE budget_key = ? AND day < ?",
            vec![k(), (now.div_euclid(DAY_MS) - DAYS_KEPT).into()],
        ),
    ] {
        db.execute_raw(statement(backend, sql, values)).await?;
    }
    Ok(())
}

/// What the key spent today, and the lowest budget the provider reported.
async fn today<C: ConnectionTrait>(
    db: &C,
    backend: DbBackend,
    key: &BudgetKey,
    day: i64,
) -> Result<Day, DbErr> {
    let row = Day::find_by_statement(statement(
        backend,
        "SELECT spent, cap FROM budget_days WHERE budget_key = ? AND day = ?",
        vec![key.as_str().to_owned().into(), day.into()],
    ))
    .one(db)
    .await?;
    Ok(row.unwrap_or(Day {
        spent: 0,
        cap: None,
    }))
}

/// The answer to a call asking to start, without changing anything.
enum Answer {
    Go,
    Wait(Duration),
    DaySpent(i64),
}

async fn judge<C: ConnectionTrait>(
    db: &C,
    backend: DbBackend,
    key: &BudgetKey,
    policy: &RateLimitPolicy,
    now: i64,
) -> Result<Answer, DbErr> {
    let day = today(db, backend, key, now.div_euclid(DAY_MS)).await?;
    if day_limit(policy, day.cap).is_some_and(|limit| day.spent >= limit) {
        return Ok(Answer::DaySpent(day.spent));
    }
    let log = Log::find_by_statement(statement(
        backend,
        "SELECT CAST(COALESCE(SUM(CASE WHEN ended_ms IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) \
                AS in_flight, \
                CAST(COUNT(*) AS BIGINT) AS in_window \
         FROM budget_calls WHERE budget_key = ?",
        vec![key.as_str().to_owned().into()],
    ))
    .one(db)
    .await?
    .unwrap_or(Log {
        in_flight: 0,
        in_window: 0,
    });
    let in_flight = u64::try_from(log.in_flight).unwrap_or(0);
    let in_window = u64::try_from(log.in_window).unwrap_or(0);
    match verdict(policy, in_flight, in_window) {
        Verdict::Go => Ok(Answer::Go),
        Verdict::Poll => Ok(Answer::Wait(POLL)),
        Verdict::UntilLeaves(index) => {
            let ended = Ended::find_by_statement(statement(
                backend,
                "SELECT ended_ms FROM budget_calls \
                 WHERE budget_key = ? AND ended_ms IS NOT NULL \
                 ORDER BY ended_ms LIMIT 1 OFFSET ?",
                vec![
                    key.as_str().to_owned().into(),
                    i64::try_from(index).unwrap_or(0).into(),
                ],
            ))
            .one(db)
            .await?;
            Ok(Answer::Wait(
                ended.map_or(POLL, |e| until_leaves(policy, e.ended_ms, now)),
            ))
        }
    }
}

/// Logs a call in flight and counts it in today's spend; returns its id.
async fn reserve<C: ConnectionTrait>(
    db: &C,
    backend: DbBackend,
    key: &BudgetKey,
    ttl: Duration,
    now: i64,
) -> Result<i64, DbErr> {
    let inserted = Inserted::find_by_statement(statement(
        backend,
        "INSERT INTO budget_calls (budget_key, started_ms, ended_ms, expires_ms) \
         VALUES (?, ?, NULL, ?) RETURNING id",
        vec![
            key.as_str().to_owned().into(),
            now.into(),
            (now + millis(ttl)).into(),
        ],
    ))
    .one(db)
    .await?
    .ok_or_else(|| DbErr::Custom("the call's row was not returned".to_owned()))?;
    db.execute_raw(statement(
        backend,
        "INSERT INTO budget_days (budget_key, day, spent, cap) VALUES (?, ?, 1, NULL) \
         ON CONFLICT (budget_key, day) DO UPDATE SET spent = budget_days.spent + 1",
        vec![
            key.as_str().to_owned().into(),
            now.div_euclid(DAY_MS).into(),
        ],
    ))
    .await?;
    Ok(inserted.id)
}

/// Keeps the lower of today's cap and what the provider says is left: the
/// calls that finished (the provider counted each) plus `remaining`.
async fn lower_cap<C: ConnectionTrait>(
    db: &C,
    backend: DbBackend,
    key: &BudgetKey,
    remaining: u64,
    now: i64,
) -> Result<(), DbErr> {
    let k = || Value::from(key.as_str().to_owned());
    let day = now.div_euclid(DAY_MS);
    let remaining = i64::try_from(remaining).unwrap_or(i64::MAX / 4);
    db.execute_raw(statement(
        backend,
        "INSERT INTO budget_days (budget_key, day, spent, cap) VALUES (?, ?, 0, NULL) \
         ON CONFLICT (budget_key, day) DO NOTHING",
        vec![k(), day.into()],
    ))
    .await?;
    let cap = "spent - (SELECT COUNT(*) FROM budget_calls \
                        WHERE budget_key = ? AND ended_ms IS NULL) + ?";
    db.execute_raw(statement(
        backend,
        &format!(
            "UPDATE budget_days SET cap = CASE WHEN cap IS NULL OR cap > {cap} \
                 THEN {cap} ELSE cap END \
             WHERE budget_key = ? AND day = ?"
        ),
        vec![
            k(),
            remaining.into(),
            k(),
            remaining.into(),
            k(),
            day.into(),
        ],
    ))
    .await?;
    Ok(())
}

impl SeaStore {
    pub(crate) async fn begin_call_impl(
        &self,
        key: &BudgetKey,
        policy: &RateLimitPolicy,
        ttl: Duration,
    ) -> Result<Begun> {
        let doing = || format!("reserving a call of {key}");
        let backend = self.backend();
        let txn = self.begin_write().await.doing(doing)?;
        let now = lock_and_now(&txn, backend, key).await.doing(doing)?;
        settle(&txn, backend, key, policy, now).await.doing(doing)?;
        let answer = judge(&txn, backend, key, policy, now).await.doing(doing)?;
        let begun = match answer {
            Answer::Go => Ok(Begun::Go(Reservation {
                key: key.clone(),
                id: reserve(&txn, backend, key, ttl, now).await.doing(doing)?,
            })),
            Answer::Wait(wait) => Ok(Begun::Wait(wait)),
            Answer::DaySpent(spent) => Err(day_spent(key, spent, now)),
        };
        txn.commit().await.doing(doing)?;
        begun
    }

    pub(crate) async fn end_call_impl(
        &self,
        reservation: &Reservation,
        day_remaining: Option<u64>,
    ) -> Result<(), StoreError> {
        let key = &reservation.key;
        let doing = || format!("ending a call of {key}");
        let backend = self.backend();
        let txn = self.begin_write().await.doing(doing)?;
        let now = lock_and_now(&txn, backend, key).await.doing(doing)?;
        txn.execute_raw(statement(
            backend,
            "UPDATE budget_calls SET ended_ms = ? WHERE id = ? AND ended_ms IS NULL",
            vec![now.into(), reservation.id.into()],
        ))
        .await
        .doing(doing)?;
        if let Some(remaining) = day_remaining {
            lower_cap(&txn, backend, key, remaining, now)
                .await
                .doing(doing)?;
        }
        txn.commit().await.doing(doing)?;
        Ok(())
    }
}

#[async_trait]
impl CallBudget for SeaStore {
    async fn begin(
        &self,
        key: &BudgetKey,
        policy: &RateLimitPolicy,
        ttl: Duration,
    ) -> Result<Begun> {
        self.begin_call_impl(key, policy, ttl).await
    }

    async fn end(&self, reservation: &Reservation, day_remaining: Option<u64>) -> Result<()> {
        Ok(self.end_call_impl(reservation, day_remaining).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tether_core::ErrorKind;

    fn policy(concurrency: u32, per_window: u32, per_day: Option<u32>) -> RateLimitPolicy {
        RateLimitPolicy {
            concurrency,
            per_window,
            window: Duration::from_millis(400),
            per_day,
            app_per_window: None,
            batch_per_window: None,
        }
    }

    async fn store() -> SeaStore {
        SeaStore::connect("sqlite::memory:").await.unwrap()
    }

    const TTL: Duration = Duration::from_secs(60);

    #[tokio::test]
    async fn the_window_is_a_log_of_calls_ended() {
        let s = store().await;
        let key = BudgetKey::tenant("p", "t");
        let p = policy(5, 3, None);
        for _ in 0..3 {
            let Begun::Go(r) = s.begin(&key, &p, TTL).await.unwrap() else {
                panic!("room in the window");
            };
            s.end(&r, None).await.unwrap();
        }
        let Begun::Wait(wait) = s.begin(&key, &p, TTL).await.unwrap() else {
            panic!("the window is full");
        };
        // the first call leaves 400 ms and the margin after it ended
        assert!(wait <= Duration::from_millis(410), "{wait:?}");
        // the database's clock is read to the millisecond
        tokio::time::sleep(wait + Duration::from_millis(2)).await;
        assert!(matches!(
            s.begin(&key, &p, TTL).await.unwrap(),
            Begun::Go(_)
        ));
        // another tenant has its own window
        assert!(matches!(
            s.begin(&BudgetKey::tenant("p", "u"), &p, TTL)
                .await
                .unwrap(),
            Begun::Go(_)
        ));
    }

    #[tokio::test]
    async fn a_dead_processs_reservation_expires() {
        let s = store().await;
        let key = BudgetKey::tenant("p", "t");
        let p = policy(1, 100, None);
        let ttl = Duration::from_millis(200);
        assert!(matches!(
            s.begin(&key, &p, ttl).await.unwrap(),
            Begun::Go(_)
        ));
        assert_eq!(s.begin(&key, &p, ttl).await.unwrap(), Begun::Wait(POLL));
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert!(matches!(
            s.begin(&key, &p, ttl).await.unwrap(),
            Begun::Go(_)
        ));
    }

    #[tokio::test]
    async fn the_providers_lower_day_is_kept() {
        let s = store().await;
        let key = BudgetKey::tenant("p", "t");
        let p = policy(5, 100, Some(50));
        let Begun::Go(r) = s.begin(&key, &p, TTL).await.unwrap() else {
            panic!("a fresh day");
        };
        s.end(&r, Some(1)).await.unwrap();
        let Begun::Go(r) = s.begin(&key, &p, TTL).await.unwrap() else {
            panic!("one call left");
        };
        s.end(&r, Some(30)).await.unwrap();
        let e = s.begin(&key, &p, TTL).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert!(
            e.retry_after()
                .is_some_and(|w| w <= Duration::from_secs(86_400))
        );
    }

    #[test]
    fn key_hashes_are_stable() {
        assert_eq!(
            key_hash(&BudgetKey::tenant("", "")),
            key_hash(&BudgetKey::tenant("", ""))
        );
        assert_ne!(
            key_hash(&BudgetKey::tenant("xero", "a")),
            key_hash(&BudgetKey::tenant("xero", "b"))
        );
    }
}
