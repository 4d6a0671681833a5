//! The write hooks: creates by `PUT`, updates by `POST` (both batched, with
//! `summarizeErrors=false` so one refused object leaves the others written,
//! and an `Idempotency-Key`), items deleted by `DELETE`, and finding an
//! object Tether created when Xero's answer was lost.

use std::collections::HashMap;

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tether_core::http::Api;
use tether_core::local;
use tether_core::{
    Error, ErrorKind, ObjectKind, ObjectWriter, ParseError, Result, WriteOutcome, WriteRequest,
};

use crate::client;
use crate::kinds::XeroKind;
use crate::lister;
use crate::schema::XeroObject;

/// Stands where a provider id will be, so a local object reads as its type.
const PLACEHOLDER_ID: &str = "00000000-0000-0000-0000-000000000000";

#[async_trait]
impl<T: XeroObject> ObjectWriter for XeroKind<T> {
    fn check(&self, object: &Value) -> std::result::Result<(), ParseError> {
        local::check_typed(self, object, T::ID_FIELD, PLACEHOLDER_ID)
    }

    async fn write_batch(
        &self,
        api: &Api,
        batch: &[WriteRequest],
        idempotency_key: &str,
    ) -> Result<Vec<WriteOutcome>> {
        let mut outcomes: Vec<Option<WriteOutcome>> = vec![None; batch.len()];
        let creates: Vec<usize> = (0..batch.len())
            .filter(|&i| batch[i].external_id.is_none())
            .collect();
        let updates: Vec<usize> = (0..batch.len())
            .filter(|&i| batch[i].external_id.is_some())
            .collect();
        // Xero creates with PUT and updates with POST; each request carries a
        // key of its own, derived from the batch's.
        for (method, indexes, suffix) in [(Method::PUT, creates, "c"), (Method::POST, updates, "u")]
        {
            if indexes.is_empty() {
                continue;
            }
            let elements: Vec<Value> = indexes.iter().map(|&i| self.element(&batch[i])).collect();
            let key = format!("{idempotency_key}-{suffix}");
            let answers = self.send(api, method, elements, &key).await?;
            for (i, answer) in indexes.into_iter().zip(answers) {
                outcomes[i] = Some(answer);
            }
        }
        Ok(outcomes
            .into_iter()
            .map(|o| {
                o.unwrap_or_else(|| WriteOutcome::Rejected("no answer for this object".into()))
            })
            .collect())
    }

    async fn delete(&self, api: &Api, request: &WriteRequest) -> Result<WriteOutcome> {
        let external_id = request.external_id.as_deref().unwrap_or_default();
        let path = format!("{}/{external_id}", self.collection.path);
        let key = format!("tether-delete-{external_id}");
        match client::send(api, Method::DELETE, &path, &[], &key, None).await {
            Ok(_) => Ok(WriteOutcome::Deleted),
            // Gone already: what the delete wanted.
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(WriteOutcome::Deleted),
            Err(e) if e.kind() == ErrorKind::Invalid => Ok(WriteOutcome::Rejected(e.to_string())),
            Err(e) => Err(e),
        }
    }

    async fn find_created(&self, api: &Api, object: &Value) -> Result<Vec<Box<RawValue>>> {
        let Some(write) = self.collection.write else {
            return Ok(Vec::new());
        };
        let conditions: Vec<String> = write
            .identified_by
            .iter()
            .filter_map(|path| condition(path, object))
            .collect();
        if conditions.is_empty() {
            tracing::warn!(
                kind = self.name(),
                "nothing identifies this object at Xero; it cannot be looked for"
            );
            return Ok(Vec::new());
        }
        let page =
            lister::read_filtered(api, &self.collection, ("where", conditions.join(" AND ")))
                .await?;
        Ok(page.objects.into_iter().filter(|raw| !gone(raw)).collect())
    }
}

impl<T: XeroObject> XeroKind<T> {
    /// One object as Xero's write body carries it: the id for an update.
    fn element(&self, request: &WriteRequest) -> Value {
        let mut body = request.body.clone();
        if let (Some(id), Value::Object(map)) = (&request.external_id, &mut body) {
            map.insert(T::ID_FIELD.to_owned(), Value::from(id.as_str()));
        }
        body
    }

