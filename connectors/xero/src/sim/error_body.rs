//! Xero's words for the refusals the kit makes (see
//! [`ErrorBody`]): a bad or reused `Idempotency-Key` is a
//! ValidationException, a failure inside the simulator Xero's 500.

use axum::http::StatusCode;
use axum::response::Response;
use tether_sim_kit::ErrorBody;
use tether_sim_kit::idempotency::{BadKey, IdempotencyRule};

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

    fn internal_error(&self) -> Response {
        errors::injected(StatusCode::INTERNAL_SERVER_ERROR)
    }
}
