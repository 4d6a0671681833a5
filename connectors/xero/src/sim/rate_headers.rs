//! How Xero spells its rate limits: the `X-MinLimit-Remaining`,
//! `X-DayLimit-Remaining` and `X-AppMinLimit-Remaining` headers on every
//! API answer, and a 429 problem body with `Retry-After` and
//! `X-Rate-Limit-Problem`. The limits themselves are the kit's limiter
//! (per tenant 5 concurrent, 60 per sliding minute, 5000 per rolling day;
//! per app 10,000 per minute).

use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use tether_sim_kit::limits::{Problem, Remaining, Throttle};

use super::errors;

/// The word of `X-Rate-Limit-Problem` for the limit that refused.
pub(crate) fn problem_word(p: Problem) -> &'static str {
    match p {
        Problem::Concurrent => "concurrent",
        Problem::Window => "minute",
        Problem::Day => "daily",
        Problem::AppWindow => "appminute",
    }
}

fn set_header(r: &mut Response, name: &'static str, value: String) {
    if let Ok(v) = HeaderValue::from_str(&value) {
        r.headers_mut().insert(name, v);
    }
}

/// Adds Xero's three remaining-calls headers.
pub(crate) fn limit_headers(r: &mut Response, rem: Remaining) {
    set_header(r, "X-MinLimit-Remaining", rem.window.to_string());
    set_header(
        r,
        "X-DayLimit-Remaining",
        rem.day.unwrap_or_default().to_string(),
    );
    set_header(
        r,
        "X-AppMinLimit-Remaining",
        rem.app_window.unwrap_or_default().to_string(),
    );
}

/// Xero's 429.
pub(crate) fn too_many(t: &Throttle) -> Response {
    let word = problem_word(t.problem);
    let mut r = errors::problem(
        StatusCode::TOO_MANY_REQUESTS,
        "Too Many Requests",
        &format!("Rate limit exceeded ({word} limit)"),
    );
    set_header(&mut r, "Retry-After", t.retry_after_secs.to_string());
    set_header(&mut r, "X-Rate-Limit-Problem", word.to_string());
    limit_headers(&mut r, t.remaining);
    r
}
