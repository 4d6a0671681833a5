//! The identity service's memory: authorization events ("grants", each
//! with the tenants it connects), single-use authorization codes, access
//! tokens and rotating refresh tokens, and the rules for each (lifetimes
//! from the provider's profile). Pure state: every rule takes the auth
//! clock's `now`, so it is the same under a real and a moved clock.

use std::collections::HashMap;

use uuid::Uuid;

use super::profile::OAuthProfile;
use crate::pkce;
use crate::tenant::TenantId;

/// Expired access tokens are forgotten this long after expiry.
const FORGET_ACCESS_MS: i64 = 3_600_000;

/// One tenant connected to one grant (Xero: an entry of `GET /connections`).
#[derive(Clone, Debug)]
pub struct Connection<K> {
    /// The connection's own id.
    pub id: Uuid,
    /// The tenant connected.
    pub tenant_id: K,
    /// The tenant's name.
    pub name: String,
    /// When it was connected (ms since the epoch, auth clock).
    pub created_ms: i64,
    /// When it last changed.
    pub updated_ms: i64,
}

/// One authorization event: what the user consented to, for which client.
#[derive(Clone, Debug)]
pub struct Grant<K> {
    /// The event's id (Xero: `authEventId`).
    pub id: Uuid,
    /// The client it was given to.
    pub client_id: String,
    /// The granted scopes, space-separated.
    pub scope: String,
    /// The consenting user; every consent in a sandbox is a user of its own.
    pub user_id: Uuid,
    /// The login session.
    pub session_id: Uuid,
    /// When the user authenticated (ms, auth clock).
    pub auth_ms: i64,
    /// The tenants it connects now.
    pub connections: Vec<Connection<K>>,
}

impl<K> Grant<K> {
    /// Whether the grant's scope includes `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope.split(' ').any(|s| s == scope)
    }
}

struct Code {
    grant: Uuid,
    redirect_uri: String,
    challenge: Option<String>,
    nonce: Option<String>,
    issued_ms: i64,
}

struct Access {
    grant: Uuid,
    expires_at_ms: i64,
}

struct Refresh {
    grant: Uuid,
    issued_ms: i64,
    /// When it was first exchanged: the grace period runs from then.
    rotated_ms: Option<i64>,
}

/// A redeemed authorization code.
#[derive(Debug)]
pub struct Redeemed<K> {
    /// The grant it was issued for.
    pub grant: Grant<K>,
    /// The authorize request's `nonce`, for the ID token.
    pub nonce: Option<String>,
}

/// Why a bearer token is refused; the provider words the 401.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BearerRefusal {
    /// No `Authorization: Bearer` header.
    Missing,
    /// A token the simulator never issued, or one whose grant is gone.
    Unknown,
    /// An expired token, and when it expired (ms, auth clock).
    Expired {
        /// Expiry time in ms since the epoch.
        at_ms: i64,
    },
}

/// What a revocation request did.
#[derive(Debug, PartialEq, Eq)]
pub enum Revoked {
    /// The grant, its tokens and its connections are gone.
    Grant,
    /// Only the given access token (a client-credentials token) is gone.
    AccessToken,
    /// Unknown token, or one of another client: nothing changed (RFC 7009).
    Nothing,
}

/// All grants, codes and tokens of one simulator.
pub struct Grants<K> {
    code_ttl_ms: i64,
    grace_ms: i64,
    idle_ms: i64,
    grants: HashMap<Uuid, Grant<K>>,
    codes: HashMap<String, Code>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
}

fn ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

impl<K: TenantId> Grants<K> {
    /// No grants yet; lifetimes from `profile`.
    pub fn new(profile: &OAuthProfile) -> Self {
        Self {
            code_ttl_ms: ms(profile.code_ttl),
            grace_ms: ms(profile.refresh_grace),
            idle_ms: ms(profile.refresh_idle),
            grants: HashMap::new(),
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
        }
    }

    /// Adds (or replaces) a grant.
    pub fn insert(&mut self, grant: Grant<K>) {
        self.grants.insert(grant.id, grant);
    }

    /// The grant `id`, if not revoked.
    pub fn grant(&self, id: &Uuid) -> Option<&Grant<K>> {
        self.grants.get(id)
    }

    /// The tenants connected to `client_id` by its live grants, except `skip`'s.
    pub fn tenants_of_client(&self, client_id: &str, skip: Option<Uuid>) -> Vec<K> {
        self.grants
            .values()
            .filter(|g| g.client_id == client_id && Some(g.id) != skip)
            .flat_map(|g| g.connections.iter().map(|c| c.tenant_id.clone()))
            .collect()
    }

    /// Records a new authorization code for `grant`.
    pub fn add_code(
        &mut self,
        code: String,
        grant: Uuid,
        redirect_uri: String,
        challenge: Option<String>,
        nonce: Option<String>,
        now: i64,
    ) {
        self.prune(now);
        let c = Code {
            grant,
            redirect_uri,
            challenge,
            nonce,
            issued_ms: now,
        };
        self.codes.insert(code, c);
    }

