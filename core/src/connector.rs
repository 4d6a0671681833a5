//! A connector: one provider, its endpoints, limits and object kinds.

use async_trait::async_trait;
use std::time::Duration;

use crate::auth::authorize::Redirect;
use crate::feed::ChangeFeed;
use crate::http::Api;
use crate::{ObjectKind, Result};

/// Where a provider's HTTP endpoints are. A single base-URL override (a
/// simulator) moves all of them together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// The API root that object paths are joined to.
    pub api: String,
    /// The OAuth2 token endpoint.
    pub token: String,
    /// The OAuth2 authorization endpoint (authorization-code grant).
    pub authorize: String,
    /// Where the tenants a grant reaches are listed.
    pub tenants: String,
    /// Where and how a refresh token is revoked, when the provider can.
    pub revoke: Option<Revocation>,
}

/// A provider's revocation endpoint and the body it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    /// The endpoint.
    pub url: String,
    /// How the token is sent.
    pub body: RevocationBody,
}

/// How a revocation request carries the token: providers differ, and a
/// body the provider does not read is refused (`invalid_request`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationBody {
    /// RFC 7009: a form with `token` and `token_type_hint` (Xero).
    Form,
    /// A JSON object `{"token": …}`, for a provider that documents that.
    Json,
}

/// The provider's published limits, which Tether keeps to by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RateLimitPolicy {
    /// Requests in flight at once per tenant.
    pub concurrency: u32,
    /// Requests per window per tenant.
    pub per_window: u32,
    /// The window length.
    #[serde(with = "secs")]
    pub window: Duration,
    /// Requests per day per tenant, when the provider has a daily budget.
    pub per_day: Option<u32>,
    /// Requests per window across every tenant of one app (OAuth client),
    /// when the provider also limits an app as a whole: a deployment with
    /// many tenants reaches it long before any tenant reaches its own.
    #[serde(default)]
    pub app_per_window: Option<u32>,
    /// Batch requests (several operations in one call, marked with
    /// [`crate::http::Batch`]) per window per tenant, when the provider
    /// limits them apart from other calls.
    #[serde(default)]
    pub batch_per_window: Option<u32>,
}

mod secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
    }
}

/// One tenant (organisation) a grant gives access to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// The provider's tenant id, sent with every API call.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// The provider's id for the link between the grant and this tenant,
    /// where it has one (Xero's connection id): what disconnecting removes.
    pub link: Option<String>,
}

/// One provider. Registered once with [`crate::ConnectorRegistration`];
/// nothing in core, store or cli changes when a provider is added.
#[async_trait]
pub trait Connector: Send + Sync + 'static {
    /// The provider's id, e.g. `xero`.
    fn id(&self) -> &'static str;

    /// The provider's name for people.
    fn display_name(&self) -> &'static str;

    /// What the provider calls one tenant, for messages a person reads
    /// ("organisation" at Xero, "company" at QuickBooks).
    fn tenant_noun(&self) -> &'static str {
        "organisation"
    }

    /// The endpoints, moved under `base_url` when one is given.
    fn endpoints(&self, base_url: Option<&str>) -> Endpoints;

    /// Whether an app may connect with its own credentials (the
    /// client-credentials grant, a Xero custom connection); a provider that
    /// has only a person's consent says no, and is refused one
    /// before any call.
    fn client_credentials(&self) -> bool {
        false
    }

    /// The OAuth2 scopes a client-credentials connection asks for.
    fn scopes(&self) -> &'static [&'static str] {
        &[]
    }

    /// The scopes a person is asked to consent to (the authorization-code
    /// grant), including whatever the provider needs to hand out a
    /// refresh token.
    fn consent_scopes(&self) -> &'static [&'static str] {
        self.scopes()
    }

    /// The provider's published per-tenant limits.
    fn rate_limits(&self) -> RateLimitPolicy;

    /// The response header reporting the tenant's remaining daily budget.
    fn budget_header(&self) -> Option<&'static str> {
        None
    }

    /// Every object kind, in the order a full sync pulls them (referenced
    /// kinds before the kinds that reference them).
    fn kinds(&self) -> &'static [&'static dyn ObjectKind];

    /// The tenants the grant reaches (`api` is authenticated but not bound
    /// to a tenant): listed by the provider (Xero's `GET /connections`), or
    /// named by the consent's `redirect` (QuickBooks' `realmId`; empty for
    /// client credentials).
    async fn tenants(
        &self,
        api: &Api,
        endpoints: &Endpoints,
        redirect: &Redirect,
    ) -> Result<Vec<Tenant>>;

    /// Removes the grant's link to one tenant at the provider (Xero's
    /// `DELETE /connections/{id}`); providers without such links do nothing.
    async fn unlink_tenant(
        &self,
        _api: &Api,
        _endpoints: &Endpoints,
        _tenant: &Tenant,
    ) -> Result<()> {
        Ok(())
    }

    /// The provider's change feed, when it has one: resync then asks it for
    /// the kinds it covers in one call instead of listing each kind.
    fn change_feed(&self) -> Option<&dyn ChangeFeed> {
        None
    }

    /// Finds a kind by name.
    fn kind(&self, name: &str) -> Option<&'static dyn ObjectKind> {
        self.kinds().iter().copied().find(|k| k.name() == name)
    }
}
