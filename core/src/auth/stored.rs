//! Tokens shared through the store: every process (and every connection)
//! that works with a grant uses the access token saved with it, and one of
//! them at a time refreshes it.
//!
//! A refresh is claimed on the grant's version first; the provider's answer
//! (a new access token and, for a rotating refresh token, the one to keep)
//! is saved by compare-and-swap on that version before the new access token
//! is used. A process that loses the claim waits for the winner's save and
//! uses its token. A crash between the provider's answer and the save loses
//! the rotated refresh token, but not the grant: the claim runs out (or, left
//! by a process of this machine that died, is taken over at once), and the
//! next refresh spends the previous refresh token, which the provider still
//! honours for a grace period.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Mutex;

use super::exchange::{Fresh, TokenClient};
use super::grant_store::{GrantId, GrantStatus, GrantStore, NewTokens, StoredGrant};
use super::oauth_http::OAuthHttp;
use super::{Grant, TokenSource};
use crate::lease::Holder;
use crate::{Endpoints, Error, ErrorKind, Result, Secret, Timestamp, Vault};

/// Refresh this long before the access token expires, or a quarter of its
/// lifetime before if that is shorter (a provider with short-lived tokens
/// is not asked for a new one on every call).
const REFRESH_MARGIN: Duration = Duration::from_secs(120);

/// How long a claim to refresh holds: longer than a token call can take.
const CLAIM_TTL: Duration = Duration::from_secs(60);

/// How often a process waiting for another's refresh looks again.
const WAIT_STEP: Duration = Duration::from_millis(100);

/// The token source of one grant, backed by the store.
pub struct StoredTokens {
    grant: GrantId,
    store: Arc<dyn GrantStore>,
    vault: Vault,
    endpoints: Endpoints,
    scopes: &'static [&'static str],
    /// Built by the first refresh: most sessions never refresh (another
    /// session of the grant does), and a client costs its root certificates.
    http: std::sync::OnceLock<OAuthHttp>,
    /// This source's name in claims: its process, so a claim left by a
    /// process that died on this machine is recognised.
    holder: Holder,
    claim: String,
    cached: Mutex<Cache>,
}

#[derive(Default)]
struct Cache {
    /// The token in use, the grant version it came with, and when it is to
    /// be refreshed.
    token: Option<(Secret, i64, Timestamp)>,
    /// A version whose access token the provider refused.
    refused: Option<i64>,
}

impl StoredTokens {
    /// The source for `grant`, refreshing against `endpoints`.
    pub fn new(
        grant: GrantId,
        store: Arc<dyn GrantStore>,
        vault: Vault,
        endpoints: Endpoints,
        scopes: &'static [&'static str],
    ) -> Result<Self> {
        let holder = Holder::this_process();
        Ok(StoredTokens {
            grant,
            store,
            vault,
            endpoints,
            scopes,
            http: std::sync::OnceLock::new(),
            claim: claim_name(&holder),
            holder,
            cached: Mutex::new(Cache::default()),
        })
    }

    /// Whether `claim` was left by a process on this machine that has died.
    fn died(&self, claim: &str) -> bool {
        let mut parts = claim.splitn(3, '|');
        let (Some(host), Some(pid), Some(token)) = (parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        let Ok(pid) = pid.parse() else {
            return false;
        };
        let claimant = Holder {
            token: token.to_owned(),
            host: host.to_owned(),
            pid,
        };
        claimant.is_dead_local_process(&self.holder)
    }

    /// The saved access token, if it is good for a while yet and not the one
    /// the provider refused.
    fn usable(
        &self,
        row: &StoredGrant,
        refused: Option<i64>,
    ) -> Result<Option<(Secret, Timestamp)>> {
        let Some((sealed, expires)) = &row.access else {
            return Ok(None);
        };
        let due = refresh_due(row.refreshed_at, *expires);
        if refused == Some(row.version) || !before(due) {
            return Ok(None);
        }
        Ok(Some((self.vault.open(sealed)?, due)))
    }

    /// Refreshes under a claim; `None` when another process holds the claim.
    async fn refresh(&self, row: &StoredGrant) -> Result<Option<(Secret, i64, Timestamp)>> {
        if !self
            .store
            .claim_refresh(self.grant, row.version, &self.claim, CLAIM_TTL)
            .await?
        {
            return Ok(None);
        }
        let grant: Grant = self.vault.open(&row.sealed)?;
        let http = match self.http.get() {
            Some(http) => http,
            None => {
                let built = OAuthHttp::new()?;
                self.http.get_or_init(|| built)
            }
        };
        let client = TokenClient {
            endpoints: &self.endpoints,
            scopes: self.scopes,
            http,
        };
        let fresh = match with_retries(|| client.tokens(&grant)).await {
            Ok(fresh) => fresh,
            Err(e) => {
                if e.kind() == ErrorKind::NeedsReauth {
                    self.store
                        .set_grant_status(self.grant, GrantStatus::NeedsReauth, Some(e.message()))
                        .await?;
                } else {
                    self.store.release_refresh(self.grant, &self.claim).await?;
                }
                return Err(e);
            }
        };
        let now = chrono::Utc::now();
        let expires = now + chrono::Duration::from_std(fresh.lifetime).unwrap_or_default();
        let tokens = NewTokens {
            sealed_grant: self.vault.seal(&grant.rotated(fresh.refresh.clone()))?,
            sealed_access: self.vault.seal(&fresh.access)?,
            expires_at: expires,
        };
        if !self
            .store
            .save_tokens(self.grant, row.version, &self.claim, &tokens)
            .await?
        {
            // Our claim ran out and another process refreshed meanwhile: its
            // tokens are the saved ones; ours are dropped unused.
            tracing::warn!(grant = %self.grant, "a slow token refresh was overtaken; using the saved token");
            return Ok(None);
        }
        tracing::debug!(grant = %self.grant, "access token refreshed and saved");
        Ok(Some((
            fresh.access,
            row.version + 1,
            refresh_due(Some(now), expires),
        )))
    }
}

