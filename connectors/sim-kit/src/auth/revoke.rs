//! Revocation (RFC 7009), the token sent as a form (`token=`, Xero) or as
//! JSON (`{"token": …}`, Intuit), client authentication as at the token
//! endpoint. The whole grant goes: its refresh and access tokens stop
//! working and its connections are gone (a client-credentials token: only
//! itself). An unknown token, or one of another client, is answered `200`
//! too and changes nothing.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::profile::RevokeBody;
use super::{Auth, OAuthHost, Revoked, form};
use crate::errors::ErrorBody;
use crate::respond::empty;
use crate::stats::Stats;
use crate::tenant::TenantId;

/// `POST {revoke path}`.
pub async fn revoke<S: OAuthHost>(
    State(s): State<Arc<S>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    revoke_with(s.auth(), s.stats(), s.errors(), &headers, &body)
}

fn revoke_with<K: TenantId>(
    auth: &Auth<K>,
    stats: &Stats,
    errors: &dyn ErrorBody,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let fields = match auth.profile.revoke_body {
        RevokeBody::Form => form::form(headers, body),
        RevokeBody::Json => form::json(headers, body),
    };
    let Some(fields) = fields else {
        return errors.oauth_error("invalid_request");
    };
    let Some(client) = auth.client(headers, &fields) else {
        return errors.oauth_error("invalid_client");
    };
    let Some(token) = fields.get("token").filter(|t| !t.is_empty()) else {
        return errors.oauth_error("invalid_request");
    };
    let revoked = auth
        .grants()
        .revoke(token, auth.id_of(client), auth.custom_grant());
    if revoked != Revoked::Nothing {
        stats.revocation();
    }
    empty(StatusCode::OK)
}
