//! Grants: saved once per consent, shared by the connections they reach.
//! A refresh is claimed by a conditional update (the grant still at the
//! version the claimant read, no other claim running by the database's
//! clock) and its tokens saved by another (still that version, still the
//! claimant's), so two processes never spend one refresh token at once and
//! a slow one never overwrites a newer token.

use std::time::Duration;

use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, Value};
use tether_core::auth::{GrantId, GrantStatus, NewTokens, StoredGrant};

use crate::entity::grants;
use crate::error::{Doing, StoreError};
use crate::leases::{now_ms, statement};
use crate::sea_store::{SeaStore, micros, now};

impl SeaStore {
    pub(crate) async fn insert_grant_impl(
        &self,
        provider: &str,
        tokens: &NewTokens,
    ) -> Result<GrantId, StoreError> {
        let at = now();
        let row = grants::ActiveModel {
            provider: Set(provider.to_owned()),
            sealed: Set(tokens.sealed_grant.clone()),
            sealed_access: Set(Some(tokens.sealed_access.clone())),
            access_expires_at: Set(Some(micros(tokens.expires_at))),
            version: Set(0),
            status: Set(GrantStatus::Active.as_str().to_owned()),
            refreshed_at: Set(Some(at)),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        };
        let id = grants::Entity::insert(row)
            .exec(self.db())
            .await
            .doing(|| format!("saving a {provider} grant"))?
            .last_insert_id;
        Ok(GrantId(id))
    }

    pub(crate) async fn grant_impl(&self, id: GrantId) -> Result<StoredGrant, StoreError> {
        let doing = || format!("reading grant {id}");
        let m = grants::Entity::find_by_id(id.0)
            .one(self.db())
            .await
            .doing(doing)?
            .ok_or_else(|| StoreError::Missing(format!("{}: no such grant", doing())))?;
        Ok(StoredGrant {
            id,
            provider: m.provider,
            sealed: m.sealed,
            access: m.sealed_access.zip(m.access_expires_at),
            version: m.version,
            status: GrantStatus::parse(&m.status),
            status_reason: m.status_reason,
            refreshed_at: m.refreshed_at,
            claimed_by: m.refresh_holder,
        })
    }

    pub(crate) async fn claim_refresh_impl(
        &self,
        id: GrantId,
        version: i64,
        holder: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let backend = self.backend();
        let now = now_ms(backend);
        let sql = format!(
            "UPDATE grants SET refresh_holder = ?, refresh_until_ms = {now} + ? \
             WHERE id = ? AND version = ? AND status = 'active' \
               AND (refresh_holder IS NULL OR refresh_holder = ? \
                    OR refresh_until_ms IS NULL OR refresh_until_ms <= {now})"
        );
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX / 2);
        let values: Vec<Value> = vec![
            holder.into(),
            ttl_ms.into(),
            id.0.into(),
            version.into(),
            holder.into(),
        ];
        let claimed = self
            .db()
            .execute_raw(statement(backend, &sql, values))
            .await
            .doing(|| format!("claiming the refresh of grant {id}"))?
            .rows_affected();
        Ok(claimed == 1)
    }

    pub(crate) async fn save_tokens_impl(
        &self,
        id: GrantId,
        version: i64,
        holder: &str,
        tokens: &NewTokens,
    ) -> Result<bool, StoreError> {
        let at = now();
        let values: Vec<Value> = vec![
            tokens.sealed_grant.clone().into(),
            tokens.sealed_access.clone().into(),
            micros(tokens.expires_at).into(),
            at.into(),
            at.into(),
            id.0.into(),
            version.into(),
            holder.into(),
        ];
        let saved = self
            .db()
            .execute_raw(statement(
                self.backend(),
                "UPDATE grants SET sealed = ?, sealed_access = ?, access_expires_at = ?, \
                     version = version + 1, refresh_holder = NULL, refresh_until_ms = NULL, \
                     refreshed_at = ?, updated_at = ? \
                 WHERE id = ? AND version = ? AND refresh_holder = ?",
                values,
            ))
            .await
            .doing(|| format!("saving the refreshed tokens of grant {id}"))?
            .rows_affected();
        Ok(saved == 1)
    }

    pub(crate) async fn release_refresh_impl(
        &self,
        id: GrantId,
        holder: &str,
    ) -> Result<(), StoreError> {
        self.db()
            .execute_raw(statement(
                self.backend(),
                "UPDATE grants SET refresh_holder = NULL, refresh_until_ms = NULL \
                 WHERE id = ? AND refresh_holder = ?",
                vec![id.0.into(), holder.into()],
            ))
            .await
            .doing(|| format!("ending the refresh claim on grant {id}"))?;
        Ok(())
    }

    pub(crate) async fn set_grant_status_impl(
        &self,
        id: GrantId,
        status: GrantStatus,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        let values: Vec<Value> = vec![
            status.as_str().into(),
            reason.map(str::to_owned).into(),
            now().into(),
            id.0.into(),
        ];
        self.db()
            .execute_raw(statement(
                self.backend(),
                "UPDATE grants SET status = ?, status_reason = ?, updated_at = ?, \
                     refresh_holder = NULL, refresh_until_ms = NULL \
                 WHERE id = ?",
                values,
            ))
            .await
            .doing(|| format!("marking grant {id} {}", status.as_str()))?;
        Ok(())
    }
}
