//! Carrying a plan out: outcomes known already are recorded; the rest is
//! marked uncertain (durably, before anything leaves), sent in batches with
//! an idempotency key, and each record's answer recorded on its own.

use crate::lease::Lease;
use crate::pending::{ChangeOp, Pending, PendingState, RecordKey};
use crate::store::{RunId, Settled, Settlement, StoredRecord};
use crate::{Error, ErrorKind, ObjectKind, ObjectWriter, Result, WriteOutcome};

use super::plan::{Action, Known, Plan, Planned, Send};
use super::{Exporter, KindExport};

/// Times a record that moved on while it was being sent is read again.
const SETTLE_ATTEMPTS: usize = 3;

impl Exporter<'_> {
    /// Records what the plan knows and sends the rest.
    pub(super) async fn carry_out(
        &self,
        kind: &'static dyn ObjectKind,
        lease: &Lease,
        report: &mut KindExport,
        plan: Plan,
    ) -> Result<()> {
        if self.options.dry_run {
            for item in plan.items() {
                count(report, item.action, item.action != Action::Unresolved);
                report.items.push(item);
            }
            return Ok(());
        }
        let run = report
            .run
            .ok_or_else(|| Error::config("an export that writes has a run"))?;
        let writer = kind.writer().ok_or_else(|| {
            Error::config(format!(
                "{}: declares writes but has no writer",
                kind.name()
            ))
        })?;
        for record in &plan.unresolved {
            count(report, Action::Unresolved, true);
            report.items.push(item(
                record,
                Action::Unresolved,
                record.pending.as_ref().and_then(|p| p.error.clone()),
            ));
        }
        self.settle_known(lease, run, report, &plan.known).await?;
        let batch_size = kind.capabilities().write.map_or(1, |c| c.batch_size.max(1));
        for batch in plan.writes.chunks(batch_size) {
            if self.cancel.is_cancelled() {
                return Err(Error::new(ErrorKind::Cancelled, "export interrupted"));
            }
            self.send_batch(writer, lease, run, report, batch).await?;
        }
        for delete in &plan.deletes {
            if self.cancel.is_cancelled() {
                return Err(Error::new(ErrorKind::Cancelled, "export interrupted"));
            }
            self.send_delete(writer, lease, run, report, delete).await?;
        }
        Ok(())
    }

    async fn settle_known(
        &self,
        lease: &Lease,
        run: RunId,
        report: &mut KindExport,
        known: &[(StoredRecord, Known)],
    ) -> Result<()> {
        // A link that keeps an edit pending keeps the local view too.
        let local_views: Vec<String> = known.iter().map(|(r, _)| r.data.to_string()).collect();
        let mut settlements = Vec::with_capacity(known.len());
        for ((record, outcome), local_view) in known.iter().zip(&local_views) {
            let outcome = match outcome {
                Known::Link(object, rest) => Settled::Written {
                    object,
                    data: if rest.is_some() {
                        local_view
                    } else {
                        &object.data
                    },
                    rest: rest.as_ref(),
                },
                Known::Deleted(object) => Settled::Deleted {
                    object: object.as_ref(),
                },
                Known::Conflict(remote, message) => Settled::Conflict {
                    remote: remote.as_ref(),
                    message,
                },
                Known::Refused(message) => Settled::Refused { message },
            };
            settlements.push(Settlement {
                record: record.id,
                revision: record.revision,
                outcome,
            });
        }
        let applied = self.store.settle(lease, run, &settlements).await?;
        for ((record, outcome), done) in known.iter().zip(applied) {
            if !done {
                // Edited meanwhile: the next export sees the new edit.
                continue;
            }
            let (action, message) = match outcome {
                Known::Link(..) => (Action::Link, None),
                Known::Deleted(_) => (Action::Delete, None),
                Known::Conflict(_, m) => (Action::Conflict, Some(m.clone())),
                Known::Refused(m) => (Action::Refused, Some(m.clone())),
            };
            count(report, action, true);
            report.items.push(item(record, action, message));
        }
        Ok(())
    }

    async fn send_batch(
        &self,
        writer: &dyn ObjectWriter,
        lease: &Lease,
        run: RunId,
        report: &mut KindExport,
        batch: &[Send],
    ) -> Result<()> {
        let key = idempotency_key(batch.iter().map(|s| &s.record));
        let sending: Vec<Settlement> = batch
            .iter()
            .map(|s| Settlement {
                record: s.record.id,
                revision: s.record.revision,
                outcome: Settled::Sending {
                    idempotency_key: &key,
                },
            })
            .collect();
        let marked = self.store.settle(lease, run, &sending).await?;
        // A record edited since it was read waits for the next export.
        let batch: Vec<&Send> = batch
            .iter()
            .zip(marked)
            .filter_map(|(s, ok)| ok.then_some(s))
            .collect();
        if batch.is_empty() {
            return Ok(());
        }
        let requests: Vec<_> = batch.iter().map(|s| s.request.clone()).collect();
        let outcomes = match writer.write_batch(&self.api, &requests, &key).await {
            Ok(outcomes) if outcomes.len() == batch.len() => outcomes,
            Ok(outcomes) => {
                return Err(Error::new(
                    ErrorKind::Malformed,
                    format!(
                        "the provider answered {} outcomes for {} objects; they stay uncertain",
                        outcomes.len(),
                        batch.len()
                    ),
                ));
            }
            Err(e) => return self.lost(report, &batch, e),
        };
        for (send, outcome) in batch.into_iter().zip(outcomes) {
            self.record_outcome(lease, run, report, send, outcome)
                .await?;
        }
        Ok(())
    }

    async fn send_delete(
        &self,
        writer: &dyn ObjectWriter,
        lease: &Lease,
        run: RunId,
        report: &mut KindExport,
        send: &Send,
    ) -> Result<()> {
        let key = idempotency_key([&send.record]);
        let marked = self
            .store
            .settle(
                lease,
                run,
                &[Settlement {
                    record: send.record.id,
                    revision: send.record.revision,
                    outcome: Settled::Sending {
                        idempotency_key: &key,
                    },
                }],
            )
            .await?;
        if marked.first() != Some(&true) {
            return Ok(());
        }
        let sent = match send.action {
            Action::Void => writer.void(&self.api, &send.request).await,
            _ => writer.delete(&self.api, &send.request).await,
        };
        let outcome = match sent {
            Ok(outcome) => outcome,
            Err(e) => return self.lost(report, &[send], e),
        };
        self.record_outcome(lease, run, report, send, outcome).await
    }

    /// A send whose answer never came: its records stay uncertain for the
    /// next export to look for. A provider that cannot be reached stops the
    /// kind; anything else goes on with the next batch.
    fn lost(&self, report: &mut KindExport, batch: &[&Send], error: Error) -> Result<()> {
        for send in batch {
            count(report, Action::Refused, false);
            report.counts.uncertain += 1;
            report.items.push(item(
                &send.record,
                send.action,
                Some(format!(
                    "sent, but the answer was lost ({error}); the next export looks for it first"
                )),
            ));
        }
        if error.kind() == ErrorKind::Unreachable {
            return Err(error);
        }
        tracing::warn!(error = %error, records = batch.len(), "a write's answer was lost; left uncertain");
        Ok(())
    }

    /// Records the provider's answer for one sent record; a record the
    /// application edited while it was in flight keeps that edit pending.
    async fn record_outcome(
        &self,
        lease: &Lease,
        run: RunId,
        report: &mut KindExport,
        send: &Send,
        outcome: WriteOutcome,
    ) -> Result<()> {
        let mut revision = send.record.revision + 1;
        let mut current: Option<StoredRecord> = None;
        for _ in 0..SETTLE_ATTEMPTS {
            let rest = current
                .as_ref()
                .and_then(|now| rest_after_send(send, now, &outcome));
            let data = match (&current, &outcome) {
                (Some(now), _) if rest.is_some() => now.data.to_string(),
                (_, WriteOutcome::Written(object)) => object.data.clone(),
                _ => String::new(),
            };
            let settled = match &outcome {
                WriteOutcome::Written(object)
                    if send.action == Action::Delete && object.deleted =>
                {
                    Settled::Deleted {
                        object: Some(object),
                    }
                }
                WriteOutcome::Written(object) => Settled::Written {
                    object,
                    data: &data,
                    rest: rest.as_ref(),
                },
                WriteOutcome::Deleted => Settled::Deleted { object: None },
                WriteOutcome::Rejected(message) => Settled::Refused { message },
                WriteOutcome::Conflict { current, message } => Settled::Conflict {
                    remote: Some(current),
                    message,
                },
            };
            let applied = self
                .store
                .settle(
                    lease,
                    run,
                    &[Settlement {
                        record: send.record.id,
                        revision,
                        outcome: settled,
                    }],
                )
                .await?;
            if applied.first() == Some(&true) {
                let (action, message) = match &outcome {
                    WriteOutcome::Rejected(m) => (Action::Refused, Some(m.clone())),
                    WriteOutcome::Conflict { message, .. } => {
                        (Action::Conflict, Some(message.clone()))
                    }
                    _ => (send.action, None),
                };
                count(report, action, true);
                report.items.push(item(&send.record, action, message));
                return Ok(());
            }
            // The application edited it while it was in flight: read it again.
            let now = self
                .store
                .record(
                    self.connection,
                    &lease.kind,
                    &RecordKey::Local(send.record.id),
                )
                .await?
                .ok_or_else(|| Error::config(format!("record {} vanished", send.record.id)))?;
            revision = now.revision;
            current = Some(now);
        }
        Err(Error::new(
            ErrorKind::Conflict,
            format!(
                "{} {}: kept changing while its export was recorded",
                lease.kind, send.record.id
            ),
        ))
    }
}

