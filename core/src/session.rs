//! From a saved connection to a ready [`Api`], and from a grant to a saved
//! connection. This is the one place sealed credentials are opened.

use std::sync::Arc;

use crate::auth::{Grant, TokenSource};
use crate::http::{Api, ApiBuilder, default_http_client};
use crate::store::{Connection, NewConnection, Store};
use crate::{Connector, Error, ErrorKind, RateLimitPolicy, Result, Vault};

/// How long one HTTP request may take before it counts as failed.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// A connection opened for work: its connector and its authenticated door.
pub struct Session {
    /// The connection's provider.
    pub connector: &'static dyn Connector,
    /// The saved connection.
    pub connection: Connection,
    /// Authenticated, rate-limited access to its tenant.
    pub api: Api,
    tokens: Arc<dyn TokenSource>,
}

impl Session {
    /// Opens `connection`: finds its connector, unseals its grant, builds the stack.
    pub fn open(connection: Connection, vault: &Vault) -> Result<Session> {
        let connector = crate::connector(&connection.provider).ok_or_else(|| {
            Error::config(format!(
                "connection `{}` uses provider `{}`, which this build does not include",
                connection.name, connection.provider
            ))
        })?;
        let grant: Grant = vault.open(&connection.sealed_credentials)?;
        let limits = connection
            .rate_limits
            .unwrap_or_else(|| connector.rate_limits());
        let (api, tokens) = build_api(connector, &grant, connection.base_url.as_deref(), limits)?;
        let api = api.tenant(connection.tenant_id.clone()).build()?;
        Ok(Session {
            connector,
            connection,
            api,
            tokens,
        })
    }

    /// Gets an access token now, once for the whole command, so a provider
    /// that cannot be reached or refuses the credentials is said at once,
    /// before any work starts, rather than once per kind.
    pub async fn authenticate(&self) -> Result<()> {
        self.tokens.token().await.map(|_| ())
    }
}

fn build_api(
    connector: &'static dyn Connector,
    grant: &Grant,
    base_url: Option<&str>,
    limits: RateLimitPolicy,
) -> Result<(ApiBuilder, Arc<dyn TokenSource>)> {
    let endpoints = connector.endpoints(base_url);
    let http = default_http_client(REQUEST_TIMEOUT)?;
    let tokens = grant.token_source(&endpoints, connector.scopes(), http.clone())?;
    let api = ApiBuilder::new(endpoints.api, limits)
        .tokens(tokens.clone())
        .budget_header(connector.budget_header())
        .http_client(http);
    Ok((api, tokens))
}

/// What `tether connect` asks for.
#[derive(Debug, Clone)]
pub struct ConnectRequest {
    /// The user's name for the connection.
    pub name: String,
    /// The grant to authenticate with.
    pub grant: Grant,
    /// A base-URL override (a simulator), if any.
    pub base_url: Option<String>,
    /// Which tenant to use when the grant reaches several.
    pub tenant: Option<String>,
    /// Limits to keep instead of the connector's published ones.
    pub rate_limits: Option<RateLimitPolicy>,
}

/// Authenticates, finds the tenant, and saves the connection with its grant sealed.
pub async fn connect(
    store: &dyn Store,
    vault: &Vault,
    connector: &'static dyn Connector,
    request: ConnectRequest,
) -> Result<Connection> {
    let limits = request
        .rate_limits
        .unwrap_or_else(|| connector.rate_limits());
    let (api, _) = build_api(
        connector,
        &request.grant,
        request.base_url.as_deref(),
        limits,
    )?;
    let api = api.build()?;
    let endpoints = connector.endpoints(request.base_url.as_deref());
    let tenants = connector.tenants(&api, &endpoints).await?;
    let tenant = match &request.tenant {
        Some(wanted) => tenants
            .iter()
            .find(|t| &t.id == wanted || &t.name == wanted)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    format!("tenant `{wanted}` is not among those this grant reaches"),
                )
            })?,
        None => tenants.first().ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                "the grant reaches no tenant (organisation)",
            )
        })?,
    };
    store
        .save_connection(&NewConnection {
            name: request.name,
            provider: connector.id().to_owned(),
            tenant_id: tenant.id.clone(),
            tenant_name: tenant.name.clone(),
            base_url: request.base_url,
            sealed_credentials: vault.seal(&request.grant)?,
            rate_limits: request.rate_limits,
        })
        .await
}
