//! `POST /connect/revocation` (`token=<refresh token>`, client
//! authentication as at the token endpoint): Xero revokes the user's
//! refresh token and removes all their connections to the app. Here that
//! is the whole grant: its refresh and access tokens stop working and its
//! connections are gone. As RFC 7009 says, an unknown token (or one of
//! another client) is answered `200` too, and changes nothing.

use std::collections::HashMap;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::super::errors::oauth_error;
use super::super::server::AppState;
use super::grants::Revoked;

/// `POST /connect/revocation`.
pub(crate) async fn revocation(
    State(app): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let Ok(Form(pairs)) = form else {
        return oauth_error("invalid_request");
    };
    let form: HashMap<String, String> = pairs.into_iter().collect();
    let auth = &app.auth;
    let Some(client) = auth.client(&headers, &form) else {
        return oauth_error("invalid_client");
    };
    let Some(token) = form.get("token").filter(|t| !t.is_empty()) else {
        return oauth_error("invalid_request");
    };
    let revoked = auth
        .grants()
        .revoke(token, auth.id_of(client), auth.custom_grant());
    if revoked != Revoked::Nothing {
        app.stats.revocation();
    }
    let mut r = Response::new(axum::body::Body::empty());
    *r.status_mut() = StatusCode::OK;
    r
}
