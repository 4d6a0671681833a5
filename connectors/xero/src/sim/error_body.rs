//! Xero's words for the refusals the kit makes (see [`ErrorBody`]): a bad
//! or reused `Idempotency-Key` is a ValidationException, a failure inside
//! the simulator Xero's 500, a bad bearer token a problem-details 401
//! (`TokenExpired: token expired at …` for an expired one), a refused
//! consent Xero's HTML error page, an OAuth error `{"error": …}`.

use axum::http::StatusCode;
use axum::response::Response;
use tether_sim_kit::ErrorBody;
use tether_sim_kit::auth::BearerRefusal;
use tether_sim_kit::idempotency::{BadKey, IdempotencyRule};

use super::dates::us_datetime;
use super::errors;

/// Xero's error bodies, handed to the kit.
pub(crate) struct XeroErrors;

impl ErrorBody for XeroErrors {
    fn bad_idempotency_key(&self, rule: &IdempotencyRule, _why: BadKey) -> Response {
        errors::validation_message(&format!(
            "The Idempotency-Key header must be between 1 and {} characters.",
            rule.max_len
        ))
    }

    fn idempotency_conflict(&self) -> Response {
        errors::validation_message(
            "The Idempotency-Key has already been used for a different request.",
        )
    }

    fn server_error(&self, status: StatusCode) -> Response {
        errors::injected(status)
    }

    fn unauthorized(&self, why: BearerRefusal) -> Response {
        match why {
            BearerRefusal::Missing | BearerRefusal::Unknown => {
                errors::unauthorized("AuthenticationUnsuccessful")
            }
            BearerRefusal::Expired { at_ms } => errors::unauthorized(&format!(
                "TokenExpired: token expired at {}",
                us_datetime(at_ms)
            )),
        }
    }

    fn authorize_refused(&self, error: &str, description: &str) -> Response {
        let body = format!(
            "<!DOCTYPE html><html><head><title>Xero | Error</title></head><body>\
             <h1>Sorry, something went wrong</h1><p id=\"error\">{error}</p>\
             <p id=\"error_description\">{description}</p></body></html>"
        );
        errors::typed_text(StatusCode::BAD_REQUEST, "text/html; charset=utf-8", body)
    }

    fn oauth_error(&self, error: &str) -> Response {
        errors::oauth_error(error)
    }
}
