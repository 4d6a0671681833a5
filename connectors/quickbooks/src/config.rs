//! Where Intuit's hosts are and what they allow (docs.md, "Hosts and
//! paths", "Limits", "Auth").

use std::time::Duration;

use tether_core::{Endpoints, RateLimitPolicy, Revocation, RevocationBody};

/// The Accounting API's host; its root for a company is
/// `/v3/company/{realmId}`, so the realm is the first segment of every path.
const API_HOST: &str = "https://quickbooks.api.intuit.com";
/// Where a person consents.
const APPCENTER_HOST: &str = "https://appcenter.intuit.com";
/// Where tokens are exchanged and refreshed.
const OAUTH_HOST: &str = "https://oauth.platform.intuit.com";
/// Where a refresh token is revoked.
const DEVELOPER_HOST: &str = "https://developer.api.intuit.com";
/// OpenID Connect's userinfo, what the grant reaches.
const ACCOUNTS_HOST: &str = "https://accounts.platform.intuit.com";

/// The API root under a host; paths below it start with the realm id.
const COMPANY_ROOT: &str = "/v3/company";

/// Intuit's endpoints, or all of them under one base URL (the simulator),
/// which replaces every host at once.
pub(crate) fn endpoints(base_url: Option<&str>) -> Endpoints {
    let hosts = match base_url {
        Some(base) => [base.trim_end_matches('/'); 5],
        None => [
            API_HOST,
            APPCENTER_HOST,
            OAUTH_HOST,
            DEVELOPER_HOST,
            ACCOUNTS_HOST,
        ],
    };
    let [api, appcenter, oauth, developer, accounts] = hosts;
    Endpoints {
        api: format!("{api}{COMPANY_ROOT}"),
        authorize: format!("{appcenter}/connect/oauth2"),
        token: format!("{oauth}/oauth2/v1/tokens/bearer"),
        // QuickBooks lists no companies for a grant: the consent's redirect
        // names the one chosen (`realmId`). Userinfo is the nearest thing.
        tenants: format!("{accounts}/v1/openid_connect/userinfo"),
        revoke: Some(Revocation {
            url: format!("{developer}/v2/oauth2/tokens/revoke"),
            body: RevocationBody::Json,
        }),
    }
}

/// What a person consents to: the accounting data. Intuit hands out a
/// refresh token with it, without a separate offline scope.
pub(crate) const CONSENT_SCOPES: &[&str] = &["com.intuit.quickbooks.accounting"];

/// Intuit documents 500 requests a minute and 10 in flight per realm, and
/// reports differ on the in-flight figure: Tether keeps to 8; of the 500,
/// at most 40 a minute may be batch requests. No day budget, and no limit
/// of an app across realms.
pub(crate) const RATE_LIMITS: RateLimitPolicy = RateLimitPolicy {
    concurrency: 8,
    per_window: 500,
    window: Duration::from_secs(60),
    per_day: None,
    app_per_window: None,
    batch_per_window: Some(40),
};

/// Every call names the minor version it is written against; Intuit answers
/// below 75 as 75 since August 2025.
pub(crate) const MINOR_VERSION: &str = "75";

/// The largest `MAXRESULTS` a query may ask for.
pub(crate) const MAX_RESULTS: u32 = 1000;

/// Ids one read by ids asks for (`Id IN (…)`), keeping the query short.
pub(crate) const IDS_PER_READ: usize = 100;

/// Items one `/batch` request may carry.
pub(crate) const BATCH_SIZE: usize = 30;

/// The longest `requestid` Intuit accepts.
pub(crate) const REQUEST_ID_MAX: usize = 50;

/// How far back `/cdc` reaches: `changedSince` at most 30 days ago.
pub(crate) const CDC_WINDOW: Duration = Duration::from_secs(30 * 24 * 3600);

/// The most objects one `/cdc` answer holds, all entities together; an
/// answer that reached it may have been cut.
pub(crate) const CDC_MAX_OBJECTS: usize = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_base_url_moves_every_endpoint() {
        let e = endpoints(Some("http://127.0.0.1:9000/"));
        assert_eq!(e.api, "http://127.0.0.1:9000/v3/company");
        assert_eq!(e.authorize, "http://127.0.0.1:9000/connect/oauth2");
        assert_eq!(e.token, "http://127.0.0.1:9000/oauth2/v1/tokens/bearer");
        assert_eq!(
            e.tenants,
            "http://127.0.0.1:9000/v1/openid_connect/userinfo"
        );
        assert_eq!(
            e.revoke.as_ref().map(|r| (r.url.as_str(), r.body)),
            Some((
                "http://127.0.0.1:9000/v2/oauth2/tokens/revoke",
                RevocationBody::Json
            ))
        );
    }

    #[test]
    fn default_endpoints_are_intuits_hosts() {
        let e = endpoints(None);
        assert_eq!(e.api, "https://quickbooks.api.intuit.com/v3/company");
        assert_eq!(e.authorize, "https://appcenter.intuit.com/connect/oauth2");
        assert_eq!(
            e.token,
            "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
        );
        assert_eq!(
            e.revoke.as_ref().map(|r| r.url.as_str()),
            Some("https://developer.api.intuit.com/v2/oauth2/tokens/revoke")
        );
        assert!(RATE_LIMITS.concurrency < 10 && RATE_LIMITS.per_day.is_none());
    }
}
