//! The list hook: one page of an entity, read with QuickBooks' query
//! language. A full pull asks `ORDERBY Id STARTPOSITION n MAXRESULTS 1000`
//! (`Id` never changes, so an edit during the pull moves nothing); the page
//! token is the next `STARTPOSITION`, and a page shorter than `MAXRESULTS`
//! ends the listing. A resync adds `MetaData.LastUpdatedTime > '<since>'`
//! and still orders by `Id`. Name lists always ask for inactive objects
//! too. Reading by ids is the same query with `Id IN (…)`.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::value::RawValue;
use tether_core::http::Api;
use tether_core::{Error, ErrorKind, Page, PageRequest, PageToken, Result, Timestamp};

use crate::client;
use crate::config::MAX_RESULTS;
use crate::kinds::Entity;
use crate::schema::time::query_stamp;

/// A text value in a query: quoted with `'`, a `'` inside escaped with `\`.
pub(crate) fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// `SELECT * FROM <Entity>` with these conditions, and the order and window.
pub(crate) fn select(entity: &Entity, mut conditions: Vec<String>, tail: &str) -> String {
    conditions.extend(entity.family.include_inactive().map(str::to_owned));
    let mut sql = format!("SELECT * FROM {}", entity.name);
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    sql.push(' ');
    sql.push_str(tail);
    sql
}

/// The query of one page of a listing from `start` (1-based), of what
/// changed after `since` when it is given.
pub(crate) fn list_query(entity: &Entity, start: u64, since: Option<Timestamp>) -> String {
    let conditions = since
        .map(|t| format!("MetaData.LastUpdatedTime > {}", quote(&query_stamp(t))))
        .into_iter()
        .collect();
    select(
        entity,
        conditions,
        &format!("ORDERBY Id STARTPOSITION {start} MAXRESULTS {MAX_RESULTS}"),
    )
}

/// The query reading these ids, whatever their state (name lists: inactive too).
pub(crate) fn ids_query(entity: &Entity, ids: &[&str]) -> String {
    let quoted: Vec<String> = ids.iter().map(|id| quote(id)).collect();
    select(
        entity,
        vec![format!("Id IN ({})", quoted.join(","))],
        &format!("MAXRESULTS {MAX_RESULTS}"),
    )
}

/// Where a listing stands: the next `STARTPOSITION`.
fn start_of(token: Option<&PageToken>) -> Result<u64> {
    match token {
        None => Ok(1),
        Some(token) => token.0.parse().ok().filter(|s| *s >= 1).ok_or_else(|| {
            Error::invalid(format!(
                "QuickBooks page token `{}`: expected a STARTPOSITION (a number from 1)",
                token.0
            ))
        }),
    }
}

/// Fetches one page of `entity`.
pub(crate) async fn list_page(api: &Api, entity: &Entity, request: PageRequest) -> Result<Page> {
    let start = start_of(request.token.as_ref())?;
    let mut page = run(
        api,
        entity,
        &list_query(entity, start, request.modified_since),
    )
    .await?;
    let served = page.objects.len() as u64;
    if served >= u64::from(MAX_RESULTS) {
        page.next = Some(PageToken((start + served).to_string()));
    }
    Ok(page)
}

/// Reads the objects of `entity` with these ids (at most `IDS_PER_READ`).
/// QuickBooks' ids are numbers: an id that is not one cannot exist there
/// and is left out of the query (which it would break) and so of the answer.
pub(crate) async fn read_by_ids(api: &Api, entity: &Entity, ids: &[String]) -> Result<Page> {
    let numeric: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    if numeric.is_empty() {
        return Ok(Page::default());
    }
    run(api, entity, &ids_query(entity, &numeric)).await
}

/// Runs a query for `entity`; its objects raw, as one page.
pub(crate) async fn run(api: &Api, entity: &Entity, sql: &str) -> Result<Page> {
    let answer = client::query(api, sql).await?;
    let (objects, total) = objects_of(entity.name, &answer.body)?;
    Ok(Page {
        objects,
        next: None,
        provider_time: answer.time,
        total_hint: total,
    })
}

