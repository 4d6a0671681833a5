//! Connections as the tests make them: through core's real connect path
//! (the provider's token endpoint, its tenant listing, a sealed grant in the
//! store), and sessions over the store's shared tokens.

use std::sync::Arc;

use tether_core::auth::Grant;
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
pub fn open_session(
    store: &SeaStore,
    vault: &Vault,
    connection: Connection,
) -> tether_core::Result<Session> {
    Session::open(connection, vault, Arc::new(store.clone()))
}
