//! The provider's words for what the kit refuses. The kit decides *that* a
//! request is refused (a bad idempotency key, a key reused for another
//! request, a write that failed inside the simulator); the provider says
//! *how*, with its own status codes and bodies, by implementing
//! [`ErrorBody`].

use axum::response::Response;

use crate::idempotency::{BadKey, IdempotencyRule};

/// A provider's error responses for the refusals the kit makes.
pub trait ErrorBody: Send + Sync {
    /// The idempotency key of a write is empty, too long or unreadable
    /// (`rule` says where it came from and how long it may be).
    fn bad_idempotency_key(&self, rule: &IdempotencyRule, why: BadKey) -> Response;

    /// The idempotency key was used within the window for a different
    /// request (only under [`Mismatch::Conflict`](crate::idempotency::Mismatch::Conflict)).
    fn idempotency_conflict(&self) -> Response;

    /// The simulator itself failed to run the request (a panicked write):
    /// the provider's plain 500.
    fn internal_error(&self) -> Response;
}
