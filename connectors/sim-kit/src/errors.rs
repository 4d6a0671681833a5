//! The provider's words for what the kit refuses. The kit decides *that* a
//! request is refused (a bad idempotency key, a key reused for another
//! request, a write that failed inside the simulator, a bad token or OAuth
//! request); the provider says
//! *how*, with its own status codes and bodies, by implementing
//! [`ErrorBody`].

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::auth::BearerRefusal;
use crate::idempotency::{BadKey, IdempotencyRule};
use crate::respond::json_value;

/// A provider's error responses for the refusals the kit makes.
pub trait ErrorBody: Send + Sync {
    /// The idempotency key of a write is empty, too long or unreadable
    /// (`rule` says where it came from and how long it may be).
    fn bad_idempotency_key(&self, rule: &IdempotencyRule, why: BadKey) -> Response;

    /// The idempotency key was used within the window for a different
    /// request (only under [`Mismatch::Conflict`](crate::idempotency::Mismatch::Conflict)).
    fn idempotency_conflict(&self) -> Response;

    /// A 500 or 503, injected by the fault settings or because the
    /// simulator itself failed: the provider's server error.
    fn server_error(&self, status: StatusCode) -> Response;

    /// The simulator itself failed to run the request (a panicked write):
    /// by default the provider's 500.
    fn internal_error(&self) -> Response {
        self.server_error(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// An API request's bearer token is missing, unknown or expired: the
    /// provider's 401.
    fn unauthorized(&self, why: BearerRefusal) -> Response;

    /// The consent screen refuses a request (bad client, redirect URI,
    /// scope, PKCE): the provider's error page; never a redirect.
    fn authorize_refused(&self, error: &str, description: &str) -> Response;

    /// A token or revocation request is refused with an RFC 6749 `error`
    /// code; by default `400 {"error": …}` as the RFC has it.
    fn oauth_error(&self, error: &str) -> Response {
        json_value(StatusCode::BAD_REQUEST, &json!({ "error": error }))
    }
}
