//! Xero's error responses, with the bodies Xero sends: API exceptions
//! (`{"ErrorNumber":10,"Type":"ValidationException",...}`), identity
//! problem details (`{"Type":null,"Title":"Unauthorized",...}`) for 401/403/429,
//! and the plain-text 404.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

/// `application/json; charset=utf-8`, Xero's JSON content type.
pub(crate) const JSON_TYPE: &str = "application/json; charset=utf-8";

/// `text/plain; charset=utf-8`, the content type of Xero's 404.
pub(crate) const TEXT_TYPE: &str = "text/plain; charset=utf-8";

/// The body of Xero's 404.
pub(crate) const NOT_FOUND_BODY: &str = "The resource you're looking for cannot be found";

/// A response with a body of the given content type.
pub(crate) fn typed_text(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// A response with a JSON body given as text.
pub(crate) fn json_text(status: StatusCode, body: String) -> Response {
    typed_text(status, JSON_TYPE, body)
}

/// A response with a JSON body.
pub(crate) fn json_value(status: StatusCode, body: &Value) -> Response {
    json_text(status, body.to_string())
}

fn api_exception(number: u32, kind: &str, message: &str) -> Value {
    json!({ "ErrorNumber": number, "Type": kind, "Message": message })
}

/// 400 ValidationException listing the failed elements, each carrying its
/// `ValidationErrors` (elements given as JSON text).
pub(crate) fn validation(elements: &[String]) -> Response {
    json_text(StatusCode::BAD_REQUEST, validation_body(elements))
}

/// The body of [`validation`].
pub(crate) fn validation_body(elements: &[String]) -> String {
    let mut body = String::from(
        r#"{"ErrorNumber":10,"Type":"ValidationException","Message":"A validation exception occurred","Elements":["#,
    );
    for (i, e) in elements.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(e);
    }
    body.push_str("]}");
    body
}

/// 400 ValidationException with one message and no element.
pub(crate) fn validation_message(message: &str) -> Response {
    let body = json!({
        "ErrorNumber": 10,
        "Type": "ValidationException",
        "Message": "A validation exception occurred",
        "Elements": [{ "ValidationErrors": [{ "Message": message }] }],
    });
    json_value(StatusCode::BAD_REQUEST, &body)
}

/// 400 PostDataInvalidException: the request body is not usable JSON.
pub(crate) fn post_data_invalid(detail: &str) -> Response {
    let message = format!("JSON for post data was invalid,{detail}");
    json_value(
        StatusCode::BAD_REQUEST,
        &api_exception(14, "PostDataInvalidException", &message),
    )
}

/// 400 QueryParseException: `where`/`order`/ids could not be parsed.
pub(crate) fn query_parse(message: &str) -> Response {
    json_value(
        StatusCode::BAD_REQUEST,
        &api_exception(16, "QueryParseException", message),
    )
}

/// 400 NoDataProcessedException: the body holds no element.
pub(crate) fn no_data(collection: &str) -> Response {
    let message = format!(
        "No data has been processed for this endpoint. This endpoint is expecting {collection} data to be specified in the request body."
    );
    json_value(
        StatusCode::BAD_REQUEST,
        &api_exception(20, "NoDataProcessedException", &message),
    )
}

/// 404 with Xero's plain-text body.
pub(crate) fn not_found() -> Response {
    typed_text(StatusCode::NOT_FOUND, TEXT_TYPE, NOT_FOUND_BODY.to_string())
}

/// 405 for a method the endpoint does not support.
pub(crate) fn method_not_allowed() -> Response {
    json_value(
        StatusCode::METHOD_NOT_ALLOWED,
        &api_exception(
            22,
            "MethodNotAllowedException",
            "The method specified is not allowed for this resource",
        ),
    )
}

/// The problem-details body of Xero's gateway (401, 403, 429).
pub(crate) fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = json!({
        "Type": null,
        "Title": title,
        "Status": status.as_u16(),
        "Detail": detail,
        "Instance": Uuid::new_v4().to_string(),
        "Extensions": {},
    });
    json_value(status, &body)
}

/// 401 with a `WWW-Authenticate` challenge.
pub(crate) fn unauthorized(detail: &str) -> Response {
    let mut r = problem(StatusCode::UNAUTHORIZED, "Unauthorized", detail);
    let challenge = if detail.starts_with("TokenExpired") {
        r#"Bearer error="invalid_token", error_description="The access token has expired""#
    } else {
        r#"Bearer error="invalid_token""#
    };
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    r
}

/// 403 (missing or unknown `xero-tenant-id`, or a tenant not connected).
pub(crate) fn forbidden() -> Response {
    problem(
        StatusCode::FORBIDDEN,
        "Forbidden",
        "AuthenticationUnsuccessful",
    )
}

/// 500 or 503 as injected by the fault settings.
pub(crate) fn injected(status: StatusCode) -> Response {
    let body = if status == StatusCode::SERVICE_UNAVAILABLE {
        api_exception(
            25,
            "NotAvailableException",
            "The Xero API is currently unavailable. Please try again soon.",
        )
    } else {
        api_exception(
            23,
            "InternalServerException",
            "An unhandled error with the Xero API. Contact the Xero API team if problems persist.",
        )
    };
    json_value(status, &body)
}

/// An OAuth2 token-endpoint error (`{"error":"invalid_client"}`).
pub(crate) fn oauth_error(error: &str) -> Response {
    json_value(StatusCode::BAD_REQUEST, &json!({ "error": error }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;

    async fn body(r: Response) -> Value {
        let b = to_bytes(r.into_body(), 1 << 20).await.unwrap();
        serde_json::from_slice(&b).unwrap()
    }

    #[tokio::test]
    async fn validation_body_matches_spec_shape() {
        let r = validation(&[r#"{"ValidationErrors":[{"Message":"x"}]}"#.to_string()]);
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let v = body(r).await;
        assert_eq!(v["ErrorNumber"], 10);
        assert_eq!(v["Type"], "ValidationException");
        assert_eq!(v["Message"], "A validation exception occurred");
        assert_eq!(v["Elements"][0]["ValidationErrors"][0]["Message"], "x");
    }

    #[tokio::test]
    async fn unauthorized_has_challenge_and_problem_body() {
        let r = unauthorized("TokenExpired: token expired at 04/09/2023 05:16:59");
        assert!(r.headers().contains_key(header::WWW_AUTHENTICATE));
        let v = body(r).await;
        assert_eq!(v["Type"], Value::Null);
        assert_eq!(v["Title"], "Unauthorized");
        assert_eq!(v["Status"], 401);
    }
}
