//! The write hooks: creates and updates in one `POST /batch` (up to 30
//! items, each with its `bId`, one refused item leaving the others
//! applied), carrying a `requestid` so a repeat is answered, not applied,
//! again; updates sparse and based on the `SyncToken` export read, so a
//! stale one (Fault 5010) becomes a conflict with QuickBooks' current
//! object; transactions deleted with `operation=delete`; and finding an
//! object Tether created when QuickBooks' answer was lost.

use std::collections::HashMap;

use async_trait::async_trait;
use reqwest::Method;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use tether_core::http::Api;
use tether_core::local;
use tether_core::{
    Error, ErrorKind, ObjectKind, ObjectWriter, ParseError, ParsedObject, Result, WriteOutcome,
    WriteRequest,
};

use crate::client::{self, Body};
use crate::config::REQUEST_ID_MAX;
use crate::kinds::QbKind;
use crate::lister;
use crate::schema::QbObject;
use crate::schema::time::query_stamp;
use crate::write_rules;
use batch::{BatchAnswer, batch_answers};
use update::update_body;

/// Stands where a QuickBooks id will be, so a local object reads as its type.
const PLACEHOLDER_ID: &str = "0";

/// How far back a lost create is looked for when nothing narrower names it.
const LOST_CREATE_LOOKBACK: chrono::TimeDelta = chrono::TimeDelta::days(2);

/// A `requestid` QuickBooks accepts (at most 50 characters): the key as
/// it is when it fits, else a name-based UUID of it, the same for the same key.
pub(crate) fn request_id(key: &str) -> String {
    if key.len() <= REQUEST_ID_MAX {
        return key.to_owned();
    }
    let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, key.as_bytes());
    format!("tether-{id}")
}

/// One item of a batch: sent, or answered already without a call.
enum Prepared {
    Send {
        operation: &'static str,
        body: Value,
    },
    Known(WriteOutcome),
}

#[async_trait]
impl<T: QbObject> ObjectWriter for QbKind<T> {
    fn check(&self, object: &Value) -> std::result::Result<(), ParseError> {
        local::check_typed(self, object, "Id", PLACEHOLDER_ID)
    }

    async fn write_batch(
        &self,
        api: &Api,
        batch: &[WriteRequest],
        idempotency_key: &str,
    ) -> Result<Vec<WriteOutcome>> {
        let prepared = self.prepare(api, batch).await?;
        let items: Vec<Value> = prepared
            .iter()
            .enumerate()
            .filter_map(|(i, p)| match p {
                Prepared::Send { operation, body } => Some(json!({
                    "bId": i.to_string(),
                    "operation": operation,
                    self.entity.name: body,
                })),
                Prepared::Known(_) => None,
            })
            .collect();
        let mut answers = HashMap::new();
        if !items.is_empty() {
            let query = [("requestid", request_id(idempotency_key))];
            let body = json!({ "BatchItemRequest": items });
            match client::send(
                api,
                Method::POST,
                client::BATCH,
                &query,
                Some(Body::Json(&body)),
            )
            .await
            {
                Ok(answer) => answers = batch_answers(&answer.body)?,
                // Refused as a whole (a body QuickBooks cannot read): every item is.
                Err(e) if e.kind() == ErrorKind::Invalid => {
                    let said = e.to_string();
                    return Ok(prepared
                        .into_iter()
                        .map(|p| match p {
                            Prepared::Known(outcome) => outcome,
                            Prepared::Send { .. } => WriteOutcome::Rejected(said.clone()),
                        })
                        .collect());
                }
                Err(e) => return Err(e),
            }
        }
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut stale = Vec::new();
        for (i, p) in prepared.into_iter().enumerate() {
            let outcome = match p {
                Prepared::Known(outcome) => outcome,
                Prepared::Send { .. } => match answers.remove(&i.to_string()) {
                    None => WriteOutcome::Rejected(
                        "QuickBooks' batch answer has no item for this object".into(),
                    ),
                    Some(BatchAnswer::Object(raw)) => self.written(&raw),
                    Some(BatchAnswer::Fault(f)) if f.code() == Some("5010") => {
                        stale.push((i, f.said()));
                        WriteOutcome::Rejected(String::new())
                    }
                    Some(BatchAnswer::Fault(f)) => {
                        WriteOutcome::Rejected(format!("QuickBooks: {}", f.said()))
                    }
                },
            };
            outcomes.push(outcome);
        }
        if !stale.is_empty() {
            let ids: Vec<String> = stale
                .iter()
                .map(|(i, _)| batch[*i].external_id.clone().unwrap_or_default())
                .collect();
            let current = self.current(api, &ids).await?;
            for (i, said) in stale {
                let id = batch[i].external_id.as_deref().unwrap_or_default();
                outcomes[i] = match current.get(id) {
                    Some(object) => WriteOutcome::Conflict {
                        current: object.clone(),
                        message: format!("QuickBooks: {said}"),
                    },
                    None => {
                        WriteOutcome::Rejected(format!("QuickBooks: {said}; the object is gone"))
                    }
                };
            }
        }
        Ok(outcomes)
    }

