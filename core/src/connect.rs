//! Making and ending connections. A consent (or an app's client
//! credentials) becomes one saved grant, and one connection per tenant it
//! reaches; connecting again under a known name repairs that connection in
//! place, with its data. Disconnecting unlinks the tenant at the provider,
//! revokes the grant once no other connection uses it, and keeps the data.

use std::sync::Arc;

use crate::auth::authorize::{Authorized, Redirect};
use crate::auth::{Grant, GrantStatus, NewTokens, OAuthHttp, TokenClient};
use crate::session::stack;
use crate::store::{Connection, ConnectionStatus, NewConnection, Store};
use crate::{Connector, Error, ErrorKind, RateLimitPolicy, Result, Tenant, Vault};

/// What `tether connect` asks for.
#[derive(Debug, Clone)]
pub struct ConnectRequest {
    /// The user's name for the connection (the stem of the names, when a
    /// consent reaches several tenants).
    pub name: String,
    /// A base-URL override (a simulator), if any.
    pub base_url: Option<String>,
    /// Only this tenant (id or name).
    pub tenant: Option<String>,
    /// Limits to keep instead of the connector's published ones.
    pub rate_limits: Option<RateLimitPolicy>,
    /// Replace the connection of this name even if it reached another tenant.
    pub replace: bool,
}

/// How access was given.
pub enum Consent {
    /// An app's own credentials (a Xero custom connection): one tenant.
    ClientCredentials(Grant),
    /// A person's consent, finished ([`crate::auth::authorize`]).
    Authorized(Authorized),
}

/// Saves the grant and a connection for each tenant it is to reach; returns
/// them. Under an existing name (without `replace`) the connection is
/// repaired in place: its tenant must be among those granted, and the other
/// connections of its old grant whose tenants are granted move over too.
pub async fn connect(
    store: Arc<dyn Store>,
    vault: &Vault,
    connector: &'static dyn Connector,
    request: ConnectRequest,
    consent: Consent,
) -> Result<Vec<Connection>> {
    let endpoints = connector.endpoints(request.base_url.as_deref());
    let (grant, access, lifetime, redirect) = match consent {
        Consent::ClientCredentials(_) if !connector.client_credentials() => {
            return Err(Error::config(format!(
                "{} connects only by a person's consent (the authorization-code grant), \
                 not with an app's own credentials",
                connector.display_name()
            )));
        }
        Consent::ClientCredentials(grant) => {
            let oauth = OAuthHttp::new()?;
            let client = TokenClient {
                endpoints: &endpoints,
                scopes: connector.scopes(),
                http: &oauth,
            };
            let fresh = client.tokens(&grant).await?;
            (grant, fresh.access, fresh.lifetime, Redirect::default())
        }
        Consent::Authorized(a) => (a.grant, a.access, a.lifetime, a.redirect),
    };
    let many = matches!(grant, Grant::AuthorizationCode { .. });
    let expires_at = chrono::Utc::now()
        + chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::zero());
    let grant_id = store
        .insert_grant(
            connector.id(),
            &NewTokens {
                sealed_grant: vault.seal(&grant)?,
                sealed_access: vault.seal(&access)?,
                expires_at,
            },
        )
        .await?;
    let limits = request
        .rate_limits
        .unwrap_or_else(|| connector.rate_limits());
    let (api, _) = stack(
        connector,
        grant_id,
        store.clone(),
        vault,
        request.base_url.as_deref(),
        limits,
        None,
    )?;
    let tenants = connector
        .tenants(&api.build()?, &endpoints, &redirect)
        .await?;
    if tenants.is_empty() {
        return Err(Error::new(
            ErrorKind::NotFound,
            "the grant reaches no tenant (organisation)",
        ));
    }
    let existing = store.connection(&request.name).await?;
    let chosen: Vec<(String, Tenant)> = match existing {
        Some(old) if !request.replace => {
            repaired(store.as_ref(), connector, &old, &tenants).await?
        }
        Some(old) => vec![(old.name.clone(), replacing(&request, &old, &tenants)?)],
        None => chosen(&request, &tenants, many)?,
    };
    let mut saved = Vec::with_capacity(chosen.len());
    for (name, tenant) in chosen {
        saved.push(
            store
                .save_connection(&NewConnection {
                    name,
                    provider: connector.id().to_owned(),
                    tenant_id: tenant.id,
                    tenant_name: tenant.name,
                    tenant_link: tenant.link,
                    base_url: request.base_url.clone(),
                    grant: grant_id,
                    rate_limits: request.rate_limits,
                })
                .await?,
        );
    }
    Ok(saved)
}

/// The tenants a new connection (or several) is made for, with their names.
fn chosen(
    request: &ConnectRequest,
    tenants: &[Tenant],
    many: bool,
) -> Result<Vec<(String, Tenant)>> {
    if let Some(wanted) = &request.tenant {
        return Ok(vec![(request.name.clone(), granted(wanted, tenants)?)]);
    }
    if !many || tenants.len() == 1 {
        return Ok(vec![(request.name.clone(), tenants[0].clone())]);
    }
    let mut names: Vec<String> = Vec::with_capacity(tenants.len());
    for tenant in tenants {
        let stem = format!("{}-{}", request.name, slug(&tenant.name));
        let mut name = stem.clone();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{stem}-{n}");
            n += 1;
        }
        names.push(name);
    }
    Ok(names.into_iter().zip(tenants.iter().cloned()).collect())
}

