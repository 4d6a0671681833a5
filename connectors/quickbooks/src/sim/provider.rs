//! QuickBooks as the kit's server sees it: the company a call names is the
//! `{realmId}` of its path, a `POST` writes unless it is a query, a refusal
//! is a Fault (429 code 003001, 403 code 3100), and `/_sim/corrupt` and
//! snapshots reach a company's books by Tether's kind names.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use axum::http::Method;
use axum::http::request::Parts;
use axum::response::Response;
use serde_json::Value;
use tether_sim_kit::ErrorBody;
use tether_sim_kit::Provider;
use tether_sim_kit::limits::{Limiter, Throttle};

use super::auth::Consents;
use super::entity::Entity;
use super::fault::{Fault, QuickBooksErrors};
use super::store::Books;

/// QuickBooks Online as a provider of the kit's simulator server, and what
/// it keeps beside the kit's state.
pub struct QuickBooks {
    /// `http://127.0.0.1:PORT`.
    pub(crate) base_url: String,
    /// Which company each consent connected.
    pub(crate) consents: Consents,
    /// 40 batch requests a minute per company.
    pub(crate) batch_limiter: Arc<Limiter<String>>,
    /// API calls without `?minorversion=`.
    pub(crate) missing_minorversion: AtomicU64,
    /// Latency added to every API call.
    pub(crate) latency: Duration,
}

/// The realm of a `/v3/company/{realm}/…` path.
fn realm_of(path: &str) -> Option<&str> {
    let mut parts = path.split('/').skip(1);
    match (parts.next(), parts.next(), parts.next()) {
        (Some("v3"), Some("company"), Some(realm)) => Some(realm),
        _ => None,
    }
}

impl Provider for QuickBooks {
    type Tenant = String;
    type Data = Books;

    fn errors(&self) -> &dyn ErrorBody {
        &QuickBooksErrors
    }

    fn tenant_of(&self, req: &Parts) -> Option<String> {
        realm_of(req.uri.path()).map(String::from)
    }

    fn is_write(&self, req: &Parts) -> bool {
        // Queries may be POSTed; they read.
        req.method == Method::POST && !req.uri.path().ends_with("/query")
    }

    fn throttled(&self, _t: &Throttle) -> Response {
        Fault::throttled().response(tether_sim_kit::clock::now_ms())
    }

    fn forbidden(&self) -> Response {
        Fault::not_authorized().response(tether_sim_kit::clock::now_ms())
    }

    /// Sets `field` (dotted for nested ones) silently: no new `SyncToken`,
    /// no new time.
    fn corrupt(&self, books: &mut Books, kind: &str, id: &str, field: &str, value: &Value) -> bool {
        let (Some(e), Ok(id)) = (Entity::from_kind(kind), id.parse::<u64>()) else {
            return false;
        };
        books.table_mut(e).touch_silently(id, |obj| {
            let mut slot = obj;
            for part in field.split('.') {
                slot = &mut slot[part];
            }
            *slot = value.clone();
        })
    }

    /// Every live object (inactive and voided included, deleted not), in
    /// `Id` order.
    fn snapshot(&self, books: &Books, kind: &str) -> Vec<Value> {
        Entity::from_kind(kind).map_or_else(Vec::new, |e| {
            let table = books.table(e);
            table
                .by_id()
                .into_iter()
                .map(|(_, r)| r.obj.clone())
                .collect()
        })
    }

    fn id_field(kind: &str) -> &'static str {
        Entity::from_kind(kind).map_or("", |_| "Id")
    }
}

#[cfg(test)]
mod tests {
    use super::realm_of;

    #[test]
    fn the_realm_is_the_third_segment() {
        assert_eq!(
            realm_of("/v3/company/9130357992223456/query"),
            Some("9130357992223456")
        );
        assert_eq!(realm_of("/v3/company/1/invoice/2"), Some("1"));
        assert_eq!(realm_of("/connect/oauth2"), None);
    }
}
