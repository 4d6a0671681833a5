//! From a saved connection to a ready [`Api`]: its connector, its grant's
//! shared tokens, its limits and its tenant.

use std::sync::Arc;

use crate::auth::{Grant, GrantId, GrantStore, StoredTokens, TokenSource};
use crate::http::{Api, ApiBuilder, BudgetKey, default_http_client};
use crate::store::{Connection, ConnectionStatus};
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
    /// Opens `connection`: finds its connector and builds the stack over its
    /// grant's tokens, kept in `grants`. A disconnected connection, or one
    /// whose grant needs a person, is refused with what to do.
    pub async fn open(
        connection: Connection,
        vault: &Vault,
        grants: Arc<dyn GrantStore>,
    ) -> Result<Session> {
        Session::open_sharing(connection, vault, grants, None).await
    }

    /// [`Session::open`] over `http`, a client (connection pool, root
    /// certificates) the caller shares between its sessions: a process
    /// holding thousands of sessions would otherwise hold thousands of
    /// clients (about 100 KiB each). Made by [`Session::http_client`].
    pub async fn open_sharing(
        connection: Connection,
        vault: &Vault,
        grants: Arc<dyn GrantStore>,
        http: Option<reqwest::Client>,
    ) -> Result<Session> {
        let connector = crate::connector(&connection.provider).ok_or_else(|| {
            Error::config(format!(
                "connection `{}` uses provider `{}`, which this build does not include",
                connection.name, connection.provider
            ))
        })?;
        let again = format!(
            "`tether connect {} {}`",
            connection.provider, connection.name
        );
        match connection.status {
            ConnectionStatus::Active => {}
            ConnectionStatus::Disconnected => {
                return Err(Error::new(
                    ErrorKind::NeedsReauth,
                    format!(
                        "connection `{}` is disconnected (its data is kept); {again} connects it again",
                        connection.name
                    ),
                ));
            }
            ConnectionStatus::NeedsReauth => {
                return Err(Error::new(
                    ErrorKind::NeedsReauth,
                    format!(
                        "connection `{}` needs to be authorised again ({}); {again} repairs it in place",
                        connection.name,
                        connection
                            .status_reason
                            .as_deref()
                            .unwrap_or("the provider refused its grant")
                    ),
                ));
            }
        }
        let limits = connection
            .rate_limits
            .unwrap_or_else(|| connector.rate_limits());
        let budget = grants.call_budget();
        let app = match (&budget, limits.app_per_window) {
            (Some(_), Some(_)) => Some(BudgetKey::app(
                connector.id(),
                &app_of(&*grants, connection.grant, vault).await?,
            )),
            _ => None,
        };
        let (api, tokens) = stack(
            connector,
            connection.grant,
            grants,
            vault,
            connection.base_url.as_deref(),
            limits,
            http,
        )?;
        let mut api = api.tenant(connection.tenant_id.clone());
        if let Some(budget) = budget {
            api = api.budget(
                budget,
                BudgetKey::tenant(connector.id(), &connection.tenant_id),
            );
            if let Some(app) = app {
                api = api.app(app);
            }
        }
        let api = api.build()?;
        Ok(Session {
            connector,
            connection,
            api,
            tokens,
        })
    }

    /// A client for [`Session::open_sharing`], with the timeouts sessions use.
    pub fn http_client() -> Result<reqwest::Client> {
        default_http_client(REQUEST_TIMEOUT)
    }

    /// Gets an access token now, once for the whole command, so a provider
    /// that cannot be reached or refuses the credentials is said at once,
    /// before any work starts, rather than once per kind.
    pub async fn authenticate(&self) -> Result<()> {
        self.tokens
            .token()
            .await
            .map(|_| ())
            .map_err(|e| self.explain(e))
    }

    /// Adds to a refusal of the connection's credentials what a person does
    /// about it; other errors pass as they are.
    pub fn explain(&self, e: Error) -> Error {
        let again = format!(
            "`tether connect {} {}",
            self.connection.provider, self.connection.name
        );
        match e.kind() {
            ErrorKind::Unauthorized => Error::new(
                e.kind(),
                format!(
                    "{e}; if the app's credentials changed, save the new ones with {again} --replace …`"
                ),
            ),
            ErrorKind::NeedsReauth => {
                Error::new(e.kind(), format!("{e}; {again}` repairs it in place"))
            }
            _ => e,
        }
    }
}

/// The client id of the app a grant was given to: the key of the app's
/// budget across its tenants.
async fn app_of(grants: &dyn GrantStore, grant: GrantId, vault: &Vault) -> Result<String> {
    let stored = grants.grant(grant).await?;
    Ok(vault.open::<Grant>(&stored.sealed)?.client_id().to_owned())
}

/// The HTTP stack over a grant's shared tokens, not yet bound to a tenant.
pub(crate) fn stack(
    connector: &'static dyn Connector,
    grant: GrantId,
    grants: Arc<dyn GrantStore>,
    vault: &Vault,
    base_url: Option<&str>,
    limits: RateLimitPolicy,
    http: Option<reqwest::Client>,
) -> Result<(ApiBuilder, Arc<dyn TokenSource>)> {
    let endpoints = connector.endpoints(base_url);
    let http = match http {
        Some(http) => http,
        None => default_http_client(REQUEST_TIMEOUT)?,
    };
    let tokens: Arc<dyn TokenSource> = Arc::new(StoredTokens::new(
        grant,
        grants,
        vault.clone(),
        endpoints.clone(),
        connector.scopes(),
    )?);
    let api = ApiBuilder::new(endpoints.api, limits)
        .tokens(tokens.clone())
        .budget_header(connector.budget_header())
        .timeout(REQUEST_TIMEOUT)
        .http_client(http);
    Ok((api, tokens))
}