/// The tenant the replaced connection `old` is to reach: the one asked for,
/// else its own if granted again, else the only one granted.
fn replacing(request: &ConnectRequest, old: &Connection, tenants: &[Tenant]) -> Result<Tenant> {
    if let Some(wanted) = &request.tenant {
        return granted(wanted, tenants);
    }
    if let Some(same) = tenants.iter().find(|t| t.id == old.tenant_id) {
        return Ok(same.clone());
    }
    match tenants {
        [only] => Ok(only.clone()),
        _ => Err(Error::new(
            ErrorKind::Invalid,
            format!(
                "several organisations were granted and `{}`'s own is not among them; \
                 name one with --tenant: {}",
                old.name,
                listed(tenants)
            ),
        )),
    }
}

/// The granted tenant whose id or name is `wanted`.
fn granted(wanted: &str, tenants: &[Tenant]) -> Result<Tenant> {
    tenants
        .iter()
        .find(|t| t.id == wanted || t.name == wanted)
        .cloned()
        .ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!(
                    "tenant `{wanted}` is not among those granted: {}",
                    listed(tenants)
                ),
            )
        })
}

fn listed(tenants: &[Tenant]) -> String {
    tenants
        .iter()
        .map(|t| format!("{} ({})", t.name, t.id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The connection `old` and the others of its grant, each with its tenant
/// as now granted; `old`'s tenant must be among them.
async fn repaired(
    store: &dyn Store,
    connector: &'static dyn Connector,
    old: &Connection,
    tenants: &[Tenant],
) -> Result<Vec<(String, Tenant)>> {
    if old.provider != connector.id() {
        return Err(Error::config(format!(
            "connection `{}` is a {} connection; choose another name, or --replace it",
            old.name, old.provider
        )));
    }
    let granted_again = |id: &str| tenants.iter().find(|t| t.id == id).cloned();
    let Some(tenant) = granted_again(&old.tenant_id) else {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!(
                "connection `{}` is for {} ({}), which this consent did not grant; \
                 grant it, or --replace the connection",
                old.name, old.tenant_name, old.tenant_id
            ),
        ));
    };
    let mut chosen = vec![(old.name.clone(), tenant)];
    for other in store.connections().await? {
        if other.grant == old.grant
            && other.name != old.name
            && other.status != ConnectionStatus::Disconnected
            && let Some(tenant) = granted_again(&other.tenant_id)
        {
            chosen.push((other.name, tenant));
        }
    }
    Ok(chosen)
}

/// A tenant name as part of a connection name: lower case, words joined by `-`.
fn slug(name: &str) -> String {
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    if words.is_empty() {
        "tenant".to_owned()
    } else {
        words.join("-")
    }
}

/// What disconnecting did at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Disconnected {
    /// The grant's link to the tenant was removed.
    pub unlinked: bool,
    /// The grant was revoked (no other connection used it).
    pub revoked: bool,
}

/// Disconnects `connection`: unlinks its tenant at the provider, revokes the
/// grant when no other active connection shares it, and marks ours
/// disconnected, keeping its data. A grant the provider already refuses is
/// not asked anything.
pub async fn disconnect(
    store: Arc<dyn Store>,
    vault: &Vault,
    connection: &Connection,
) -> Result<Disconnected> {
    let connector = crate::connector(&connection.provider).ok_or_else(|| {
        Error::config(format!(
            "connection `{}` uses provider `{}`, which this build does not include",
            connection.name, connection.provider
        ))
    })?;
    let mut done = Disconnected {
        unlinked: false,
        revoked: false,
    };
    let row = store.grant(connection.grant).await?;
    if row.status == GrantStatus::Active && connection.status == ConnectionStatus::Active {
        let endpoints = connector.endpoints(connection.base_url.as_deref());
        let limits = connection
            .rate_limits
            .unwrap_or_else(|| connector.rate_limits());
        let (api, _) = stack(
            connector,
            connection.grant,
            store.clone(),
            vault,
            connection.base_url.as_deref(),
            limits,
            None,
        )?;
        let tenant = Tenant {
            id: connection.tenant_id.clone(),
            name: connection.tenant_name.clone(),
            link: connection.tenant_link.clone(),
        };
        match connector
            .unlink_tenant(&api.build()?, &endpoints, &tenant)
            .await
        {
            Ok(()) => done.unlinked = connection.tenant_link.is_some(),
            Err(e) if e.kind() == ErrorKind::NeedsReauth => {}
            Err(e) => return Err(e),
        }
        let shared = store.connections().await?.into_iter().any(|c| {
            c.grant == connection.grant
                && c.id != connection.id
                && c.status == ConnectionStatus::Active
        });
        if !shared {
            let grant: Grant = vault.open(&row.sealed)?;
            let http = OAuthHttp::new()?;
            let client = TokenClient {
                endpoints: &endpoints,
                scopes: connector.scopes(),
                http: &http,
            };
            client.revoke(&grant).await?;
            store
                .set_grant_status(connection.grant, GrantStatus::Revoked, Some("disconnected"))
                .await?;
            done.revoked = matches!(grant, Grant::AuthorizationCode { .. });
        }
    }
    store.disconnect(connection.id).await?;
    Ok(done)
}