#[async_trait]
impl TokenSource for StoredTokens {
    async fn token(&self) -> Result<Secret> {
        let mut cache = self.cached.lock().await;
        if let Some((token, _, due)) = &cache.token
            && before(*due)
        {
            return Ok(token.clone());
        }
        let waited_since = tokio::time::Instant::now();
        loop {
            let row = self.store.grant(self.grant).await?;
            if row.status != GrantStatus::Active {
                return Err(dead(&row));
            }
            if let Some((token, due)) = self.usable(&row, cache.refused)? {
                cache.token = Some((token.clone(), row.version, due));
                return Ok(token);
            }
            if let Some((token, version, due)) = self.refresh(&row).await? {
                cache.token = Some((token.clone(), version, due));
                return Ok(token);
            }
            if let Some(dead) = row.claimed_by.as_deref().filter(|c| self.died(c)) {
                tracing::info!(grant = %self.grant, "taking over the refresh claim of a process that died");
                self.store.release_refresh(self.grant, dead).await?;
                continue;
            }
            if waited_since.elapsed() > CLAIM_TTL * 2 {
                return Err(Error::transient(format!(
                    "waited {} s for another process to refresh grant {}",
                    waited_since.elapsed().as_secs(),
                    self.grant
                )));
            }
            tokio::time::sleep(WAIT_STEP).await;
        }
    }

    async fn invalidate(&self) {
        let mut cache = self.cached.lock().await;
        if let Some((_, version, _)) = cache.token.take() {
            cache.refused = Some(version);
        }
    }
}

/// A holder's name in a claim: `host|pid|token`.
fn claim_name(holder: &Holder) -> String {
    format!("{}|{}|{}", holder.host, holder.pid, holder.token)
}

/// When a token obtained at `obtained` (if known) and expiring at `expires`
/// is to be refreshed.
fn refresh_due(obtained: Option<Timestamp>, expires: Timestamp) -> Timestamp {
    let mut margin = chrono::Duration::from_std(REFRESH_MARGIN).unwrap_or_default();
    if let Some(obtained) = obtained {
        margin = margin.min((expires - obtained) / 4);
    }
    expires - margin
}

/// Whether `due` is still ahead.
fn before(due: Timestamp) -> bool {
    chrono::Utc::now() < due
}

/// The error for a grant that no longer gets tokens.
fn dead(row: &StoredGrant) -> Error {
    let why = row
        .status_reason
        .as_deref()
        .unwrap_or("refused by the provider");
    match row.status {
        GrantStatus::Revoked => Error::new(
            ErrorKind::NeedsReauth,
            "the grant was revoked (disconnected)",
        ),
        _ => Error::new(
            ErrorKind::NeedsReauth,
            format!("the grant needs a person to connect again: {why}"),
        ),
    }
}

/// Calls `fetch` again while it fails in a way that may pass.
async fn with_retries<F, Fut>(mut fetch: F) -> Result<Fresh>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Fresh>>,
{
    let mut delays = crate::http::RetryPolicy::default().backoff();
    loop {
        match fetch().await {
            Err(e) if e.kind().is_temporary() => match delays.next() {
                Some(delay) => tokio::time::sleep(delay).await,
                None => return Err(e),
            },
            other => return other,
        }
    }
}
