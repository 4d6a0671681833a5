//! What export learnt of each record, written under the run's lease and
//! swapped on each record's revision, with a change-log row per record.

use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, IdenStatic, QueryFilter};
use serde_json::json;
use tether_core::lease::Lease;
use tether_core::store::{Provenance, RunId, Settled, Settlement};

use crate::entity::records::{self, Column};
use crate::error::{Doing, StoreError};
use crate::leases::fence;
use crate::local::{Log, log};
use crate::sea_store::{SeaStore, micros, now};

impl SeaStore {
    pub(crate) async fn settle_impl(
        &self,
        lease: &Lease,
        run: RunId,
        settlements: &[Settlement<'_>],
    ) -> Result<Vec<bool>, StoreError> {
        let doing = || {
            format!(
                "recording the export of {} {} for connection {} (run {run})",
                settlements.len(),
                lease.kind,
                lease.connection.0
            )
        };
        let txn = self.begin_write().await.doing(doing)?;
        fence(&txn, self.backend(), lease).await?;
        let mut applied = Vec::with_capacity(settlements.len());
        for s in settlements {
            let done = settle_one(&txn, lease, run, s).await.doing(doing)?;
            applied.push(done);
        }
        txn.commit().await.doing(doing)?;
        Ok(applied)
    }
}

/// The columns a pending edit occupies, set to "nothing pending".
fn cleared() -> Vec<(Column, SimpleExpr)> {
    let none = || Expr::value(Option::<String>::None);
    vec![
        (Column::PendingChange, none()),
        (Column::PendingPatch, none()),
        (Column::PendingState, none()),
        (Column::BaseVersion, none()),
        (Column::ExportError, none()),
        (Column::IdempotencyKey, none()),
        (Column::RemoteData, none()),
        (Column::ExportAttempt, Expr::value(0i64)),
    ]
}

async fn settle_one(
    txn: &DatabaseTransaction,
    lease: &Lease,
    run: RunId,
    s: &Settlement<'_>,
) -> Result<bool, DbErr> {
    let at = now();
    let mut set: Vec<(Column, SimpleExpr)> = Vec::new();
    let (op, detail) = match &s.outcome {
        Settled::Sending { idempotency_key } => {
            set.push((Column::PendingState, Expr::value("uncertain")));
            set.push((Column::IdempotencyKey, Expr::value(*idempotency_key)));
            set.push((
                Column::ExportAttempt,
                Expr::col(Column::ExportAttempt).add(1),
            ));
            ("sending", json!({ "idempotency_key": idempotency_key }))
        }
        Settled::Written { object, data, rest } => {
            // A sync may have pulled the object while its answer was lost:
            // that copy gives way to the record it was created from.
            records::Entity::delete_many()
                .filter(Column::ConnectionId.eq(lease.connection.0))
                .filter(Column::Kind.eq(lease.kind.as_str()))
                .filter(Column::ExternalId.eq(object.external_id.as_str()))
                .filter(Column::Id.ne(s.record))
                .filter(Column::PendingChange.is_null())
                .exec(txn)
                .await?;
            set.extend(cleared());
            set.push((Column::ExternalId, Expr::value(object.external_id.as_str())));
            set.push((Column::Data, Expr::value(*data)));
            set.push((Column::RemoteVersion, Expr::value(object.version.clone())));
            set.push((
                Column::RemoteUpdatedAt,
                Expr::value(object.remote_updated_at.map(micros)),
            ));
            set.push((Column::ExportedAt, Expr::value(at)));
            set.push((Column::ChangedByRun, Expr::value(run.0)));
            set.push((Column::ChangedHow, Expr::value(Provenance::Export.as_str())));
            if let Some(rest) = rest {
                set.push((Column::PendingChange, Expr::value(rest.op.as_str())));
                set.push((Column::PendingPatch, Expr::value(rest.patch.to_string())));
                set.push((Column::PendingState, Expr::value(rest.state.as_str())));
                set.push((Column::BaseVersion, Expr::value(rest.base_version.clone())));
                set.push((Column::RemoteData, Expr::value(object.data.as_str())));
            }
            (
                "exported",
                json!({ "external_id": object.external_id, "version": object.version }),
            )
        }
        Settled::Deleted { object } => {
            set.extend(cleared());
            set.push((Column::DeletedAt, Expr::value(at)));
            set.push((Column::DeletionSource, Expr::value("local")));
            set.push((Column::ExportedAt, Expr::value(at)));
            set.push((Column::ChangedByRun, Expr::value(run.0)));
            set.push((Column::ChangedHow, Expr::value(Provenance::Export.as_str())));
            if let Some(object) = object {
                set.push((Column::Data, Expr::value(object.data.as_str())));
                set.push((Column::RemoteVersion, Expr::value(object.version.clone())));
            }
            ("deleted", json!({}))
        }
        Settled::Refused { message } => {
            set.push((Column::PendingState, Expr::value("refused")));
            set.push((Column::ExportError, Expr::value(*message)));
            set.push((Column::IdempotencyKey, Expr::value(Option::<String>::None)));
            ("refused", json!({ "message": message }))
        }
        Settled::Conflict { remote, message } => {
            set.push((Column::PendingState, Expr::value("conflict")));
            set.push((Column::ExportError, Expr::value(*message)));
            set.push((Column::IdempotencyKey, Expr::value(Option::<String>::None)));
            set.push((
                Column::RemoteData,
                Expr::value(remote.map(|r| r.data.clone())),
            ));
            if let Some(remote) = remote {
                set.push((Column::RemoteVersion, Expr::value(remote.version.clone())));
            }
            ("conflict", json!({ "message": message }))
        }
    };
    // Later assignments of a column win (a cleared edit replaced by the rest).
    let mut update = records::Entity::update_many();
    for (i, (column, value)) in set.iter().enumerate() {
        let later = set[i + 1..]
            .iter()
            .any(|(c, _)| c.as_str() == column.as_str());
        if !later {
            update = update.col_expr(*column, value.clone());
        }
    }
    let updated = update
        .col_expr(Column::Revision, Expr::col(Column::Revision).add(1))
        .filter(Column::Id.eq(s.record))
        .filter(Column::Revision.eq(s.revision))
        .exec(txn)
        .await?
        .rows_affected;
    if updated == 0 {
        return Ok(false);
    }
    log(
        txn,
        Log {
            connection: lease.connection.0,
            kind: &lease.kind,
            record: s.record,
            source: "export",
            op,
            run: Some(run.0),
            detail: Some(&detail),
        },
    )
    .await?;
    Ok(true)
}