    async fn delete(&self, api: &Api, request: &WriteRequest) -> Result<WriteOutcome> {
        let id = request.external_id.as_deref().unwrap_or_default();
        match self.operation(api, request, "delete").await? {
            Ok(_) => Ok(WriteOutcome::Deleted),
            // Gone already: what the delete wanted.
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(WriteOutcome::Deleted),
            Err(e) => self.refused(api, id, e).await,
        }
    }

    fn can_void(&self) -> bool {
        write_rules::VOIDABLE.contains(&self.entity.name)
    }

    /// `operation=void`: the object stays, zeroed; the answer is the object.
    async fn void(&self, api: &Api, request: &WriteRequest) -> Result<WriteOutcome> {
        let id = request.external_id.as_deref().unwrap_or_default();
        match self.operation(api, request, "void").await? {
            Ok(answer) => {
                let mut objects: HashMap<String, Box<RawValue>> =
                    serde_json::from_slice(&answer.body).map_err(|e| {
                        Error::invalid(format!("QuickBooks' void answer for {id}: {e}"))
                    })?;
                Ok(match objects.remove(self.entity.name) {
                    Some(raw) => self.written(&raw),
                    None => WriteOutcome::Rejected(format!(
                        "QuickBooks' void answer for {id} holds no {}",
                        self.entity.name
                    )),
                })
            }
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(WriteOutcome::Rejected(format!(
                "{} {id} is no longer at QuickBooks: nothing to void",
                self.entity.name
            ))),
            Err(e) => self.refused(api, id, e).await,
        }
    }
    async fn find_created(&self, api: &Api, object: &Value) -> Result<Vec<Box<RawValue>>> {
        let write = self.entity.write;
        let mut conditions: Vec<String> = write
            .query_by
            .iter()
            .filter_map(|field| match object.get(*field) {
                Some(Value::String(s)) if !s.is_empty() => {
                    Some(format!("{field} = {}", lister::quote(s)))
                }
                _ => None,
            })
            .collect();
        if conditions.is_empty() {
            // Nothing names it: what changed lately, compared by content.
            let since = chrono::Utc::now() - LOST_CREATE_LOOKBACK;
            conditions.push(format!(
                "MetaData.LastUpdatedTime > {}",
                lister::quote(&query_stamp(since))
            ));
        }
        let sql = lister::select(&self.entity, conditions, "MAXRESULTS 1000");
        let page = lister::run(api, &self.entity, &sql).await?;
        Ok(page
            .objects
            .into_iter()
            .filter(|raw| same_identity(write.identified_by, object, raw))
            .collect())
    }
}

impl<T: QbObject> QbKind<T> {
    /// What each request sends: a create as it is; an update sparse, on the
    /// `SyncToken` export read. Where the change reaches into a nested
    /// object or clears a field, QuickBooks' current object is read first
    /// (one query for the batch): a nested object is sent whole (a sparse
    /// update replaces what it names), and a cleared field needs a full
    /// update (a sparse one cannot clear). One that moved on meanwhile is a
    /// conflict without a write.
    async fn prepare(&self, api: &Api, batch: &[WriteRequest]) -> Result<Vec<Prepared>> {
        let deep = |r: &WriteRequest| {
            r.external_id.is_some()
                && r.body
                    .as_object()
                    .is_some_and(|m| m.values().any(|v| v.is_object() || v.is_null()))
        };
        let ids: Vec<String> = batch
            .iter()
            .filter(|r| deep(r))
            .filter_map(|r| r.external_id.clone())
            .collect();
        let current = if ids.is_empty() {
            HashMap::new()
        } else {
            self.current(api, &ids).await?
        };
        Ok(batch
            .iter()
            .map(|request| {
                let Some(id) = &request.external_id else {
                    return Prepared::Send {
                        operation: "create",
                        body: request.body.clone(),
                    };
                };
                let Some(version) = &request.version else {
                    return Prepared::Known(WriteOutcome::Rejected(format!(
                        "updating {} {id}: no SyncToken to base the update on",
                        self.entity.name
                    )));
                };
                let now = current.get(id.as_str());
                if deep(request) {
                    let Some(now) = now else {
                        return Prepared::Known(WriteOutcome::Rejected(format!(
                            "{} {id}: QuickBooks no longer has it",
                            self.entity.name
                        )));
                    };
                    if now.version.as_deref() != Some(version.as_str()) {
                        return Prepared::Known(WriteOutcome::Conflict {
                            current: now.clone(),
                            message: format!("changed at QuickBooks since SyncToken {version}"),
                        });
                    }
                }
                let data: Option<Value> = now.and_then(|o| serde_json::from_str(&o.data).ok());
                Prepared::Send {
                    operation: "update",
                    body: update_body(id, version, &request.body, data.as_ref()),
                }
            })
            .collect())
    }

