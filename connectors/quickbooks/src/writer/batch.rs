//! A `/batch` answer: one `BatchItemResponse` per item sent, matched by
//! `bId`, holding the object as it now stands or the Fault that refused it.

use std::collections::HashMap;

use serde_json::value::RawValue;
use tether_core::{Error, ErrorKind, Result};

use crate::client::Fault;

/// One item of a batch answer.
#[derive(Debug)]
pub(super) enum BatchAnswer {
    /// The object as it now stands.
    Object(Box<RawValue>),
    /// Why it was refused.
    Fault(Fault),
}

/// A `/batch` answer's items by `bId`.
pub(super) fn batch_answers(body: &[u8]) -> Result<HashMap<String, BatchAnswer>> {
    #[derive(serde::Deserialize)]
    struct Answer {
        #[serde(rename = "BatchItemResponse", default)]
        items: Vec<HashMap<String, Box<RawValue>>>,
    }
    let malformed =
        |what: String| Error::new(ErrorKind::Malformed, format!("QuickBooks batch: {what}"));
    let answer: Answer = serde_json::from_slice(body)
        .map_err(|e| malformed(format!("not a BatchItemResponse: {e}")))?;
    let mut by_id = HashMap::new();
    for mut item in answer.items {
        let bid: String = item
            .remove("bId")
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
            .ok_or_else(|| malformed("an item without its bId".into()))?;
        let outcome =
            match item.remove("Fault") {
                Some(raw) => BatchAnswer::Fault(serde_json::from_str(raw.get()).map_err(|e| {
                    malformed(format!("item {bid}: a Fault that does not read: {e}"))
                })?),
                None => match item.into_iter().find(|(key, raw)| {
                    key.starts_with(|c: char| c.is_ascii_uppercase()) && raw.get().starts_with('{')
                }) {
                    Some((_, raw)) => BatchAnswer::Object(raw),
                    None => {
                        return Err(malformed(format!(
                            "item {bid} holds neither an object nor a Fault"
                        )));
                    }
                },
            };
        by_id.insert(bid, outcome);
    }
    Ok(by_id)
}