    /// Redeems a code: single use (it is spent by any attempt that names
    /// the right client, as IdentityServer does), then redirect URI and
    /// PKCE verifier must match. The error is the reason of an `invalid_grant`.
    pub fn redeem(
        &mut self,
        code: &str,
        client_id: &str,
        redirect_uri: Option<&str>,
        verifier: Option<&str>,
        now: i64,
    ) -> Result<Redeemed<K>, &'static str> {
        let grant_of = |c: &Code| self.grants.get(&c.grant);
        match self.codes.get(code) {
            None => return Err("invalid or already used authorization code"),
            Some(c) if grant_of(c).is_none_or(|g| g.client_id != client_id) => {
                return Err("authorization code issued to another client");
            }
            Some(_) => {}
        }
        let Some(c) = self.codes.remove(code) else {
            return Err("invalid or already used authorization code");
        };
        if now - c.issued_ms >= self.code_ttl_ms {
            return Err("authorization code expired");
        }
        if redirect_uri != Some(c.redirect_uri.as_str()) {
            return Err("redirect_uri does not match the authorization request");
        }
        match (&c.challenge, verifier) {
            (Some(ch), Some(v)) if pkce::verifies(v, ch) => {}
            (Some(_), Some(_)) => return Err("code_verifier does not match the code_challenge"),
            (Some(_), None) => return Err("code_verifier is missing"),
            (None, Some(_)) => return Err("code_verifier sent for a code without code_challenge"),
            (None, None) => {}
        }
        let grant = self
            .grants
            .get(&c.grant)
            .cloned()
            .ok_or("authorization was revoked")?;
        Ok(Redeemed {
            grant,
            nonce: c.nonce,
        })
    }

    /// Records an access token of `grant`.
    pub fn add_access(&mut self, token: String, grant: Uuid, expires_at_ms: i64) {
        self.access.insert(
            token,
            Access {
                grant,
                expires_at_ms,
            },
        );
    }

    /// Records a new refresh token of `grant`.
    pub fn add_refresh(&mut self, token: String, grant: Uuid, now: i64) {
        let r = Refresh {
            grant,
            issued_ms: now,
            rotated_ms: None,
        };
        self.refresh.insert(token, r);
    }

    /// Spends a refresh token: valid if issued to this client, not idle
    /// past the profile's limit, and either never used or first used within
    /// the grace period. The caller then issues the new pair.
    pub fn use_refresh(
        &mut self,
        token: &str,
        client_id: &str,
        now: i64,
    ) -> Result<Grant<K>, &'static str> {
        let (grace, idle) = (self.grace_ms, self.idle_ms);
        let r = self.refresh.get_mut(token).ok_or("unknown refresh token")?;
        let grant = self
            .grants
            .get(&r.grant)
            .ok_or("authorization was revoked")?;
        if grant.client_id != client_id {
            return Err("refresh token issued to another client");
        }
        match r.rotated_ms {
            Some(first) if now - first >= grace => {
                return Err("refresh token already used and its grace period is over");
            }
            Some(_) => {}
            None if now - r.issued_ms >= idle => {
                return Err("refresh token expired unused");
            }
            None => r.rotated_ms = Some(now),
        }
        Ok(grant.clone())
    }

    /// The grant and tenants of a bearer token.
    pub fn bearer(&self, token: &str, now: i64) -> Result<(Uuid, Vec<K>), BearerRefusal> {
        let a = self.access.get(token).ok_or(BearerRefusal::Unknown)?;
        if a.expires_at_ms <= now {
            return Err(BearerRefusal::Expired {
                at_ms: a.expires_at_ms,
            });
        }
        let g = self.grants.get(&a.grant).ok_or(BearerRefusal::Unknown)?;
        Ok((
            g.id,
            g.connections.iter().map(|c| c.tenant_id.clone()).collect(),
        ))
    }

    /// Makes every access token issued so far expired.
    pub fn expire_access(&mut self, now: i64) {
        for a in self.access.values_mut() {
            a.expires_at_ms = a.expires_at_ms.min(now - 1);
        }
    }

    /// Revokes what `token` (a refresh or an access token) belongs to, if it
    /// was issued to `client_id`. `custom` is the client-credentials grant,
    /// if any: only its one access token goes.
    pub fn revoke(&mut self, token: &str, client_id: &str, custom: Option<Uuid>) -> Revoked {
        let grant = match (self.refresh.get(token), self.access.get(token)) {
            (Some(r), _) => r.grant,
            (None, Some(a)) => a.grant,
            (None, None) => return Revoked::Nothing,
        };
        if self
            .grants
            .get(&grant)
            .is_none_or(|g| g.client_id != client_id)
        {
            return Revoked::Nothing;
        }
        if Some(grant) == custom {
            self.access.remove(token);
            return Revoked::AccessToken;
        }
        self.grants.remove(&grant);
        self.codes.retain(|_, c| c.grant != grant);
        self.access.retain(|_, a| a.grant != grant);
        self.refresh.retain(|_, r| r.grant != grant);
        Revoked::Grant
    }

    /// Removes connection `id` from `grant`; false when it has no such one.
    pub fn delete_connection(&mut self, grant: Uuid, id: Uuid) -> bool {
        let Some(g) = self.grants.get_mut(&grant) else {
            return false;
        };
        let before = g.connections.len();
        g.connections.retain(|c| c.id != id);
        g.connections.len() < before
    }

    /// Forgets expired codes, long-expired access tokens and dead refresh tokens.
    fn prune(&mut self, now: i64) {
        let (code_ttl, grace, idle) = (self.code_ttl_ms, self.grace_ms, self.idle_ms);
        self.codes.retain(|_, c| now - c.issued_ms < code_ttl);
        self.access
            .retain(|_, a| a.expires_at_ms > now - FORGET_ACCESS_MS);
        self.refresh.retain(|_, r| match r.rotated_ms {
            Some(first) => now - first < grace,
            None => now - r.issued_ms < idle,
        });
    }

    /// Prunes before an access token is added (keeps memory flat in long runs).
    pub fn tidy(&mut self, now: i64) {
        self.prune(now);
    }
}
