//! Requests to QuickBooks and the one place its Faults are classified.
//!
//! Every call is under the company's root (`/v3/company/{realmId}/…`),
//! carries `minorversion` and `Accept: application/json`, and answers with
//! a `"time"` field: the provider's clock, which cursors are taken from.

use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use tether_core::http::{Api, Batch, provider_time};
use tether_core::{Error, ErrorKind, Result, Timestamp};

use crate::config::MINOR_VERSION;

/// Longest query sent in a URL; a longer one (a read of 100 ids) goes as
/// the body of a `POST /query`, which Intuit documents too.
const MAX_QUERY_IN_URL: usize = 1500;

/// A successful answer: the provider's clock and the body.
pub(crate) struct QbAnswer {
    /// The answer's `"time"`, else its `Date` header.
    pub time: Option<Timestamp>,
    pub body: Bytes,
}

/// The body of a request.
pub(crate) enum Body<'a> {
    /// An object to write.
    Json(&'a serde_json::Value),
    /// A query, as `application/text`.
    Text(String),
}

/// The company every call is for: it is the first segment of every path.
pub(crate) fn realm(api: &Api) -> Result<&str> {
    api.tenant_id()
        .ok_or_else(|| Error::config("a QuickBooks call needs a company (realmId)"))
}

/// The path, under the company's root, of a request of several operations.
pub(crate) const BATCH: &str = "batch";

/// Sends one request to `path` under the company's root.
pub(crate) async fn send(
    api: &Api,
    method: Method,
    path: &str,
    query: &[(&str, String)],
    body: Option<Body<'_>>,
) -> Result<QbAnswer> {
    let full = format!("{}/{path}", realm(api)?);
    let mut request = api
        .request(method, &full)
        .header(ACCEPT, "application/json")
        .query(query)
        .query(&[("minorversion", MINOR_VERSION)]);
    if path == BATCH {
        // Intuit limits batch requests apart from the others (40 a minute).
        request = request.with_extension(Batch);
    }
    request = match body {
        Some(Body::Json(value)) => request.json(value),
        Some(Body::Text(text)) => request.header(CONTENT_TYPE, "application/text").body(text),
        None => request,
    };
    let response = request.send().await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(Error::from)?;
    if status.is_success() {
        Ok(QbAnswer {
            time: answer_time(&body, &headers),
            body,
        })
    } else {
        Err(parse_error(path, status, &body))
    }
}

/// `GET` a path under the company's root.
pub(crate) async fn get(api: &Api, path: &str, query: &[(&str, String)]) -> Result<QbAnswer> {
    send(api, Method::GET, path, query, None).await
}

/// Runs one query: in the URL when it is short, else as the body of a `POST`.
pub(crate) async fn query(api: &Api, sql: &str) -> Result<QbAnswer> {
    if sql.len() <= MAX_QUERY_IN_URL {
        get(api, "query", &[("query", sql.to_owned())]).await
    } else {
        send(
            api,
            Method::POST,
            "query",
            &[],
            Some(Body::Text(sql.to_owned())),
        )
        .await
    }
}

/// The provider's clock of an answer: its `"time"` field (milliseconds,
/// with the company's offset), else the `Date` header.
pub(crate) fn answer_time(body: &[u8], headers: &HeaderMap) -> Option<Timestamp> {
    #[derive(Deserialize)]
    struct Time {
        time: Option<String>,
    }
    serde_json::from_slice::<Time>(body)
        .ok()
        .and_then(|t| t.time)
        .and_then(|t| crate::schema::time::parse(&t))
        .or_else(|| provider_time(headers))
}

/// A Fault, as Intuit sends it: `Fault`/`Error`/`Message` capitalised from
/// the API, lower-case from its authentication layer.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Fault {
    #[serde(rename = "Error", alias = "error", default)]
    pub errors: Vec<FaultError>,
    #[serde(rename = "type", alias = "Type", default)]
    pub kind: Option<String>,
}

/// One error of a Fault.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct FaultError {
    #[serde(rename = "Message", alias = "message", default)]
    pub message: Option<String>,
    #[serde(rename = "Detail", alias = "detail", default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub element: Option<String>,
}

impl Fault {
    /// The first error's code (`610`, `5010`, …).
    pub fn code(&self) -> Option<&str> {
        self.errors.first().and_then(|e| e.code.as_deref())
    }

    /// Intuit's words, each error with its code and the element it names.
    pub fn said(&self) -> String {
        let said: Vec<String> = self
            .errors
            .iter()
            .map(|e| {
                let mut text = e.message.clone().unwrap_or_default();
                if let Some(detail) = e
                    .detail
                    .as_deref()
                    .filter(|d| Some(*d) != e.message.as_deref())
                {
                    text = if text.is_empty() {
                        detail.to_owned()
                    } else {
                        format!("{text}: {detail}")
                    };
                }
                if let Some(element) = e.element.as_deref().filter(|e| !e.is_empty()) {
                    text.push_str(&format!(" (element `{element}`)"));
                }
                match &e.code {
                    Some(code) => format!("[{code}] {text}"),
                    None => text,
                }
            })
            .collect();
        if said.is_empty() {
            self.kind
                .clone()
                .unwrap_or_else(|| "a Fault with no error".into())
        } else {
            said.join("; ")
        }
    }

