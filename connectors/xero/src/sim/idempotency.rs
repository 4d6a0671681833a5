//! `Idempotency-Key` as Xero documents it: within the window (about 6
//! minutes from the first call) a write sent again with the same key and
//! the same request gets the stored answer — errors included — and changes
//! nothing; the same key with a different request is refused. The keeping
//! and replaying is the kit's; this file holds Xero's rule and answers.

use axum::http::StatusCode;
use tether_sim_kit::idempotency::{IdempotencyRule, KeySource, Mismatch};

pub(crate) use tether_sim_kit::idempotency::{Answer, Idempotency, fingerprint, run_keyed};

use super::errors;

/// Xero's rule: the `Idempotency-Key` header, at most 128 characters
/// (spec), a different request under a used key refused.
pub(crate) const XERO_KEYS: IdempotencyRule = IdempotencyRule {
    source: KeySource::Header("Idempotency-Key"),
    max_len: 128,
    on_mismatch: Mismatch::Conflict,
};

/// A JSON answer, in Xero's JSON content type.
pub(crate) fn json_answer(status: StatusCode, body: String) -> Answer {
    Answer::new(status, errors::JSON_TYPE, body)
}

/// Xero's plain-text 404, as an answer.
pub(crate) fn not_found_answer() -> Answer {
    Answer::new(
        StatusCode::NOT_FOUND,
        errors::TEXT_TYPE,
        errors::NOT_FOUND_BODY.to_string(),
    )
}
