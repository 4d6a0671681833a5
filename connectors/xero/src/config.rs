//! Where Xero lives and what it allows.

use std::time::Duration;

use tether_core::{Endpoints, RateLimitPolicy, Revocation, RevocationBody};

/// Xero's hosts. A base-URL override (the simulator) serves all their paths
/// on one host, so it replaces every host at once.
const API_HOST: &str = "https://api.xero.com";
const IDENTITY_HOST: &str = "https://identity.xero.com";
const LOGIN_HOST: &str = "https://login.xero.com";

/// The Accounting API root under a host.
const ACCOUNTING_ROOT: &str = "/api.xro/2.0";

/// Xero's endpoints, optionally all under one base URL.
pub(crate) fn endpoints(base_url: Option<&str>) -> Endpoints {
    let (api, identity, login) = match base_url {
        Some(base) => {
            let base = base.trim_end_matches('/');
            (base, base, base)
        }
        None => (API_HOST, IDENTITY_HOST, LOGIN_HOST),
    };
    Endpoints {
        api: format!("{api}{ACCOUNTING_ROOT}"),
        token: format!("{identity}/connect/token"),
        authorize: format!("{login}/identity/connect/authorize"),
        tenants: format!("{api}/connections"),
        revoke: Some(Revocation {
            url: format!("{identity}/connect/revocation"),
            body: RevocationBody::Form,
        }),
    }
}

/// What a person consents to: the accounting data Tether syncs and
/// exports, and `offline_access` for a refresh token.
pub(crate) const CONSENT_SCOPES: &[&str] = &[
    "offline_access",
    "accounting.transactions",
    "accounting.contacts",
    "accounting.settings",
];

/// Xero's published limits: per tenant 5 calls in flight, 60 a minute,
/// 5,000 a day; per app 10,000 a minute across all its tenants.
pub(crate) const RATE_LIMITS: RateLimitPolicy = RateLimitPolicy {
    concurrency: 5,
    per_window: 60,
    window: Duration::from_secs(60),
    per_day: Some(5000),
    app_per_window: Some(10_000),
    batch_per_window: None,
};

/// Xero reports the tenant's remaining daily calls on every response.
pub(crate) const DAY_BUDGET_HEADER: &str = "X-DayLimit-Remaining";

/// Every call names its organisation in this header.
pub(crate) const TENANT_HEADER: &str = "xero-tenant-id";

/// The largest page Xero serves.
pub(crate) const MAX_PAGE_SIZE: u32 = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_base_url_moves_every_endpoint() {
        let e = endpoints(Some("http://127.0.0.1:9000/"));
        assert_eq!(e.api, "http://127.0.0.1:9000/api.xro/2.0");
        assert_eq!(e.token, "http://127.0.0.1:9000/connect/token");
        assert_eq!(
            e.authorize,
            "http://127.0.0.1:9000/identity/connect/authorize"
        );
        assert_eq!(e.tenants, "http://127.0.0.1:9000/connections");
    }

    #[test]
    fn default_endpoints_are_xeros_hosts() {
        let e = endpoints(None);
        assert_eq!(e.token, "https://identity.xero.com/connect/token");
        assert_eq!(e.api, "https://api.xero.com/api.xro/2.0");
    }
}
