//! How every QuickBooks answer is sent: JSON with a `"time"` field (the
//! company's clock, milliseconds and offset) and an `intuit_tid` header,
//! the id Intuit's support asks for.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::time;

/// `body` (an object) with `"time"` added, as a response of `status`.
pub(crate) fn json(status: StatusCode, mut body: Value, now_ms: i64) -> Response {
    if let Some(m) = body.as_object_mut() {
        m.insert("time".into(), Value::String(time::stamp(now_ms)));
    }
    let mut r = (status, body.to_string()).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        h.insert("intuit_tid", v);
    }
    r
}

/// A 200 answer.
pub(crate) fn ok(body: Value, now_ms: i64) -> Response {
    json(StatusCode::OK, body, now_ms)
}
