//! Connections as the tests make them: through core's real connect path
//! (the provider's token endpoint, its tenant listing, a sealed grant in the
//! store), and sessions over the store's shared tokens.

use std::sync::Arc;
use std::time::Duration;

use tether_core::auth::authorize::{App, Authorization};
use tether_core::auth::loopback::Loopback;
use tether_core::auth::{Grant, GrantId, GrantStore};
use tether_core::store::Connection;
use tether_core::{ConnectRequest, Consent, RateLimitPolicy, Secret, Session, Vault};
use tether_store::SeaStore;

/// An app's client-credentials connection named `name` to `provider` at
/// `base_url` (a simulator).
pub async fn connect_app(
    store: &SeaStore,
    vault: &Vault,
    provider: &str,
    name: &str,
    base_url: &str,
    (client_id, client_secret): (&str, Secret),
    rate_limits: Option<RateLimitPolicy>,
) -> tether_core::Result<Connection> {
    let connector =
        tether_core::connector(provider).unwrap_or_else(|| panic!("{provider} is registered"));
    let mut saved = tether_core::connect(
        Arc::new(store.clone()),
        vault,
        connector,
        ConnectRequest {
            name: name.to_owned(),
            base_url: Some(base_url.to_owned()),
            tenant: None,
            rate_limits,
            replace: false,
        },
        Consent::ClientCredentials(Grant::ClientCredentials {
            client_id: client_id.to_owned(),
            client_secret,
        }),
    )
    .await?;
    Ok(saved.remove(0))
}

/// Opens `connection` for work over `store`'s shared tokens.
pub async fn open_session(
    store: &SeaStore,
    vault: &Vault,
    connection: Connection,
) -> tether_core::Result<Session> {
    Session::open(connection, vault, Arc::new(store.clone())).await
}

/// Connects by a person's consent, the test playing the person's browser:
/// the authorize URL is followed to the provider, which consents and sends
/// the browser back to our loopback redirect; the code is exchanged and
/// [`tether_core::connect`] saves the grant and its connections.
pub async fn connect_by_consent(
    store: &SeaStore,
    vault: &Vault,
    provider: &str,
    request: ConnectRequest,
    app: App,
) -> tether_core::Result<Vec<Connection>> {
    let connector =
        tether_core::connector(provider).unwrap_or_else(|| panic!("{provider} is registered"));
    let endpoints = connector.endpoints(request.base_url.as_deref());
    let loopback = Loopback::bind(0).await?;
    let authorization = Authorization::begin(
        &endpoints,
        connector.consent_scopes(),
        app,
        &loopback.redirect_uri(),
    )?;
    let (redirect, page) = tokio::join!(
        loopback.receive(Duration::from_secs(30)),
        browse(&authorization.url)
    );
    let page = page.expect("the browser reaches the provider and comes back");
    assert!(
        page.contains("Tether"),
        "the browser is told what happened: {page}"
    );
    let authorized = authorization.finish(redirect?, &endpoints).await?;
    tether_core::connect(
        Arc::new(store.clone()),
        vault,
        connector,
        request,
        Consent::Authorized(authorized),
    )
    .await
}

/// A browser: follows `url` through the provider's redirects and returns
/// the page it lands on.
pub async fn browse(url: &str) -> reqwest::Result<String> {
    reqwest::get(url).await?.error_for_status()?.text().await
}

/// The refresh token a grant holds now, unsealed (tests read it to revoke
/// it as a person would at the provider, or to look for it where it must
/// not be).
pub async fn refresh_token_of(store: &SeaStore, vault: &Vault, grant: GrantId) -> Option<Secret> {
    let row = store.grant(grant).await.expect("read grant");
    match vault.open::<Grant>(&row.sealed).expect("unseal grant") {
        Grant::AuthorizationCode { refresh_token, .. } => Some(refresh_token),
        Grant::ClientCredentials { .. } => None,
    }
}
