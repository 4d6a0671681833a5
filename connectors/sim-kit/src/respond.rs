//! Building responses with a body of a given content type, the one thing
//! every handler of every simulator does.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::Value;

/// A response with a body of the given content type.
pub fn typed_text(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// A response with a JSON body (`application/json`).
pub fn json_value(status: StatusCode, body: &Value) -> Response {
    typed_text(status, "application/json", body.to_string())
}

/// A response with no body.
pub fn empty(status: StatusCode) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    r
}
