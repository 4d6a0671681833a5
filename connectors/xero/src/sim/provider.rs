//! Xero's hooks into the kit's server: the tenant is the `xero-tenant-id`
//! header, writes are `PUT`/`POST`/`DELETE`, requests are counted by
//! collection, answers carry the `X-*Limit-Remaining` headers, and the
//! `/_sim` data endpoints reach the stored objects by kind.

use axum::http::Method;
use axum::http::request::Parts;
use axum::response::Response;
use serde_json::Value;
use tether_sim_kit::limits::{Remaining, Throttle};
use tether_sim_kit::{ErrorBody, Provider};
use uuid::Uuid;

use super::collections::Kind;
use super::error_body::XeroErrors;
use super::rate_headers::{limit_headers, too_many};
use super::store::Dataset;
use super::{errors, rawjson, stats};

/// The Xero simulator as the kit's server runs it.
pub struct Xero {
    /// The `ProviderName` of every envelope (the app's name).
    pub(crate) name: String,
}

impl Provider for Xero {
    type Tenant = Uuid;
    type Data = Dataset;

    fn errors(&self) -> &dyn ErrorBody {
        &XeroErrors
    }

    fn tenant_of(&self, req: &Parts) -> Option<Uuid> {
        req.headers
            .get("xero-tenant-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Uuid::parse_str(v.trim()).ok())
    }

    fn is_write(&self, req: &Parts) -> bool {
        matches!(req.method, Method::PUT | Method::POST | Method::DELETE)
    }

    fn route_key(&self, method: &str, path: &str) -> String {
        stats::route_key(method, path)
    }

    fn rate_headers(&self, resp: &mut Response, remaining: &Remaining) {
        limit_headers(resp, *remaining);
    }

    fn throttled(&self, t: &Throttle) -> Response {
        too_many(t)
    }

    fn forbidden(&self) -> Response {
        errors::forbidden()
    }

    fn corrupt(
        &self,
        data: &mut Dataset,
        kind: &str,
        id: &str,
        field: &str,
        value: &Value,
    ) -> bool {
        let Some(kind) = Kind::from_snake(kind) else {
            return false;
        };
        let col = data.col_mut(kind);
        // Tax rates are keyed by TaxType, not by a GUID.
        let key = Uuid::parse_str(id).ok().filter(|_| kind != Kind::TaxRates);
        let Some(key) = key.or_else(|| col.find_number(id)) else {
            return false;
        };
        let Some(raw) = col.get(&key).map(|e| e.raw.to_string()) else {
            return false;
        };
        match rawjson::replace_field(&raw, field, value) {
            Some(new) => col.set_raw(&key, new),
            None => false,
        }
    }

    fn snapshot(&self, data: &Dataset, kind: &str) -> Vec<Value> {
        let Some(kind) = Kind::from_snake(kind) else {
            return Vec::new();
        };
        let col = data.col(kind);
        let mut out = Vec::with_capacity(col.len());
        out.extend(
            col.iter()
                .map(|(_, e)| serde_json::from_str(&e.raw).unwrap_or(Value::Null)),
        );
        out
    }

    fn id_field(kind: &str) -> &'static str {
        Kind::from_snake(kind).map_or("", |k| k.desc().id_field)
    }
}