/// What is still to send after a record's write succeeded, when the
/// application edited it while it was in flight.
fn rest_after_send(send: &Send, now: &StoredRecord, outcome: &WriteOutcome) -> Option<Pending> {
    let WriteOutcome::Written(object) = outcome else {
        return None;
    };
    let pending = now.pending.as_ref()?;
    let patch = match pending.op {
        ChangeOp::Create => crate::local::diff_objects(&send.request.body, &now.data),
        ChangeOp::Update => pending.patch.clone(),
        ChangeOp::Delete | ChangeOp::Void => serde_json::Value::Null,
    };
    Some(Pending {
        op: match pending.op {
            ChangeOp::Delete => ChangeOp::Delete,
            ChangeOp::Void => ChangeOp::Void,
            _ => ChangeOp::Update,
        },
        patch,
        state: PendingState::Ready,
        base_version: object.version.clone(),
        error: None,
        attempt: 0,
        idempotency_key: None,
    })
}

/// An idempotency key derived from the records sent, their revisions and
/// their attempts: the same send retried (by the HTTP layer) carries the same
/// key; a send after a lost answer has a new attempt, so a new key.
fn idempotency_key<'r>(records: impl IntoIterator<Item = &'r StoredRecord>) -> String {
    let mut material = String::from("tether");
    for r in records {
        let attempt = r.pending.as_ref().map_or(0, |p| p.attempt);
        material.push_str(&format!(";{}:{}:{}", r.id, r.revision, attempt));
    }
    let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, material.as_bytes());
    format!("tether-{id}")
}

fn item(record: &StoredRecord, action: Action, message: Option<String>) -> Planned {
    Planned {
        record: record.id,
        external_id: record.external_id.clone(),
        action,
        message,
    }
}

/// Counts an action into the run's counts.
fn count(report: &mut KindExport, action: Action, done: bool) {
    if !done {
        return;
    }
    let c = &mut report.counts;
    c.fetched += 1;
    match action {
        Action::Create | Action::Update | Action::Link | Action::Void => c.written += 1,
        Action::Delete => c.deleted += 1,
        Action::Conflict | Action::Unresolved => c.conflicts += 1,
        Action::Refused => c.refused += 1,
    }
}
