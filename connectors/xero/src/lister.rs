//! The list hook: one page of a Xero collection. Follows Xero's `pagination`
//! object where the endpoint has one, else pages until an empty page or one
//! shorter than the largest seen (Xero may serve fewer than asked). Reading
//! a set of objects by id is the same listing, filtered.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::value::RawValue;
use tether_core::http::{Api, provider_time};
use tether_core::{Error, ErrorKind, Page, PageRequest, PageToken, Paging, Result};

use crate::client;
use crate::config::MAX_PAGE_SIZE;
use crate::kinds::{ByIds, Collection};

/// Xero's `pagination` object (OpenAPI `Pagination`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Pagination {
    page: u32,
    page_count: u32,
    item_count: Option<u64>,
}

/// Where a paged listing stands: the page to fetch and the largest page seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Position {
    page: u32,
    largest: usize,
}

impl Position {
    fn from_token(token: Option<&PageToken>) -> Result<Self> {
        let Some(token) = token else {
            return Ok(Position {
                page: 1,
                largest: 0,
            });
        };
        let (page, largest) = token.0.split_once(':').unwrap_or((&token.0, "0"));
        match (page.parse(), largest.parse()) {
            (Ok(page), Ok(largest)) => Ok(Position { page, largest }),
            _ => Err(Error::invalid(format!(
                "Xero page token `{}`: expected `<page>:<largest page size>`",
                token.0
            ))),
        }
    }

    fn token(self) -> PageToken {
        PageToken(format!("{}:{}", self.page, self.largest))
    }
}

/// The query every listing of `collection` carries: the page (paged
/// collections only; without one Xero leaves line items out), the order and
/// `includeArchived`.
fn list_query<'q>(collection: &Collection, page: u32) -> Vec<(&'q str, String)> {
    let mut query = Vec::new();
    if let Paging::Paged { .. } = collection.paging {
        query.push(("page", page.to_string()));
        query.push(("pageSize", MAX_PAGE_SIZE.to_string()));
    }
    if let Some(order) = collection.order {
        query.push(("order", order.to_owned()));
    }
    if collection.include_archived {
        query.push(("includeArchived", "true".to_owned()));
    }
    query
}

/// Fetches one page of `collection`.
pub(crate) async fn list_page(
    api: &Api,
    collection: &Collection,
    request: PageRequest,
) -> Result<Page> {
    let position = Position::from_token(request.token.as_ref())?;
    let query = list_query(collection, position.page);
    let mut headers = Vec::new();
    if let Some(since) = request.modified_since.filter(|_| collection.modified_since) {
        // Xero reads If-Modified-Since as a UTC timestamp without zone.
        headers.push((
            "If-Modified-Since",
            since.format("%Y-%m-%dT%H:%M:%S").to_string(),
        ));
    }
    let (pagination, page) = fetch(api, collection, &query, &headers).await?;
    let next = match (collection.paging, &pagination) {
        (Paging::Unpaged, _) => None,
        (Paging::Paged { .. }, Some(p)) => (p.page < p.page_count).then(|| Position {
            page: p.page + 1,
            largest: position.largest.max(page.objects.len()),
        }),
        (Paging::Paged { .. }, None) => {
            let short = page.objects.is_empty() || page.objects.len() < position.largest;
            (!short).then(|| Position {
                page: position.page + 1,
                largest: position.largest.max(page.objects.len()),
            })
        }
    };
    Ok(Page {
        next: next.map(Position::token),
        ..page
    })
}

/// Reads the objects of `collection` with these ids (at most
/// `by_ids.max_ids()`, so one page holds them all).
pub(crate) async fn read_by_ids(
    api: &Api,
    collection: &Collection,
    id_field: &str,
    ids: &[String],
) -> Result<Page> {
    let filter = match collection.by_ids {
        ByIds::Param => ("IDs", ids.join(",")),
        ByIds::Where { guid } => {
            let one = |id: &String| {
                if guid {
                    format!("{id_field}==guid(\"{id}\")")
                } else {
                    format!("{id_field}==\"{id}\"")
                }
            };
            let filter: Vec<String> = ids.iter().map(one).collect();
            ("where", filter.join(" OR "))
        }
    };
    read_filtered(api, collection, filter).await
}

/// The first page of `collection` narrowed by one filter parameter (`IDs`,
/// `where`, `InvoiceNumbers`, …), whole objects as a listing page has them.
pub(crate) async fn read_filtered(
    api: &Api,
    collection: &Collection,
    filter: (&str, String),
) -> Result<Page> {
    let mut query = list_query(collection, 1);
    query.push(filter);
    let (_, page) = fetch(api, collection, &query, &[]).await?;
    Ok(page)
}

/// One `GET` of the collection, its objects still raw, and its `pagination`.
async fn fetch(
    api: &Api,
    collection: &Collection,
    query: &[(&str, String)],
    headers: &[(&'static str, String)],
) -> Result<(Option<Pagination>, Page)> {
    let response = client::get(api, collection.path, query, headers).await?;
    let envelope: HashMap<&str, &RawValue> =
        serde_json::from_slice(&response.body).map_err(|e| {
            Error::new(
                ErrorKind::Malformed,
                format!("Xero {}: malformed response body: {e}", collection.path),
            )
        })?;
    let objects: Vec<Box<RawValue>> = match envelope.get(collection.path) {
        Some(list) => serde_json::from_str(list.get()).map_err(|e| {
            Error::new(
                ErrorKind::Malformed,
                format!(
                    "Xero {}: `{}` is not a list: {e}",
                    collection.path, collection.path
                ),
            )
        })?,
        None => Vec::new(),
    };
    let pagination: Option<Pagination> = envelope
        .get("pagination")
        .and_then(|p| serde_json::from_str(p.get()).ok());
    let page = Page {
        total_hint: pagination.as_ref().and_then(|p| p.item_count),
        objects,
        next: None,
        provider_time: provider_time(&response.headers),
    };
    Ok((pagination, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        let p = Position {
            page: 7,
            largest: 1000,
        };
        assert_eq!(Position::from_token(Some(&p.token())).unwrap(), p);
        assert_eq!(
            Position::from_token(None).unwrap(),
            Position {
                page: 1,
                largest: 0
            }
        );
        assert!(Position::from_token(Some(&PageToken("x".into()))).is_err());
    }
}