    /// One write request; an answer per element, in order.
    async fn send(
        &self,
        api: &Api,
        method: Method,
        elements: Vec<Value>,
        key: &str,
    ) -> Result<Vec<WriteOutcome>> {
        let path = self.collection.path;
        let count = elements.len();
        let body = Value::Object(Map::from_iter([(path.to_owned(), Value::Array(elements))]));
        let query = [("summarizeErrors", "false".to_owned())];
        let response = match client::send(api, method, path, &query, key, Some(&body)).await {
            Ok(response) => response,
            // Refused as a whole (a body Xero cannot read): every element is.
            Err(e) if e.kind() == ErrorKind::Invalid => {
                return Ok(vec![WriteOutcome::Rejected(e.to_string()); count]);
            }
            Err(e) => return Err(e),
        };
        let malformed = |e: serde_json::Error| {
            Error::new(
                ErrorKind::Malformed,
                format!("Xero {path}: the write's answer is not the expected envelope: {e}"),
            )
        };
        let envelope: HashMap<&str, &RawValue> =
            serde_json::from_slice(&response.body).map_err(malformed)?;
        let answers: Vec<Box<RawValue>> = match envelope.get(path) {
            Some(list) => serde_json::from_str(list.get()).map_err(malformed)?,
            None => Vec::new(),
        };
        Ok(answers.iter().map(|raw| self.outcome(raw)).collect())
    }

    /// One element of a write's answer: written, or refused with Xero's words.
    fn outcome(&self, raw: &RawValue) -> WriteOutcome {
        #[derive(Deserialize, Default)]
        #[serde(default, rename_all = "PascalCase")]
        struct Errors {
            validation_errors: Vec<Message>,
        }
        #[derive(Deserialize, Default)]
        #[serde(default, rename_all = "PascalCase")]
        struct Message {
            message: String,
        }
        let errors: Errors = serde_json::from_str(raw.get()).unwrap_or_default();
        if !errors.validation_errors.is_empty() {
            let said: Vec<String> = errors
                .validation_errors
                .into_iter()
                .map(|m| m.message)
                .collect();
            return WriteOutcome::Rejected(format!("Xero: {}", said.join("; ")));
        }
        match self.parse(raw) {
            Ok(object) => WriteOutcome::Written(object),
            Err(e) => WriteOutcome::Rejected(format!("Xero's answer could not be read: {e}")),
        }
    }
}

/// A `where` comparison for the field at `path` (`Contact.ContactID`), when
/// the object carries it: GUIDs as `guid("…")`, numbers bare, text quoted.
fn condition(path: &str, object: &Value) -> Option<String> {
    let value = path.split('.').try_fold(object, |v, key| v.get(key))?;
    match value {
        Value::String(s) if s.is_empty() || s.contains('"') => None,
        Value::String(s) if path.ends_with("ID") => Some(format!("{path}==guid(\"{s}\")")),
        Value::String(s) => Some(format!("{path}==\"{s}\"")),
        Value::Number(n) => Some(format!("{path}=={n}")),
        _ => None,
    }
}

/// Whether a found object is deleted or voided (not the one just created).
fn gone(raw: &RawValue) -> bool {
    let status = serde_json::from_str::<Value>(raw.get())
        .ok()
        .and_then(|v| v.get("Status").and_then(Value::as_str).map(str::to_owned));
    matches!(status.as_deref(), Some("DELETED" | "VOIDED"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conditions_name_what_the_object_carries() {
        let invoice = json!({
            "Type": "ACCPAY",
            "Contact": {"ContactID": "c0ffee00-0000-4000-8000-000000000001"},
            "Reference": "has \"quotes\"",
            "Amount": 12.5,
        });
        assert_eq!(
            condition("Type", &invoice).as_deref(),
            Some(r#"Type=="ACCPAY""#)
        );
        assert_eq!(
            condition("Contact.ContactID", &invoice).as_deref(),
            Some(r#"Contact.ContactID==guid("c0ffee00-0000-4000-8000-000000000001")"#)
        );
        assert_eq!(
            condition("Amount", &invoice).as_deref(),
            Some("Amount==12.5")
        );
        assert_eq!(
            condition("Reference", &invoice),
            None,
            "quotes cannot be filtered on"
        );
        assert_eq!(condition("InvoiceNumber", &invoice), None);
    }
}
