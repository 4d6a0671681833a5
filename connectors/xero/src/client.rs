//! Requests to Xero and the one place its answers are classified.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, HeaderMap};
use serde::Deserialize;
use tether_core::http::Api;
use tether_core::{Error, ErrorKind, Result};

use crate::config::TENANT_HEADER;

/// A successful answer: its headers and body.
pub(crate) struct XeroResponse {
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// `GET` an Accounting API path for the connection's tenant.
pub(crate) async fn get(
    api: &Api,
    path: &str,
    query: &[(&str, String)],
    headers: &[(&'static str, String)],
) -> Result<XeroResponse> {
    let mut request = api
        .get(path)
        .header(ACCEPT, "application/json")
        .query(query);
    if let Some(tenant) = api.tenant_id() {
        request = request.header(TENANT_HEADER, tenant);
    }
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(Error::from)?;
    if status.is_success() {
        Ok(XeroResponse { headers, body })
    } else {
        Err(parse_error(path, status, &body))
    }
}

/// Sends a JSON body (`PUT` creates, `POST` updates, `DELETE` removes) to an
/// Accounting API path, with an `Idempotency-Key` so that a retry of the same
/// request within Xero's window is answered, not applied, again.
pub(crate) async fn send(
    api: &Api,
    method: reqwest::Method,
    path: &str,
    query: &[(&str, String)],
    idempotency_key: &str,
    body: Option<&serde_json::Value>,
) -> Result<XeroResponse> {
    let mut request = api
        .request(method, path)
        .header(ACCEPT, "application/json")
        .header("Idempotency-Key", idempotency_key)
        .query(query);
    if let Some(tenant) = api.tenant_id() {
        request = request.header(TENANT_HEADER, tenant);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(Error::from)?;
    if status.is_success() {
        Ok(XeroResponse { headers, body })
    } else {
        Err(parse_error(path, status, &body))
    }
}

/// Xero's two error body shapes: the API's (`ErrorNumber`, `Type`, `Message`,
/// validation `Elements`) and the identity/problem one (`Title`, `Detail`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct ErrorBody {
    #[serde(rename = "Type")]
    kind: Option<String>,
    #[serde(rename = "Message")]
    message: Option<String>,
    #[serde(rename = "Title")]
    title: Option<String>,
    #[serde(rename = "Detail")]
    detail: Option<String>,
    #[serde(rename = "Elements")]
    elements: Vec<ErrorElement>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ErrorElement {
    #[serde(rename = "ValidationErrors")]
    validation_errors: Vec<ValidationError>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ValidationError {
    #[serde(rename = "Message")]
    message: String,
}

/// Classifies a Xero error answer into core's taxonomy, keeping Xero's words.
pub(crate) fn parse_error(path: &str, status: StatusCode, body: &[u8]) -> Error {
    let parsed: ErrorBody = serde_json::from_slice(body).unwrap_or_default();
    let validation: Vec<&str> = parsed
        .elements
        .iter()
        .flat_map(|e| e.validation_errors.iter().map(|v| v.message.as_str()))
        .collect();
    let said = if !validation.is_empty() {
        validation.join("; ")
    } else {
        [&parsed.detail, &parsed.message, &parsed.title, &parsed.kind]
            .into_iter()
            .flatten()
            .next()
            .cloned()
            .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned())
    };
    let kind = match status {
        StatusCode::BAD_REQUEST => ErrorKind::Invalid,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ErrorKind::Unauthorized,
        StatusCode::NOT_FOUND => ErrorKind::NotFound,
        StatusCode::CONFLICT | StatusCode::PRECONDITION_FAILED => ErrorKind::Conflict,
        StatusCode::TOO_MANY_REQUESTS => ErrorKind::RateLimited,
        s if s.is_server_error() => ErrorKind::Transient,
        _ => ErrorKind::Permanent,
    };
    Error::new(kind, format!("Xero {path}: {} {said}", status.as_u16()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_are_listed() {
        let body = br#"{"ErrorNumber":10,"Type":"ValidationException","Message":"A validation exception occurred","Elements":[{"ValidationErrors":[{"Message":"Email address must be valid."}]}]}"#;
        let e = parse_error("Contacts", StatusCode::BAD_REQUEST, body);
        assert_eq!(e.kind(), ErrorKind::Invalid);
        assert!(e.message().contains("Email address must be valid."), "{e}");
    }

    #[test]
    fn problem_bodies_and_statuses_classify() {
        let body = br#"{"Type":null,"Title":"Unauthorized","Status":401,"Detail":"TokenExpired: token expired at 01/01/2026"}"#;
        let e = parse_error("Invoices", StatusCode::UNAUTHORIZED, body);
        assert_eq!(e.kind(), ErrorKind::Unauthorized);
        assert!(e.message().contains("TokenExpired"));
        assert_eq!(
            parse_error("x", StatusCode::SERVICE_UNAVAILABLE, b"").kind(),
            ErrorKind::Transient
        );
        assert_eq!(
            parse_error("x", StatusCode::NOT_FOUND, b"<html>").kind(),
            ErrorKind::NotFound
        );
    }
}
