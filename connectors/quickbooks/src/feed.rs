//! QuickBooks' change data capture (`GET /cdc`) as core's change feed: one
//! call answers for every entity asked, changed objects whole, deleted
//! transactions as tombstones (`"status": "Deleted"`), name lists made
//! inactive whole with `Active: false`. It reaches 30 days back, and an
//! answer holding 1,000 objects in all may have been cut: then no kind's
//! share is known to be whole, so each is marked incomplete and core reads
//! that kind's own listing instead.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::value::RawValue;
use tether_core::feed::{ChangeFeed, FeedAnswer, FeedChanges};
use tether_core::http::Api;
use tether_core::{Error, ErrorKind, Result, Timestamp};

use crate::client;
use crate::config::{CDC_MAX_OBJECTS, CDC_WINDOW};
use crate::kinds::{self, Entity};
use crate::schema::time::query_stamp;

/// The `/cdc` change feed; it covers every kind.
pub(crate) struct QbFeed;

#[async_trait]
impl ChangeFeed for QbFeed {
    fn window(&self) -> Duration {
        CDC_WINDOW
    }

    fn covers(&self, kind: &str) -> bool {
        kinds::entity(kind).is_some()
    }

    async fn changes(&self, api: &Api, kinds: &[&str], since: Timestamp) -> Result<FeedAnswer> {
        let asked: Vec<&Entity> = kinds.iter().filter_map(|k| kinds::entity(k)).collect();
        if asked.is_empty() {
            return Ok(FeedAnswer::default());
        }
        let names: Vec<&str> = asked.iter().map(|e| e.name).collect();
        let query = [
            ("entities", names.join(",")),
            ("changedSince", query_stamp(since)),
        ];
        let answer = client::get(api, "cdc", &query).await?;
        Ok(FeedAnswer {
            provider_time: answer.time,
            kinds: split(&asked, &answer.body)?,
        })
    }
}

/// A `/cdc` answer split per kind asked: objects, tombstones, and whether
/// the whole answer stayed under the cap.
pub(crate) fn split(asked: &[&Entity], body: &[u8]) -> Result<Vec<FeedChanges>> {
    #[derive(Deserialize)]
    struct Cdc {
        #[serde(rename = "CDCResponse")]
        responses: Vec<CdcResponse>,
    }
    #[derive(Deserialize)]
    struct CdcResponse {
        #[serde(rename = "QueryResponse", default)]
        entities: Vec<HashMap<String, Box<RawValue>>>,
    }
    #[derive(Deserialize)]
    struct Marked {
        #[serde(rename = "Id")]
        id: String,
        status: Option<String>,
    }
    let malformed = |e: serde_json::Error| {
        Error::new(
            ErrorKind::Malformed,
            format!("QuickBooks cdc: not a CDCResponse: {e}"),
        )
    };
    let cdc: Cdc = serde_json::from_slice(body).map_err(malformed)?;
    let mut lists: HashMap<String, Vec<Box<RawValue>>> = HashMap::new();
    for entry in cdc.responses.into_iter().flat_map(|r| r.entities) {
        for (name, value) in entry {
            // `startPosition`, `maxResults`, `totalCount` sit beside the list.
            if asked.iter().any(|e| e.name == name) {
                let list: Vec<Box<RawValue>> =
                    serde_json::from_str(value.get()).map_err(malformed)?;
                lists.entry(name).or_default().extend(list);
            }
        }
    }
    let total: usize = lists.values().map(Vec::len).sum();
    let complete = total < CDC_MAX_OBJECTS;
    let mut changes = Vec::with_capacity(asked.len());
    for entity in asked {
        let mut share = FeedChanges {
            kind: entity.kind.to_owned(),
            complete,
            ..FeedChanges::default()
        };
        for raw in lists.remove(entity.name).unwrap_or_default() {
            match serde_json::from_str::<Marked>(raw.get()) {
                Ok(m) if m.status.as_deref() == Some("Deleted") => share.tombstones.push(m.id),
                _ => share.objects.push(raw),
            }
        }
        changes.push(share);
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::{CUSTOMERS, INVOICES, ITEMS};
    use serde_json::json;

    fn body(customers: usize, invoices: serde_json::Value) -> Vec<u8> {
        let customers: Vec<_> = (0..customers)
            .map(|i| json!({"Id": i.to_string(), "SyncToken": "0", "DisplayName": format!("C{i}"), "Active": i % 2 == 0}))
            .collect();
        json!({"CDCResponse": [{"QueryResponse": [
            {"Customer": customers, "startPosition": 1, "maxResults": 2, "totalCount": 2},
            {"Invoice": invoices},
            {}
        ]}], "time": "2026-11-30T04:12:09.123-08:00"})
        .to_string()
        .into_bytes()
    }

    #[test]
    fn objects_and_tombstones_go_to_their_kinds() {
        let invoices = json!([
            {"Id": "12", "SyncToken": "1", "CustomerRef": {"value": "1"}},
            {"domain": "QBO", "status": "Deleted", "Id": "59", "MetaData": {"LastUpdatedTime": "2026-11-29T20:00:00-08:00"}}
        ]);
        let asked = [&CUSTOMERS.entity, &INVOICES.entity, &ITEMS.entity];
        let shares = split(&asked, &body(2, invoices)).unwrap();
        let kinds: Vec<_> = shares.iter().map(|s| s.kind.as_str()).collect();
        assert_eq!(kinds, ["customers", "invoices", "items"]);
        assert_eq!(shares[0].objects.len(), 2, "inactive customers come whole");
        assert!(shares[0].tombstones.is_empty());
        assert_eq!(shares[1].objects.len(), 1);
        assert_eq!(shares[1].tombstones, ["59"]);
        assert!(shares[2].objects.is_empty() && shares[2].tombstones.is_empty());
        assert!(shares.iter().all(|s| s.complete));
    }

    #[test]
    fn a_thousand_objects_in_all_may_be_cut() {
        let invoices = json!([{"domain": "QBO", "status": "Deleted", "Id": "59"}]);
        let asked = [&CUSTOMERS.entity, &INVOICES.entity, &ITEMS.entity];
        let shares = split(&asked, &body(999, invoices.clone())).unwrap();
        assert!(
            shares.iter().all(|s| !s.complete),
            "999 + 1 tombstone reach the cap"
        );
        let shares = split(&asked, &body(998, invoices)).unwrap();
        assert!(shares.iter().all(|s| s.complete));
    }

    #[test]
    fn entities_not_asked_are_ignored_and_garbage_is_malformed() {
        let shares = split(&[&INVOICES.entity], &body(3, json!([]))).unwrap();
        assert_eq!(shares.len(), 1);
        assert!(shares[0].objects.is_empty());
        let e = split(&[&INVOICES.entity], b"{\"CDCResponse\": 3}").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed);
    }
}
