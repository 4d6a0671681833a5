//! One scheduler among many workers: the process that holds a PostgreSQL
//! session advisory lock decides what is due and hands it to the job
//! engine; the others only run jobs. The lock lives as long as the
//! session that took it, so a worker that dies (even by SIGKILL) frees it
//! when PostgreSQL notices the connection closed, and another takes over.

use std::sync::Arc;

use sea_orm::sqlx::{self, Connection as _, PgConnection};
use sea_orm::{DbErr, RuntimeErr};

use crate::StoreError;
use crate::error::Doing;

/// The advisory lock key of the scheduler ("tethersc" in ASCII).
const SCHEDULER_LOCK: i64 = 0x7465_7468_6572_7363;

/// The scheduler role, held on a connection of its own.
pub struct Leadership {
    conn: PgConnection,
}

impl Leadership {
    /// Takes the role when no other process holds it; `None` when one does.
    pub async fn try_take(pool: &sqlx::PgPool) -> Result<Option<Leadership>, StoreError> {
        let mut conn = pool
            .acquire()
            .await
            .map_err(db_err)
            .doing(|| "connecting for the scheduler lock".to_owned())?
            .detach();
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(SCHEDULER_LOCK)
            .fetch_one(&mut conn)
            .await
            .map_err(db_err)
            .doing(|| "asking for the scheduler lock".to_owned())?;
        if taken {
            Ok(Some(Leadership { conn }))
        } else {
            conn.close().await.ok();
            Ok(None)
        }
    }

    /// Whether the role is still this process's: false once the session
    /// that holds the lock is gone (the database restarted, the network
    /// cut), after which another process may hold it.
    pub async fn still_held(&mut self) -> bool {
        self.conn.ping().await.is_ok()
    }
}

fn db_err(e: sqlx::Error) -> DbErr {
    DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e)))
}