    /// What kind of failure the Fault is: its code first, then its type.
    pub fn error_kind(&self) -> ErrorKind {
        match self.code() {
            Some("610") => ErrorKind::NotFound,
            Some("5010") => ErrorKind::Conflict,
            Some("3200" | "3100") => ErrorKind::Unauthorized,
            Some("003001") => ErrorKind::RateLimited,
            Some("10000") => ErrorKind::Transient,
            Some(c) if c.starts_with('2') || c.starts_with('4') || c.starts_with('6') => {
                ErrorKind::Invalid
            }
            _ => match self.kind.as_deref().map(str::to_ascii_lowercase).as_deref() {
                Some("authentication" | "authorizationfault") => ErrorKind::Unauthorized,
                Some("systemfault" | "service") => ErrorKind::Transient,
                _ => ErrorKind::Invalid,
            },
        }
    }
}

/// Classifies an error answer into core's taxonomy, keeping Intuit's words:
/// the HTTP status decides what it always means (401 refused credentials,
/// 429 throttled, 5xx may pass), the Fault's code the rest.
pub(crate) fn parse_error(path: &str, status: StatusCode, body: &[u8]) -> Error {
    #[derive(Deserialize)]
    struct Envelope {
        #[serde(rename = "Fault", alias = "fault")]
        fault: Fault,
    }
    let fault = serde_json::from_slice::<Envelope>(body)
        .ok()
        .map(|e| e.fault);
    let said = match &fault {
        Some(f) => f.said(),
        None => String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
    };
    let kind = match status {
        StatusCode::UNAUTHORIZED => ErrorKind::Unauthorized,
        StatusCode::TOO_MANY_REQUESTS => ErrorKind::RateLimited,
        s if s.is_server_error() => ErrorKind::Transient,
        s => match &fault {
            Some(f) if !f.errors.is_empty() => f.error_kind(),
            _ => match s {
                StatusCode::FORBIDDEN => ErrorKind::Unauthorized,
                StatusCode::NOT_FOUND => ErrorKind::NotFound,
                StatusCode::BAD_REQUEST => ErrorKind::Invalid,
                _ => ErrorKind::Permanent,
            },
        },
    };
    Error::new(
        kind,
        format!("QuickBooks {path}: {} {said}", status.as_u16()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(code: &str, status: StatusCode) -> Error {
        let body = format!(
            r#"{{"Fault":{{"Error":[{{"Message":"m{code}","Detail":"d{code}","code":"{code}","element":"Line.Amount"}}],"type":"ValidationFault"}},"time":"2026-11-30T04:12:09.123-08:00"}}"#
        );
        parse_error("invoice", status, body.as_bytes())
    }

    #[test]
    fn fault_codes_classify() {
        let bad = StatusCode::BAD_REQUEST;
        assert_eq!(fault("610", bad).kind(), ErrorKind::NotFound);
        assert_eq!(fault("5010", bad).kind(), ErrorKind::Conflict);
        assert_eq!(fault("6240", bad).kind(), ErrorKind::Invalid);
        assert_eq!(fault("2020", bad).kind(), ErrorKind::Invalid);
        assert_eq!(fault("2500", bad).kind(), ErrorKind::Invalid);
        assert_eq!(fault("4000", bad).kind(), ErrorKind::Invalid);
        assert_eq!(
            fault("3100", StatusCode::FORBIDDEN).kind(),
            ErrorKind::Unauthorized
        );
        assert_eq!(
            fault("003001", StatusCode::TOO_MANY_REQUESTS).kind(),
            ErrorKind::RateLimited
        );
        assert_eq!(
            fault("10000", StatusCode::INTERNAL_SERVER_ERROR).kind(),
            ErrorKind::Transient
        );
        assert_eq!(
            parse_error("x", StatusCode::SERVICE_UNAVAILABLE, b"<html>").kind(),
            ErrorKind::Transient
        );
    }

    #[test]
    fn the_message_names_code_and_element() {
        let e = fault("2020", StatusCode::BAD_REQUEST);
        assert_eq!(
            e.message(),
            "QuickBooks invoice: 400 [2020] m2020: d2020 (element `Line.Amount`)"
        );
    }

    #[test]
    fn lower_case_authentication_faults_read() {
        let body = br#"{"warnings":null,"intuitObject":null,"fault":{"error":[{"message":"message=AuthenticationFailed; errorCode=003200; statusCode=401","detail":"Token expired","code":"3200"}],"type":"AUTHENTICATION"},"time":"2026-11-30T04:12:09.123-08:00"}"#;
        let e = parse_error("query", StatusCode::UNAUTHORIZED, body);
        assert_eq!(e.kind(), ErrorKind::Unauthorized);
        assert!(
            e.message().contains("[3200]") && e.message().contains("Token expired"),
            "{e}"
        );
    }

    #[test]
    fn the_clock_is_the_time_field_else_the_date_header() {
        let mut headers = HeaderMap::new();
        headers.insert("date", "Mon, 30 Nov 2026 12:00:00 GMT".parse().unwrap());
        let t = answer_time(br#"{"time":"2026-11-30T04:12:09.123-08:00"}"#, &headers).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-30T12:12:09.123+00:00");
        let t = answer_time(br#"{"QueryResponse":{}}"#, &headers).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-30T12:00:00+00:00");
    }
}