    /// QuickBooks' current objects with these ids, parsed, by id.
    async fn current(&self, api: &Api, ids: &[String]) -> Result<HashMap<String, ParsedObject>> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(crate::config::IDS_PER_READ) {
            for raw in self.read_by_ids(api, chunk).await?.objects {
                match self.parse(&raw) {
                    Ok(object) => {
                        found.insert(object.external_id.clone(), object);
                    }
                    Err(e) => tracing::warn!(error = %e, "a current object does not parse"),
                }
            }
        }
        Ok(found)
    }

    /// `POST /{entity}?operation=…` with the id and the `SyncToken` the
    /// request is based on, under a `requestid` of its own; the provider's
    /// refusal is the inner error.
    async fn operation(
        &self,
        api: &Api,
        request: &WriteRequest,
        operation: &str,
    ) -> Result<std::result::Result<client::QbAnswer, Error>> {
        let id = request.external_id.as_deref().unwrap_or_default();
        let Some(version) = request.version.as_deref() else {
            return Ok(Err(Error::invalid(format!(
                "{operation} of {} {id}: no SyncToken to base it on",
                self.entity.name
            ))));
        };
        let key = format!("tether-{operation}-{}-{id}-{version}", self.entity.path);
        let query = [
            ("operation", operation.to_owned()),
            ("requestid", request_id(&key)),
        ];
        let body = json!({ "Id": id, "SyncToken": version });
        let sent = client::send(
            api,
            Method::POST,
            self.entity.path,
            &query,
            Some(Body::Json(&body)),
        )
        .await;
        match sent {
            Ok(answer) => Ok(Ok(answer)),
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::NotFound | ErrorKind::Conflict | ErrorKind::Invalid
                ) =>
            {
                Ok(Err(e))
            }
            Err(e) => Err(e),
        }
    }

    /// A delete or void refused: stale (5010) is a conflict with the object
    /// as it now stands, a validation Fault a refusal.
    async fn refused(&self, api: &Api, id: &str, e: Error) -> Result<WriteOutcome> {
        if e.kind() != ErrorKind::Conflict {
            return Ok(WriteOutcome::Rejected(e.to_string()));
        }
        let current = self.current(api, &[id.to_owned()]).await?;
        Ok(match current.get(id) {
            Some(object) => WriteOutcome::Conflict {
                current: object.clone(),
                message: e.to_string(),
            },
            None => WriteOutcome::Deleted,
        })
    }

    /// One item's object in a batch answer: written, or unreadable.
    fn written(&self, raw: &RawValue) -> WriteOutcome {
        match self.parse(raw) {
            Ok(object) => WriteOutcome::Written(object),
            Err(e) => WriteOutcome::Rejected(format!("QuickBooks' answer could not be read: {e}")),
        }
    }
}

/// Whether a found object shares every identifying field `sent` carries
/// (numbers compared as numbers: `55` is `55.0`).
fn same_identity(paths: &[&str], sent: &Value, found: &RawValue) -> bool {
    let Ok(found) = serde_json::from_str::<Value>(found.get()) else {
        return false;
    };
    let at = |v: &Value, path: &str| path.split('.').try_fold(v, |v, key| v.get(key)).cloned();
    paths
        .iter()
        .all(|path| match (at(sent, path), at(&found, path)) {
            (None, _) => true,
            (Some(Value::Number(a)), Some(Value::Number(b))) => a.as_f64() == b.as_f64(),
            (Some(a), Some(b)) => a == b,
            (Some(_), None) => false,
        })
}

mod batch;
#[cfg(test)]
mod tests;
mod update;
