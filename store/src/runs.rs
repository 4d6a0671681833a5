//! Run history: starting, finishing and listing runs.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use tether_core::lease::Lease;
use tether_core::store::{ConnectionId, Run, RunCounts, RunId, RunStatus, RunType};

use crate::entity::runs::{self, Column};
use crate::error::{Doing, StoreError};
use crate::leases::fence;
use crate::sea_store::{SeaStore, now};

impl SeaStore {
    /// Under the lease, in one transaction: marks the (connection, kind)'s
    /// `running` runs interrupted (whoever ran them no longer holds the
    /// lease, so their process died) and records the new run.
    pub(crate) async fn start_run_impl(
        &self,
        lease: &Lease,
        run_type: RunType,
    ) -> Result<RunId, StoreError> {
        let (connection, kind) = (lease.connection, lease.kind.as_str());
        let doing = || {
            format!(
                "starting a {} run of {kind} for connection {}",
                run_type.as_str(),
                connection.0
            )
        };
        let at = now();
        let txn = self.begin_write().await.doing(doing)?;
        fence(&txn, self.backend(), lease).await?;
        let interrupted = runs::Entity::update_many()
            .col_expr(Column::Status, Expr::value(RunStatus::Interrupted.as_str()))
            .col_expr(Column::FinishedAt, Expr::value(at))
            .filter(Column::ConnectionId.eq(connection.0))
            .filter(Column::Kind.eq(kind))
            .filter(Column::Status.eq(RunStatus::Running.as_str()))
            .exec(&txn)
            .await
            .doing(doing)?
            .rows_affected;
        let row = runs::ActiveModel {
            connection_id: Set(connection.0),
            kind: Set(kind.to_owned()),
            run_type: Set(run_type.as_str().to_owned()),
            status: Set(RunStatus::Running.as_str().to_owned()),
            started_at: Set(at),
            finished_at: Set(None),
            pages: Set(0),
            fetched: Set(0),
            stored: Set(0),
            quarantined: Set(0),
            deleted: Set(0),
            api_calls: Set(0),
            written: Set(0),
            refused: Set(0),
            conflicts: Set(0),
            uncertain: Set(0),
            held: Set(0),
            error: Set(None),
            worker: Set(Some(lease.holder.to_string())),
            ..Default::default()
        };
        let id = runs::Entity::insert(row)
            .exec(&txn)
            .await
            .doing(doing)?
            .last_insert_id;
        txn.commit().await.doing(doing)?;
        if interrupted > 0 {
            tracing::warn!(
                connection = connection.0,
                kind,
                interrupted,
                run = id,
                "earlier run(s) still marked running were interrupted"
            );
        }
        Ok(RunId(id))
    }

    /// Records how a run ended, with its counts.
    ///
    /// Counts are also saved with every page (see [`save_counts`]), so a
    /// run whose process died shows what it committed.
    pub(crate) async fn finish_run_impl(
        &self,
        run: RunId,
        status: RunStatus,
        counts: &RunCounts,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let doing = || format!("finishing run {run} as {}", status.as_str());
        let updated = runs::Entity::update_many()
            .col_expr(Column::Status, Expr::value(status.as_str()))
            .col_expr(Column::FinishedAt, Expr::value(now()))
            .col_expr(Column::Pages, Expr::value(counts.pages))
            .col_expr(Column::Fetched, Expr::value(counts.fetched))
            .col_expr(Column::Stored, Expr::value(counts.stored))
            .col_expr(Column::Quarantined, Expr::value(counts.quarantined))
            .col_expr(Column::Deleted, Expr::value(counts.deleted))
            .col_expr(Column::ApiCalls, Expr::value(counts.api_calls))
            .col_expr(Column::Written, Expr::value(counts.written))
            .col_expr(Column::Refused, Expr::value(counts.refused))
            .col_expr(Column::Conflicts, Expr::value(counts.conflicts))
            .col_expr(Column::Uncertain, Expr::value(counts.uncertain))
            .col_expr(Column::Held, Expr::value(counts.held))
            .col_expr(Column::Error, Expr::value(error.map(str::to_owned)))
            .filter(Column::Id.eq(run.0))
            .exec(self.db())
            .await
            .doing(doing)?
            .rows_affected;
        if updated == 0 {
            return Err(StoreError::Missing(format!("{}: no such run", doing())));
        }
        Ok(())
    }

    /// A connection's most recent runs, newest first.
    /// Runs of one connection, or of all when `None`, newest first.
    pub(crate) async fn runs_impl(
        &self,
        connection: Option<ConnectionId>,
        limit: u64,
    ) -> Result<Vec<Run>, StoreError> {
        let mut query = runs::Entity::find();
        if let Some(connection) = connection {
            query = query.filter(Column::ConnectionId.eq(connection.0));
        }
        query
            .order_by_desc(Column::Id)
            .limit(limit)
            .all(self.db())
            .await
            .doing(|| match connection {
                Some(c) => format!("listing runs of connection {}", c.0),
                None => "listing recent runs".to_owned(),
            })?
            .into_iter()
            .map(to_run)
            .collect()
    }
}

/// Saves a run's counts so far; runs inside the page's transaction.
pub(crate) async fn save_counts<C: ConnectionTrait>(
    db: &C,
    run: RunId,
    counts: &RunCounts,
) -> Result<(), DbErr> {
    runs::Entity::update_many()
        .col_expr(Column::Pages, Expr::value(counts.pages))
        .col_expr(Column::Fetched, Expr::value(counts.fetched))
        .col_expr(Column::Stored, Expr::value(counts.stored))
        .col_expr(Column::Quarantined, Expr::value(counts.quarantined))
        .col_expr(Column::Deleted, Expr::value(counts.deleted))
        .col_expr(Column::ApiCalls, Expr::value(counts.api_calls))
        .col_expr(Column::Written, Expr::value(counts.written))
        .col_expr(Column::Refused, Expr::value(counts.refused))
        .col_expr(Column::Conflicts, Expr::value(counts.conflicts))
        .col_expr(Column::Uncertain, Expr::value(counts.uncertain))
        .col_expr(Column::Held, Expr::value(counts.held))
        .filter(Column::Id.eq(run.0))
        .exec(db)
        .await?;
    Ok(())
}

/// A row as core's type.
fn to_run(m: runs::Model) -> Result<Run, StoreError> {
    let corrupt = |problem: String| StoreError::Corrupt {
        doing: format!("reading run {}", m.id),
        problem,
    };
    let run_type = RunType::parse(&m.run_type)
        .ok_or_else(|| corrupt(format!("unknown run type `{}`", m.run_type)))?;
    let status = RunStatus::parse(&m.status)
        .ok_or_else(|| corrupt(format!("unknown run status `{}`", m.status)))?;
    Ok(Run {
        id: RunId(m.id),
        connection_id: ConnectionId(m.connection_id),
        kind: m.kind,
        run_type,
        status,
        worker: m.worker,
        started_at: m.started_at,
        finished_at: m.finished_at,
        counts: RunCounts {
            pages: m.pages,
            fetched: m.fetched,
            stored: m.stored,
            quarantined: m.quarantined,
            deleted: m.deleted,
            api_calls: m.api_calls,
            written: m.written,
            refused: m.refused,
            conflicts: m.conflicts,
            uncertain: m.uncertain,
            held: m.held,
        },
        error: m.error,
    })
}
