//! Saving and reading connections.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use tether_core::RateLimitPolicy;
use tether_core::store::{Connection, ConnectionId, NewConnection};

use crate::entity::connections::{self, Column};
use crate::error::{Doing, StoreError};
use crate::sea_store::{SeaStore, now};

impl SeaStore {
    /// Inserts the connection, or replaces the one with the same name in
    /// place (keeping its id and `created_at`, so records stay attached).
    /// Saving means fresh credentials, so the status returns to `active`.
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
            base_url: Set(new.base_url.clone()),
            sealed_credentials: Set(new.sealed_credentials.clone()),
            status: Set("active".to_owned()),
            rate_limits: Set(rate_limits),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        };
        let txn = self.begin_write().await.doing(doing)?;
        connections::Entity::insert(row)
            .on_conflict(
                OnConflict::column(Column::Name)
                    .update_columns([
                        Column::Provider,
                        Column::TenantId,
                        Column::TenantName,
                        Column::BaseUrl,
                        Column::SealedCredentials,
                        Column::Status,
                        Column::RateLimits,
                        Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await
            .doing(doing)?;
        let saved = connections::Entity::find()
            .filter(Column::Name.eq(new.name.as_str()))
            .one(&txn)
            .await
            .doing(doing)?
            .ok_or_else(|| StoreError::Missing(format!("{}: row vanished", doing())))?;
        txn.commit().await.doing(doing)?;
        to_connection(saved)
    }

    /// The connection named `name`.
    pub(crate) async fn connection_impl(
        &self,
        name: &str,
    ) -> Result<Option<Connection>, StoreError> {
        connections::Entity::find()
            .filter(Column::Name.eq(name))
            .one(self.db())
            .await
            .doing(|| format!("reading connection `{name}`"))?
            .map(to_connection)
            .transpose()
    }

    /// Every connection, by name.
    pub(crate) async fn connections_impl(&self) -> Result<Vec<Connection>, StoreError> {
        connections::Entity::find()
            .order_by_asc(Column::Name)
            .all(self.db())
            .await
            .doing(|| "listing connections".to_owned())?
            .into_iter()
            .map(to_connection)
            .collect()
    }
}

/// A row as core's type; the rate limits are parsed back from JSON.
fn to_connection(m: connections::Model) -> Result<Connection, StoreError> {
    let rate_limits = m
        .rate_limits
        .as_deref()
        .map(serde_json::from_str::<RateLimitPolicy>)
        .transpose()
        .map_err(|e| StoreError::Corrupt {
            doing: format!("reading connection `{}`", m.name),
            problem: format!("column rate_limits is not a rate-limit policy: {e}"),
        })?;
    Ok(Connection {
        id: ConnectionId(m.id),
        name: m.name,
        provider: m.provider,
        tenant_id: m.tenant_id,
        tenant_name: m.tenant_name,
        base_url: m.base_url,
        sealed_credentials: m.sealed_credentials,
        status: m.status,
        rate_limits,
        created_at: m.created_at,
    })
}
