//! Deletions: the candidates a full pull did not see, deletions held for a
//! person, the end of a pull that applies the confirmed ones, and the
//! tombstones of a change feed. Every way a record gets marked deleted goes
//! through [`mark_deleted`], so a pending local edit is never deleted under
//! a person's feet: the provider's deletion of it becomes a conflict.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};
use tether_core::Timestamp;
use tether_core::lease::Lease;
use tether_core::store::{ConnectionId, Provenance, PullEnd, RunId};

use crate::entity::records::{self, Column};
use crate::error::{Doing, StoreError};
use crate::leases::fence;
use crate::records::ID_CHUNK;
use crate::sea_store::{SeaStore, micros, now};
use crate::sync_state::complete_pull;

/// A batch of records to mark deleted, and how the deletion was learned.
pub(crate) struct Deletion<'a> {
    /// The run that learned it.
    pub run: RunId,
    /// When (provider time).
    pub at: Timestamp,
    /// The external ids.
    pub ids: &'a [String],
    /// How the provider showed it (`vanish`, `tombstone`, ...), kept on the record.
    pub source: &'a str,
    /// The provenance of the change.
    pub how: Provenance,
    /// For a full pull's confirmed absences: only records its sweep did not
    /// see (one it saw meanwhile is live).
    pub unseen_by: Option<RunId>,
}

/// Marks the live records among `deletion.ids` deleted, keeping their last
/// values; a record with a pending local edit is made a conflict instead.
/// Returns how many records it marked deleted.
pub(crate) async fn mark_deleted<C: ConnectionTrait>(
    txn: &C,
    lease: &Lease,
    deletion: &Deletion<'_>,
) -> Result<u64, DbErr> {
    let mut deleted = 0;
    for ids in deletion.ids.chunks(ID_CHUNK) {
        let of_these = || {
            Condition::all()
                .add(Column::ConnectionId.eq(lease.connection.0))
                .add(Column::Kind.eq(lease.kind.as_str()))
                .add(Column::ExternalId.is_in(ids.iter().map(String::as_str)))
        };
        records::Entity::update_many()
            .col_expr(Column::PendingState, Expr::value("conflict"))
            .col_expr(Column::RemoteData, Expr::value(Option::<String>::None))
            .col_expr(
                Column::ExportError,
                Expr::value("the provider no longer has this object"),
            )
            .col_expr(Column::Revision, Expr::col(Column::Revision).add(1))
            .filter(of_these())
            .filter(Column::PendingChange.is_not_null())
            .exec(txn)
            .await?;
        let mut live = of_these()
            .add(Column::DeletedAt.is_null())
            .add(Column::PendingChange.is_null());
        if let Some(sweep) = deletion.unseen_by {
            live = live.add(
                Condition::any()
                    .add(Column::SeenInSweep.is_null())
                    .add(Column::SeenInSweep.ne(sweep.0)),
            );
        }
        deleted += records::Entity::update_many()
            .col_expr(Column::DeletedAt, Expr::value(micros(deletion.at)))
            .col_expr(
                Column::DeletionHeldAt,
                Expr::value(Option::<Timestamp>::None),
            )
            .col_expr(Column::DeletionSource, Expr::value(deletion.source))
            .col_expr(Column::ChangedByRun, Expr::value(deletion.run.0))
            .col_expr(Column::ChangedHow, Expr::value(deletion.how.as_str()))
            .filter(live)
            .exec(txn)
            .await?
            .rows_affected;
    }
    Ok(deleted)
}

impl SeaStore {
    /// The live records of a kind that the full pull `sweep` has not seen.
    pub(crate) async fn unseen_impl(
        &self,
        connection: ConnectionId,
        kind: &str,
        sweep: RunId,
    ) -> Result<Vec<String>, StoreError> {
        let ids: Vec<Option<String>> = records::Entity::find()
            .select_only()
            .column(Column::ExternalId)
            .filter(Column::ConnectionId.eq(connection.0))
            .filter(Column::Kind.eq(kind))
            .filter(Column::ExternalId.is_not_null())
            .filter(Column::DeletedAt.is_null())
            .filter(
                Condition::any()
                    .add(Column::SeenInSweep.is_null())
                    .add(Column::SeenInSweep.ne(sweep.0)),
            )
            .into_tuple()
            .all(self.db())
            .await
            .doing(|| {
                format!(
                    "listing the records of {kind} for connection {} that pull {sweep} did not see",
                    connection.0
                )
            })?;
        Ok(ids.into_iter().flatten().collect())
    }

    /// Under the run's lease: marks the deletions of these live records as
    /// held (a later pull that sees one again clears it).
    pub(crate) async fn hold_deletions_impl(
        &self,
        lease: &Lease,
        run: RunId,
        ids: &[String],
    ) -> Result<u64, StoreError> {
        let doing = || {
            format!(
                "holding {} deletions of {} for connection {} (run {run})",
                ids.len(),
                lease.kind,
                lease.connection.0
            )
        };
        let at = now();
        let txn = self.begin_write().await.doing(doing)?;
        fence(&txn, self.backend(), lease).await?;
        let mut held = 0;
        for chunk in ids.chunks(ID_CHUNK) {
            held += records::Entity::update_many()
                .col_expr(Column::DeletionHeldAt, Expr::value(at))
                .filter(Column::ConnectionId.eq(lease.connection.0))
                .filter(Column::Kind.eq(lease.kind.as_str()))
                .filter(Column::ExternalId.is_in(chunk.iter().map(String::as_str)))
                .filter(Column::DeletedAt.is_null())
                .exec(&txn)
                .await
                .doing(doing)?
                .rows_affected;
        }
        txn.commit().await.doing(doing)?;
        Ok(held)
    }

    /// Under the run's lease, in one transaction: marks deleted the records
    /// the provider confirmed gone (only those still unseen and live),
    /// advances the cursor and clears the checkpoint. Returns how many
    /// records it marked deleted.
    pub(crate) async fn finish_pull_impl(&self, end: PullEnd<'_>) -> Result<u64, StoreError> {
        let lease = end.lease;
        let doing = || {
            format!(
                "finishing the pull of {} for connection {} (run {})",
                lease.kind, lease.connection.0, end.run
            )
        };
        let txn = self.begin_write().await.doing(doing)?;
        fence(&txn, self.backend(), lease).await?;
        let mut deleted = 0;
        if let Some(reconcile) = end.reconcile {
            let deletion = Deletion {
                run: end.run,
                at: end.seen_at,
                ids: reconcile.confirmed_absent,
                source: reconcile.deletion_source,
                how: Provenance::Reconciliation,
                unseen_by: Some(reconcile.sweep),
            };
            deleted = mark_deleted(&txn, lease, &deletion).await.doing(doing)?;
        }
        let full_pull_at = end.reconcile.is_some().then_some(micros(end.seen_at));
        complete_pull(
            &txn,
            lease.connection,
            &lease.kind,
            end.pull,
            end.cursor,
            full_pull_at,
        )
        .await
        .doing(doing)?;
        txn.commit().await.doing(doing)?;
        Ok(deleted)
    }
}
