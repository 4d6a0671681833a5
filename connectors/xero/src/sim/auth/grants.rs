//! The identity service's memory: authorization events ("grants", each
//! with its `authEventId` and the organisations it connects), single-use
//! authorization codes, access tokens and rotating refresh tokens, and
//! Xero's rules for each. Pure state: every rule takes the auth clock's
//! `now`, so it is the same under a real and a moved clock.

use std::collections::HashMap;

use uuid::Uuid;

use super::pkce;

/// An authorization code is redeemable this long (Xero: 5 minutes).
pub(crate) const CODE_TTL_MS: i64 = 5 * 60_000;
/// A rotated refresh token stays usable this long after its first use
/// (Xero: 30 minutes), in case the answer of that refresh was lost.
pub(crate) const REFRESH_GRACE_MS: i64 = 30 * 60_000;
/// An unused refresh token expires this long after it was issued (Xero: 60 days).
pub(crate) const REFRESH_IDLE_MS: i64 = 60 * 86_400_000;
/// Expired access tokens are forgotten this long after expiry.
const FORGET_ACCESS_MS: i64 = 3_600_000;

/// One organisation connected to one grant (an entry of `GET /connections`).
#[derive(Clone, Debug)]
pub(crate) struct Connection {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// One authorization event: what the user consented to, for which client.
#[derive(Clone, Debug)]
pub(crate) struct Grant {
    /// The `authEventId` shared by the connections made at this consent.
    pub id: Uuid,
    pub client_id: String,
    pub scope: String,
    /// The consenting user (`xero_userid`); every consent in the sandbox
    /// is a user of its own, so `/connections` shows this grant's tenants.
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub auth_ms: i64,
    pub connections: Vec<Connection>,
}

impl Grant {
    /// Whether the grant's scope includes `scope`.
    pub(crate) fn has_scope(&self, scope: &str) -> bool {
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
pub(crate) struct Redeemed {
    pub grant: Grant,
    pub nonce: Option<String>,
}

/// Why a bearer token is refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BearerError {
    Unknown,
    Expired(i64),
}

/// What a revocation request did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Revoked {
    /// The grant, its tokens and its connections are gone.
    Grant,
    /// Only the given access token (a client-credentials token) is gone.
    AccessToken,
    /// Unknown token, or one of another client: nothing changed (RFC 7009).
    Nothing,
}

/// All grants, codes and tokens of one simulator.
#[derive(Default)]
pub(crate) struct Grants {
    grants: HashMap<Uuid, Grant>,
    codes: HashMap<String, Code>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
}

impl Grants {
    pub(crate) fn insert(&mut self, grant: Grant) {
        self.grants.insert(grant.id, grant);
    }

    pub(crate) fn grant(&self, id: &Uuid) -> Option<&Grant> {
        self.grants.get(id)
    }

    /// Records a new authorization code for `grant`.
    pub(crate) fn add_code(
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
    /// the right client, as IdentityServer, which runs Xero's identity
    /// service, does), then redirect URI and PKCE verifier must match.
    /// The error is the `error_description` of an `invalid_grant`.
    pub(crate) fn redeem(
        &mut self,
        code: &str,
        client_id: &str,
        redirect_uri: Option<&str>,
        verifier: Option<&str>,
        now: i64,
    ) -> Result<Redeemed, &'static str> {
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
        if now - c.issued_ms >= CODE_TTL_MS {
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
    pub(crate) fn add_access(&mut self, token: String, grant: Uuid, expires_at_ms: i64) {
        self.access.insert(
            token,
            Access {
                grant,
                expires_at_ms,
            },
        );
    }

    /// Records a new refresh token of `grant`.
    pub(crate) fn add_refresh(&mut self, token: String, grant: Uuid, now: i64) {
        let r = Refresh {
            grant,
            issued_ms: now,
            rotated_ms: None,
        };
        self.refresh.insert(token, r);
    }

    /// Spends a refresh token: valid if issued to this client, not idle for
    /// 60 days, and either never used or first used within the grace
    /// period. The caller then issues the new pair.
    pub(crate) fn use_refresh(
        &mut self,
        token: &str,
        client_id: &str,
        now: i64,
    ) -> Result<Grant, &'static str> {
        let r = self.refresh.get_mut(token).ok_or("unknown refresh token")?;
        let grant = self
            .grants
            .get(&r.grant)
            .ok_or("authorization was revoked")?;
        if grant.client_id != client_id {
            return Err("refresh token issued to another client");
        }
        match r.rotated_ms {
            Some(first) if now - first >= REFRESH_GRACE_MS => {
                return Err("refresh token already used and its grace period is over");
            }
            Some(_) => {}
            None if now - r.issued_ms >= REFRESH_IDLE_MS => {
                return Err("refresh token expired after 60 days unused");
            }
            None => r.rotated_ms = Some(now),
        }
        Ok(grant.clone())
    }

    /// The grant and tenants of a bearer token.
    pub(crate) fn bearer(&self, token: &str, now: i64) -> Result<(Uuid, Vec<Uuid>), BearerError> {
        let a = self.access.get(token).ok_or(BearerError::Unknown)?;
        if a.expires_at_ms <= now {
            return Err(BearerError::Expired(a.expires_at_ms));
        }
        let g = self.grants.get(&a.grant).ok_or(BearerError::Unknown)?;
        Ok((g.id, g.connections.iter().map(|c| c.tenant_id).collect()))
    }

    /// Makes every access token issued so far expired.
    pub(crate) fn expire_access(&mut self, now: i64) {
        for a in self.access.values_mut() {
            a.expires_at_ms = a.expires_at_ms.min(now - 1);
        }
    }

    /// Revokes what `token` (a refresh or an access token) belongs to, if it
    /// was issued to `client_id`. `custom` is the client-credentials grant:
    /// only its one access token goes.
    pub(crate) fn revoke(&mut self, token: &str, client_id: &str, custom: Uuid) -> Revoked {
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
        if grant == custom {
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
    pub(crate) fn delete_connection(&mut self, grant: Uuid, id: Uuid) -> bool {
        let Some(g) = self.grants.get_mut(&grant) else {
            return false;
        };
        let before = g.connections.len();
        g.connections.retain(|c| c.id != id);
        g.connections.len() < before
    }

    /// Forgets expired codes, long-expired access tokens and dead refresh tokens.
    fn prune(&mut self, now: i64) {
        self.codes.retain(|_, c| now - c.issued_ms < CODE_TTL_MS);
        self.access
            .retain(|_, a| a.expires_at_ms > now - FORGET_ACCESS_MS);
        self.refresh.retain(|_, r| match r.rotated_ms {
            Some(first) => now - first < REFRESH_GRACE_MS,
            None => now - r.issued_ms < REFRESH_IDLE_MS,
        });
    }

    /// Prunes before an access token is added (keeps memory flat in long runs).
    pub(crate) fn tidy(&mut self, now: i64) {
        self.prune(now);
    }
}
