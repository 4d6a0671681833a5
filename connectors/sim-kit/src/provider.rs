//! The hooks a provider simulator fills so the kit can run its server:
//! where a request names its tenant, which requests write, how requests
//! are counted, how the remaining-calls headers are spelled, and how the
//! `/_sim` data endpoints reach its stored objects.

use axum::http::Method;
use axum::http::request::Parts;
use axum::response::Response;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::errors::ErrorBody;
use crate::limits::{Remaining, Throttle};
use crate::stats::default_route_key;
use crate::tenant::TenantId;

/// One provider's simulator, as the kit's server sees it. Monomorphised
/// per provider; the handlers it is used in stay thin.
pub trait Provider: Send + Sync + Sized + 'static {
    /// The provider's tenant id (Xero: `Uuid`; QuickBooks: the realm id).
    type Tenant: TenantId + DeserializeOwned;
    /// One tenant's stored data.
    type Data: Send + Sync + 'static;

    /// The provider's words for every refusal.
    fn errors(&self) -> &dyn ErrorBody;

    /// The tenant an API request names (Xero: the `xero-tenant-id`
    /// header; QuickBooks: `{realmId}` of `/v3/company/{realmId}/…`).
    fn tenant_of(&self, req: &Parts) -> Option<Self::Tenant>;

    /// Whether an API request writes (only writes lose or delay their
    /// answers); by default anything but `GET`/`HEAD`. QuickBooks reads
    /// by `POST /query`.
    fn is_write(&self, req: &Parts) -> bool {
        !matches!(req.method, Method::GET | Method::HEAD)
    }

    /// The key a request is counted under in `/_sim/stats`.
    fn route_key(&self, method: &str, path: &str) -> String {
        default_route_key(method, path)
    }

    /// Adds the provider's remaining-calls headers to an API answer (none by default).
    fn rate_headers(&self, _resp: &mut Response, _remaining: &Remaining) {}

    /// The provider's 429 for a throttled request.
    fn throttled(&self, t: &Throttle) -> Response;

    /// The 403 of a request whose token may not reach the tenant it names.
    fn forbidden(&self) -> Response;

    /// Replaces `field` of stored object `id` of `kind` with `value`
    /// (`/_sim/corrupt`); false when there is no such object.
    fn corrupt(
        &self,
        data: &mut Self::Data,
        kind: &str,
        id: &str,
        field: &str,
        value: &Value,
    ) -> bool;

    /// Every stored object of `kind` as served (`SimHandle::snapshot`).
    fn snapshot(&self, data: &Self::Data, kind: &str) -> Vec<Value>;

    /// The id field of a kind's objects (`SimHandle::id_field`); empty for
    /// an unknown kind.
    fn id_field(kind: &str) -> &'static str;
}
