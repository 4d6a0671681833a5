//! `GET /connections` and `DELETE /connections/{id}`: the organisations the
//! bearer token's grant connects. Xero lists a user's connections (with an
//! optional `?authEventId=` filter); every consent in the sandbox is a user
//! of its own, so a token sees exactly its grant's connections, and a
//! custom connection's token its one organisation.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use uuid::Uuid;

use super::super::dates::identity_datetime;
use tether_sim_kit::ErrorBody as _;

use super::super::error_body::XeroErrors;
use super::super::errors::{json_value, problem};
use super::super::server::AppState;

/// `GET /connections[?authEventId=]`.
pub(crate) async fn connections(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let info = match app.auth.check_bearer(&headers) {
        Ok(i) => i,
        Err(why) => return XeroErrors.unauthorized(why),
    };
    let filter = query
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authEventId"))
        .map(|(_, v)| v.trim().to_ascii_lowercase());
    let grants = app.auth.grants();
    let Some(grant) = grants.grant(&info.grant) else {
        return json_value(StatusCode::OK, &Value::Array(Vec::new()));
    };
    let event = grant.id.to_string();
    if filter.is_some_and(|f| f != event) {
        return json_value(StatusCode::OK, &Value::Array(Vec::new()));
    }
    let list: Vec<_> = grant
        .connections
        .iter()
        .map(|c| {
            json!({
                "id": c.id.to_string(),
                "authEventId": event,
                "tenantId": c.tenant_id.to_string(),
                "tenantType": "ORGANISATION",
                "tenantName": c.name,
                "createdDateUtc": identity_datetime(c.created_ms),
                "updatedDateUtc": identity_datetime(c.updated_ms),
            })
        })
        .collect();
    json_value(StatusCode::OK, &Value::Array(list))
}

/// `DELETE /connections/{id}`: disconnects one tenant from the token's
/// grant; `204`, or `404` when the grant has no such connection.
pub(crate) async fn delete_connection(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let info = match app.auth.check_bearer(&headers) {
        Ok(i) => i,
        Err(why) => return XeroErrors.unauthorized(why),
    };
    let deleted = Uuid::parse_str(id.trim())
        .is_ok_and(|id| app.auth.grants().delete_connection(info.grant, id));
    if deleted {
        let mut r = Response::new(axum::body::Body::empty());
        *r.status_mut() = StatusCode::NO_CONTENT;
        r
    } else {
        problem(StatusCode::NOT_FOUND, "Not Found", "Resource not found")
    }
}
