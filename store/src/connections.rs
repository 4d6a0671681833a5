//! Saving and reading connections; a connection's status and token expiry
//! are read with its grant's.

use std::collections::HashMap;

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use tether_core::RateLimitPolicy;
use tether_core::auth::{GrantId, GrantStatus};
use tether_core::store::{Connection, ConnectionId, ConnectionStatus, NewConnection};

use crate::entity::connections::{self, Column};
use crate::entity::grants;
use crate::error::{Doing, StoreError};
use crate::sea_store::{SeaStore, now};

impl SeaStore {
    /// Inserts the connection, or replaces the one with the same name in
    /// place (keeping its id and `created_at`, so records stay attached).
    /// Saving means a fresh grant, so the connection is active again.
    pub(crate) async fn save_connection_impl(
        &self,
        new: &NewConnection,
    ) -> Result<Connection, StoreError> {
        let doing = || format!("saving connection `{}`", new.name);
        let rate_limits = new
            .rate_limits
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| StoreError::Corrupt {
                doing: doing(),
                problem: format!("rate limits do not serialise: {e}"),
            })?;
        let at = now();
        let row = connections::ActiveModel {
            name: Set(new.name.clone()),
            provider: Set(new.provider.clone()),
            tenant_id: Set(new.tenant_id.clone()),
            tenant_name: Set(new.tenant_name.clone()),
            tenant_link: Set(new.tenant_link.clone()),
            base_url: Set(new.base_url.clone()),
            grant_id: Set(Some(new.grant.0)),
            status: Set(ConnectionStatus::Active.as_str().to_owned()),
            rate_limits: Set(rate_limits),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        };
        connections::Entity::insert(row)
            .on_conflict(
                OnConflict::column(Column::Name)
                    .update_columns([
                        Column::Provider,
                        Column::TenantId,
                        Column::TenantName,
                        Column::TenantLink,
                        Column::BaseUrl,
                        Column::GrantId,
                        Column::Status,
                        Column::RateLimits,
                        Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(self.db())
            .await
            .doing(doing)?;
        self.connection_impl(&new.name)
            .await?
            .ok_or_else(|| StoreError::Missing(format!("{}: row vanished", doing())))
    }

    /// The connection named `name`.
    pub(crate) async fn connection_impl(
        &self,
        name: &str,
    ) -> Result<Option<Connection>, StoreError> {
        let rows = connections::Entity::find()
            .filter(Column::Name.eq(name))
            .all(self.db())
            .await
            .doing(|| format!("reading connection `{name}`"))?;
        Ok(self.with_grants(rows).await?.pop())
    }

    /// Every connection, by name.
    pub(crate) async fn connections_impl(&self) -> Result<Vec<Connection>, StoreError> {
        let rows = connections::Entity::find()
            .order_by_asc(Column::Name)
            .all(self.db())
            .await
            .doing(|| "listing connections".to_owned())?;
        self.with_grants(rows).await
    }

    /// Marks a connection disconnected.
    pub(crate) async fn disconnect_impl(&self, id: ConnectionId) -> Result<(), StoreError> {
        connections::Entity::update_many()
            .col_expr(
                Column::Status,
                ConnectionStatus::Disconnected.as_str().into(),
            )
            .col_expr(Column::UpdatedAt, now().into())
            .filter(Column::Id.eq(id.0))
            .exec(self.db())
            .await
            .doing(|| format!("disconnecting connection {}", id.0))?;
        Ok(())
    }

    /// Core's connections for `rows`, with their grants' status and expiry.
    async fn with_grants(
        &self,
        rows: Vec<connections::Model>,
    ) -> Result<Vec<Connection>, StoreError> {
        let ids: Vec<i64> = rows.iter().filter_map(|r| r.grant_id).collect();
        let grants: HashMap<i64, grants::Model> = grants::Entity::find()
            .filter(grants::Column::Id.is_in(ids))
            .all(self.db())
            .await
            .doing(|| "reading the connections' grants".to_owned())?
            .into_iter()
            .map(|g| (g.id, g))
            .collect();
        rows.into_iter()
            .map(|m| {
                let grant = m.grant_id.and_then(|id| grants.get(&id));
                to_connection(m, grant)
            })
            .collect()
    }
}

/// A row as core's type; the rate limits are parsed back from JSON.
fn to_connection(
    m: connections::Model,
    grant: Option<&grants::Model>,
) -> Result<Connection, StoreError> {
    let doing = || format!("reading connection `{}`", m.name);
    let rate_limits = m
        .rate_limits
        .as_deref()
        .map(serde_json::from_str::<RateLimitPolicy>)
        .transpose()
        .map_err(|e| StoreError::Corrupt {
            doing: doing(),
            problem: format!("column rate_limits is not a rate-limit policy: {e}"),
        })?;
    let grant = grant.ok_or_else(|| StoreError::Corrupt {
        doing: doing(),
        problem: "it has no grant".to_owned(),
    })?;
    let grant_status = GrantStatus::parse(&grant.status);
    let (status, status_reason) = if m.status == ConnectionStatus::Disconnected.as_str() {
        (ConnectionStatus::Disconnected, None)
    } else if grant_status == GrantStatus::Active {
        (ConnectionStatus::Active, None)
    } else {
        (ConnectionStatus::NeedsReauth, grant.status_reason.clone())
    };
    Ok(Connection {
        id: ConnectionId(m.id),
        name: m.name,
        provider: m.provider,
        tenant_id: m.tenant_id,
        tenant_name: m.tenant_name,
        tenant_link: m.tenant_link,
        base_url: m.base_url,
        grant: GrantId(grant.id),
        status,
        status_reason,
        token_expires_at: grant.access_expires_at,
        rate_limits,
        created_at: m.created_at,
    })
}
