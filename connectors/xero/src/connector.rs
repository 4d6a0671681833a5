//! Xero as a Tether connector.

use async_trait::async_trait;
use serde::Deserialize;
use tether_core::auth::authorize::Redirect;
use tether_core::http::Api;
use tether_core::{Connector, Endpoints, Error, ObjectKind, RateLimitPolicy, Result, Tenant};

use crate::config::{self, CONSENT_SCOPES, DAY_BUDGET_HEADER, RATE_LIMITS};
use crate::kinds::KINDS;

/// The Xero Accounting API.
pub struct XeroConnector;

/// One entry of `GET /connections` (Xero identity API).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct XeroConnection {
    id: String,
    tenant_id: String,
    tenant_name: Option<String>,
    tenant_type: Option<String>,
}

#[async_trait]
impl Connector for XeroConnector {
    fn id(&self) -> &'static str {
        "xero"
    }

    fn display_name(&self) -> &'static str {
        "Xero Accounting"
    }

    fn endpoints(&self, base_url: Option<&str>) -> Endpoints {
        config::endpoints(base_url)
    }

    fn rate_limits(&self) -> RateLimitPolicy {
        RATE_LIMITS
    }

    /// Custom connections: an app's own credentials reach one organisation.
    fn client_credentials(&self) -> bool {
        true
    }

    fn budget_header(&self) -> Option<&'static str> {
        Some(DAY_BUDGET_HEADER)
    }

    fn kinds(&self) -> &'static [&'static dyn ObjectKind] {
        &KINDS
    }

    fn consent_scopes(&self) -> &'static [&'static str] {
        CONSENT_SCOPES
    }

    /// The organisations the grant was given, from `GET /connections`.
    async fn tenants(
        &self,
        api: &Api,
        endpoints: &Endpoints,
        _redirect: &Redirect,
    ) -> Result<Vec<Tenant>> {
        let response = api.get(&endpoints.tenants).send().await?;
        let status = response.status();
        let body = response.bytes().await.map_err(Error::from)?;
        if !status.is_success() {
            return Err(crate::client::parse_error("connections", status, &body));
        }
        let connections: Vec<XeroConnection> = serde_json::from_slice(&body)
            .map_err(|e| Error::invalid(format!("Xero connections: unexpected body: {e}")))?;
        Ok(connections
            .into_iter()
            // Practice-manager tenants have no accounting data.
            .filter(|c| c.tenant_type.as_deref().is_none_or(|t| t == "ORGANISATION"))
            .map(|c| Tenant {
                name: c.tenant_name.unwrap_or_else(|| c.tenant_id.clone()),
                id: c.tenant_id,
                link: Some(c.id),
            })
            .collect())
    }

    /// `DELETE /connections/{id}`: the grant no longer reaches the organisation.
    async fn unlink_tenant(&self, api: &Api, endpoints: &Endpoints, tenant: &Tenant) -> Result<()> {
        let Some(link) = &tenant.link else {
            return Ok(());
        };
        let path = format!("{}/{link}", endpoints.tenants);
        let response = api.request(reqwest::Method::DELETE, &path).send().await?;
        let status = response.status();
        let body = response.bytes().await.map_err(Error::from)?;
        if status.is_success() || status == reqwest::StatusCode::NOT_FOUND {
            return Ok(());
        }
        Err(crate::client::parse_error("connections", status, &body))
    }
}
