//! QuickBooks Online as a Tether connector.

use async_trait::async_trait;
use serde::Deserialize;
use tether_core::auth::authorize::Redirect;
use tether_core::feed::ChangeFeed;
use tether_core::http::Api;
use tether_core::{Connector, Endpoints, Error, ObjectKind, RateLimitPolicy, Result, Tenant};

use crate::config::{self, CONSENT_SCOPES, MINOR_VERSION, RATE_LIMITS};
use crate::feed::QbFeed;
use crate::kinds::KINDS;

/// The QuickBooks Online Accounting API (v3).
pub struct QuickBooksConnector;

#[async_trait]
impl Connector for QuickBooksConnector {
    fn id(&self) -> &'static str {
        "quickbooks"
    }

    fn display_name(&self) -> &'static str {
        "QuickBooks Online"
    }

    fn tenant_noun(&self) -> &'static str {
        "company"
    }

    fn endpoints(&self, base_url: Option<&str>) -> Endpoints {
        config::endpoints(base_url)
    }

    fn consent_scopes(&self) -> &'static [&'static str] {
        CONSENT_SCOPES
    }

    fn rate_limits(&self) -> RateLimitPolicy {
        RATE_LIMITS
    }

    fn kinds(&self) -> &'static [&'static dyn ObjectKind] {
        &KINDS
    }

    /// The company the person chose on the consent page: the redirect's
    /// `realmId` (one per consent; QuickBooks lists no companies for a
    /// grant). Named by its `CompanyInfo`, or by its id when that cannot be
    /// read. QuickBooks has no per-company links to remove, so the default
    /// `unlink_tenant` (nothing) stands: revoking the grant is what ends it.
    async fn tenants(
        &self,
        api: &Api,
        endpoints: &Endpoints,
        redirect: &Redirect,
    ) -> Result<Vec<Tenant>> {
        let _ = endpoints;
        let Some(realm) = redirect.get("realmId").filter(|r| !r.is_empty()) else {
            return Err(Error::invalid(
                "QuickBooks' consent redirect carried no realmId: no company was chosen",
            ));
        };
        let name = match company_name(api, realm).await {
            Ok(Some(name)) => name,
            Ok(None) => realm.to_owned(),
            Err(e) if e.kind().ends_the_run() => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, realm, "the company's name could not be read; using its id");
                realm.to_owned()
            }
        };
        Ok(vec![Tenant {
            id: realm.to_owned(),
            name,
            link: None,
        }])
    }

    fn change_feed(&self) -> Option<&dyn ChangeFeed> {
        Some(&QbFeed)
    }
}

/// `SELECT * FROM CompanyInfo` (a company has one): one cheap call naming
/// the company. The Api is not bound to the company yet, so the realm is
/// put in the path here.
async fn company_name(api: &Api, realm: &str) -> Result<Option<String>> {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct CompanyInfo {
        company_name: Option<String>,
        legal_name: Option<String>,
    }
    let path = format!("{realm}/query");
    let response = api
        .get(&path)
        .header(reqwest::header::ACCEPT, "application/json")
        .query(&[
            ("query", "SELECT * FROM CompanyInfo".to_owned()),
            ("minorversion", MINOR_VERSION.to_owned()),
        ])
        .send()
        .await?;
    let status = response.status();
    let body = response.bytes().await.map_err(Error::from)?;
    if !status.is_success() {
        return Err(crate::client::parse_error(
            "query CompanyInfo",
            status,
            &body,
        ));
    }
    let (infos, _) = crate::lister::objects_of("CompanyInfo", &body)?;
    Ok(infos
        .first()
        .and_then(|raw| serde_json::from_str::<CompanyInfo>(raw.get()).ok())
        .and_then(|c| c.company_name.or(c.legal_name))
        .filter(|n| !n.trim().is_empty()))
}

#[cfg(all(test, feature = "sim"))]
mod against_the_simulator;
#[cfg(all(test, feature = "sim"))]
mod batch_window;