/// The objects of `entity` in a query answer (`QueryResponse.<Entity>`; an
/// empty result has no list), and `totalCount` when it says.
pub(crate) fn objects_of(entity: &str, body: &[u8]) -> Result<(Vec<Box<RawValue>>, Option<u64>)> {
    #[derive(Deserialize)]
    struct Answer {
        #[serde(rename = "QueryResponse")]
        response: HashMap<String, Box<RawValue>>,
    }
    let malformed = |e: serde_json::Error| {
        Error::new(
            ErrorKind::Malformed,
            format!("QuickBooks query of {entity}: not a QueryResponse: {e}"),
        )
    };
    let mut answer: Answer = serde_json::from_slice(body).map_err(malformed)?;
    let objects = match answer.response.remove(entity) {
        Some(list) => serde_json::from_str(list.get()).map_err(malformed)?,
        None => Vec::new(),
    };
    let total = answer
        .response
        .get("totalCount")
        .and_then(|t| t.get().parse().ok());
    Ok((objects, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::{CUSTOMERS, INVOICES};

    #[test]
    fn full_pulls_page_by_id() {
        assert_eq!(
            list_query(&INVOICES.entity, 1, None),
            "SELECT * FROM Invoice ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000"
        );
        assert_eq!(
            list_query(&CUSTOMERS.entity, 2001, None),
            "SELECT * FROM Customer WHERE Active IN (true,false) ORDERBY Id STARTPOSITION 2001 MAXRESULTS 1000"
        );
    }

    #[test]
    fn resyncs_ask_for_changes_since_in_utc() {
        let since = crate::schema::time::parse("2026-11-29T20:12:09.5-08:00").unwrap();
        assert_eq!(
            list_query(&CUSTOMERS.entity, 1, Some(since)),
            "SELECT * FROM Customer WHERE MetaData.LastUpdatedTime > '2026-11-30T04:12:09Z' AND Active IN (true,false) ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000"
        );
    }

    #[test]
    fn ids_are_quoted_and_names_include_inactive() {
        assert_eq!(
            ids_query(&INVOICES.entity, &["1", "20"]),
            "SELECT * FROM Invoice WHERE Id IN ('1','20') MAXRESULTS 1000"
        );
        assert_eq!(
            ids_query(&CUSTOMERS.entity, &["3"]),
            "SELECT * FROM Customer WHERE Id IN ('3') AND Active IN (true,false) MAXRESULTS 1000"
        );
        assert_eq!(quote("Amy's"), r"'Amy\'s'");
    }

    #[test]
    fn tokens_are_start_positions() {
        assert_eq!(start_of(None).unwrap(), 1);
        assert_eq!(start_of(Some(&PageToken("1001".into()))).unwrap(), 1001);
        assert!(start_of(Some(&PageToken("0".into()))).is_err());
        assert!(start_of(Some(&PageToken("page 2".into()))).is_err());
    }

    #[test]
    fn answers_give_the_entity_list_or_nothing() {
        let body = br#"{"QueryResponse": {"Invoice": [{"Id": "1"}, {"Id": "2"}], "startPosition": 1, "maxResults": 2}, "time": "2026-11-30T04:12:09.123-08:00"}"#;
        let (objects, total) = objects_of("Invoice", body).unwrap();
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[1].get(), r#"{"Id": "2"}"#);
        assert_eq!(total, None);
        let (objects, _) = objects_of("Invoice", br#"{"QueryResponse": {}, "time": "x"}"#).unwrap();
        assert!(objects.is_empty());
        let (_, total) =
            objects_of("Invoice", br#"{"QueryResponse": {"totalCount": 42}}"#).unwrap();
        assert_eq!(total, Some(42));
        let e = objects_of("Invoice", b"<html>").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed);
    }
}
