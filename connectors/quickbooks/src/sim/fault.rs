//! QuickBooks' error bodies: every error is a `Fault` with one or more
//! `Error`s (`Message`, `Detail`, `code`, `element`) and a `type`; the 401
//! of a bad token spells its keys in lower case, as Intuit sends it.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use serde_json::{Value, json};
use tether_sim_kit::ErrorBody;
use tether_sim_kit::auth::BearerRefusal;
use tether_sim_kit::idempotency::{BadKey, IdempotencyRule};

use super::answer;

/// One documented error.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Fault {
    pub status: StatusCode,
    pub kind: &'static str,
    pub code: &'static str,
    pub message: &'static str,
    pub detail: String,
    pub element: String,
}

impl Fault {
    fn validation(code: &'static str, message: &'static str, detail: String) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            kind: "ValidationFault",
            code,
            message,
            detail,
            element: String::new(),
        }
    }

    /// Names the field at fault.
    pub(crate) fn at(mut self, element: &str) -> Self {
        self.element = element.to_string();
        self
    }

    /// 610: the object is not there (or was deleted).
    pub(crate) fn not_found(entity: &str, id: &str) -> Self {
        Self::validation(
            "610",
            "Object Not Found",
            format!(
                "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees. {entity} Id={id}"
            ),
        )
    }

    /// 2020: a required field is missing.
    pub(crate) fn required(field: &str) -> Self {
        Self::validation(
            "2020",
            "Required param missing, need to supply the required value for the API",
            format!("Required parameter {field} is missing in the request"),
        )
        .at(field)
    }

    /// 2010: a property the entity does not have or does not allow.
    pub(crate) fn invalid_property(detail: String) -> Self {
        Self::validation(
            "2010",
            "Request has invalid or unsupported property",
            detail,
        )
    }

    /// 2050: a string of the wrong length.
    pub(crate) fn string_length(field: &str, max: usize) -> Self {
        Self::validation(
            "2050",
            "String length is either shorter or longer than supported by specification",
            format!("{field} is longer than {max} characters"),
        )
        .at(field)
    }

    /// 2500: a reference to an object that does not exist.
    pub(crate) fn invalid_reference(field: &str, id: &str) -> Self {
        Self::validation(
            "2500",
            "Invalid Reference Id",
            format!("Invalid Reference Id : {field} {id} does not exist"),
        )
        .at(field)
    }

    /// 5010: the `SyncToken` sent is not the current one.
    pub(crate) fn stale(entity: &str, id: &str) -> Self {
        Self::validation(
            "5010",
            "Stale Object Error",
            format!(
                "Stale Object Error : You and another user were working on the same thing. Please refresh the {entity} with Id={id} and try again."
            ),
        )
    }

    /// 6240: the name is taken.
    pub(crate) fn duplicate_name(id: u64) -> Self {
        Self::validation(
            "6240",
            "Duplicate Name Exists Error",
            format!("The name supplied already exists. : Id={id}"),
        )
    }

    /// 6000: a business rule refused the object.
    pub(crate) fn business(detail: String) -> Self {
        Self::validation(
            "6000",
            "A business validation error has occurred while processing your request",
            detail,
        )
    }

    /// 4000: the query (or CDC request) cannot be parsed.
    pub(crate) fn query(detail: String) -> Self {
        Self::validation(
            "4000",
            "Error parsing query",
            format!("QueryParserError: {detail}"),
        )
    }

    /// 003001: throttled.
    pub(crate) fn throttled() -> Self {
        Self {
            status: StatusCode::TOO_MANY_REQUESTS,
            kind: "SERVICE",
            code: "003001",
            message: "message=ThrottleExceeded; errorCode=003001; statusCode=429",
            detail: "The request limit was reached.".into(),
            element: String::new(),
        }
    }

    /// 3100: the token does not reach this company.
    pub(crate) fn not_authorized() -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            kind: "AUTHORIZATION",
            code: "3100",
            message: "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
            detail: String::new(),
            element: String::new(),
        }
    }

    /// 10000: the server failed (injected 500s and 503s).
    pub(crate) fn internal(status: StatusCode) -> Self {
        Self {
            status,
            kind: "SystemFault",
            code: "10000",
            message: "An application error has occurred while processing your request",
            detail: "System Failure Error: An unexpected error occurred while accessing or saving your data. Please wait a few minutes and try again. If the problem persists, contact customer support.".into(),
            element: String::new(),
        }
    }

    /// The `Fault` object (without `time`), as a batch item carries it.
    pub(crate) fn body(&self) -> Value {
        json!({
            "Error": [{"Message": self.message, "Detail": self.detail, "code": self.code, "element": self.element}],
            "type": self.kind,
        })
    }

    /// The whole answer.
    pub(crate) fn response(&self, now_ms: i64) -> Response {
        answer::json(self.status, json!({"Fault": self.body()}), now_ms)
    }
}

/// The 401 of a missing, unknown or expired access token: code 3200, type
/// `AUTHENTICATION`, lower-case keys.
pub(crate) fn unauthenticated(detail: &str, now_ms: i64) -> Response {
    let body = json!({
        "warnings": null,
        "intuitObject": null,
        "fault": {"error": [{
            "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
            "detail": detail, "code": "3200", "element": null,
        }], "type": "AUTHENTICATION"},
        "report": null,
        "queryResponse": null,
        "batchItemResponse": [],
        "attachableResponse": [],
        "syncErrorResponse": null,
        "requestId": null,
        "cdcresponse": [],
    });
    answer::json(StatusCode::UNAUTHORIZED, body, now_ms)
}

/// The kit's refusals in QuickBooks' words.
pub(crate) struct QuickBooksErrors;

impl ErrorBody for QuickBooksErrors {
    fn bad_idempotency_key(&self, rule: &IdempotencyRule, why: BadKey) -> Response {
        let f = match why {
            BadKey::TooLong => Fault::string_length("requestid", rule.max_len),
            _ => Fault::invalid_property("requestid must be 1 to 50 characters".into())
                .at("requestid"),
        };
        f.response(tether_sim_kit::clock::now_ms())
    }

    fn idempotency_conflict(&self) -> Response {
        // Never asked: QuickBooks replays the first answer (Mismatch::Replay).
        self.server_error(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn server_error(&self, status: StatusCode) -> Response {
        Fault::internal(status).response(tether_sim_kit::clock::now_ms())
    }

    fn unauthorized(&self, why: BearerRefusal) -> Response {
        let detail = match why {
            BearerRefusal::Missing => "Authorization header missing",
            BearerRefusal::Unknown => "Token invalid",
            BearerRefusal::Expired { .. } => "Token expired",
        };
        unauthenticated(detail, tether_sim_kit::clock::now_ms())
    }

    fn oauth_error(&self, error: &str) -> Response {
        // Intuit answers a client it cannot authenticate with 401.
        let status = match error {
            "invalid_client" => StatusCode::UNAUTHORIZED,
            _ => StatusCode::BAD_REQUEST,
        };
        (
            status,
            [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
            json!({"error": error}).to_string(),
        )
            .into_response()
    }

    fn authorize_refused(&self, error: &str, description: &str) -> Response {
        let text = format!("{error}: {description}");
        (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            text,
        )
            .into_response()
    }
}
