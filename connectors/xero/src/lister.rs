//! The list hook: one page of a Xero collection. Follows Xero's `pagination`
//! object where the endpoint has one, else pages until an empty page or one
//! shorter than the largest seen (Xero may serve fewer than asked).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::value::RawValue;
use tether_core::http::{Api, provider_time};
use tether_core::{Error, ErrorKind, Page, PageRequest, PageToken, Paging, Result};

use crate::client;
use crate::config::MAX_PAGE_SIZE;
use crate::kinds::Collection;

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

/// Fetches one page of `collection`.
pub(crate) async fn list_page(
    api: &Api,
    collection: &Collection,
    request: PageRequest,
) -> Result<Page> {
    let position = Position::from_token(request.token.as_ref())?;
    let mut query: Vec<(&str, String)> = Vec::new();
    if let Paging::Paged { .. } = collection.paging {
        query.push(("page", position.page.to_string()));
        query.push(("pageSize", MAX_PAGE_SIZE.to_string()));
    }
    if let Some(order) = collection.order {
        query.push(("order", order.to_owned()));
    }
    if collection.include_archived {
        query.push(("includeArchived", "true".to_owned()));
    }
    let mut headers = Vec::new();
    if let Some(since) = request.modified_since.filter(|_| collection.modified_since) {
        // Xero reads If-Modified-Since as a UTC timestamp without zone.
        headers.push((
            "If-Modified-Since",
            since.format("%Y-%m-%dT%H:%M:%S").to_string(),
        ));
    }
    let response = client::get(api, collection.path, &query, &headers).await?;
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
    let next = match (collection.paging, &pagination) {
        (Paging::Unpaged, _) => None,
        (Paging::Paged { .. }, Some(p)) => (p.page < p.page_count).then(|| Position {
            page: p.page + 1,
            largest: position.largest.max(objects.len()),
        }),
        (Paging::Paged { .. }, None) => {
            let short = objects.is_empty() || objects.len() < position.largest;
            (!short).then(|| Position {
                page: position.page + 1,
                largest: position.largest.max(objects.len()),
            })
        }
    };
    Ok(Page {
        total_hint: pagination.and_then(|p| p.item_count),
        objects,
        next: next.map(Position::token),
        provider_time: provider_time(&response.headers),
    })
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
