//! The open sessions of a worker, shared by the loop and by the runs (local
//! tasks, or the job engine's jobs): a session's token and limits are
//! reused by every run of its connection in this process.
//!
//! A session is opened when the first job of its connection runs here, not
//! when the worker starts: a worker over thousands of connections works at
//! once, and one that never runs a connection's job (another worker does)
//! never pays for its session. Two jobs of one connection that start
//! together open it once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tether_core::store::{Connection, ConnectionStatus, Store};
use tether_core::{Session, Vault};
use tether_store::SeaStore;
use tokio::sync::OnceCell;

/// Why a connection has no session.
pub enum Unavailable {
    /// It needs a person (disconnected, re-authorisation): its jobs are dropped.
    Inactive(String),
    /// It could not be opened now (the provider or the database did not
    /// answer): its jobs are tried again.
    Failed(String),
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unavailable::Inactive(why) => write!(f, "the connection is not active: {why}"),
            Unavailable::Failed(why) => f.write_str(why),
        }
    }
}

/// A connection's session, or the opening of it under way.
type Slot = Arc<OnceCell<Arc<Session>>>;

/// Sessions by connection name; clones share them.
#[derive(Clone)]
pub struct Sessions {
    store: SeaStore,
    vault: Vault,
    /// One HTTP client for every session of the process.
    http: tether_core::http::HttpClient,
    open: Arc<Mutex<HashMap<String, Slot>>>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions").finish_non_exhaustive()
    }
}

impl Sessions {
    pub fn new(store: SeaStore, vault: Vault) -> tether_core::Result<Sessions> {
        Ok(Sessions {
            store,
            vault,
            http: Session::http_client()?,
            open: Arc::default(),
        })
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slot>> {
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The open session of `name`, if any.
    pub fn get(&self, name: &str) -> Option<Arc<Session>> {
        self.map().get(name).and_then(|slot| slot.get().cloned())
    }

    /// Forgets `name`'s session (disconnected, or its grant changed).
    pub fn remove(&self, name: &str) {
        self.map().remove(name);
    }

    /// Whether `connection` as saved now differs from its open session
    /// (a new grant, another API root): the session is opened again.
    pub fn stale(&self, connection: &Connection) -> bool {
        self.get(&connection.name).is_some_and(|s| {
            s.connection.id != connection.id
                || s.connection.grant != connection.grant
                || s.connection.base_url != connection.base_url
        })
    }

    /// The session of `name`, opened (and its token fetched) when this
    /// process has none yet.
    pub async fn get_or_open(&self, name: &str) -> Result<Arc<Session>, Unavailable> {
        let slot = self.map().entry(name.to_owned()).or_default().clone();
        slot.get_or_try_init(|| self.open(name)).await.cloned()
    }

    async fn open(&self, name: &str) -> Result<Arc<Session>, Unavailable> {
        let connection = match self.store.connection(name).await {
            Ok(Some(c)) => c,
            Ok(None) => return Err(Unavailable::Inactive("no such connection".to_owned())),
            Err(e) => return Err(Unavailable::Failed(e.to_string())),
        };
        if connection.status != ConnectionStatus::Active {
            return Err(Unavailable::Inactive(connection.status.as_str().to_owned()));
        }
        let grants = Arc::new(self.store.clone());
        let session =
            Session::open_sharing(connection, &self.vault, grants, Some(self.http.clone()))
                .await
                .map_err(|e| Unavailable::Failed(e.to_string()))?;
        session
            .authenticate()
            .await
            .map_err(|e| Unavailable::Failed(e.to_string()))?;
        Ok(Arc::new(session))
    }
}

#[cfg(test)]
mod tests {
    /// The resident set now, in KiB (Linux).
    fn rss_kib() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    /// What the two HTTP clients a session builds (its API's and its token
    /// source's) cost in memory, 1,000 sessions' worth:
    /// `cargo test -p tether-cli --bin tether http_clients -- --ignored --nocapture`.
    #[test]
    #[ignore = "a measurement, not a check"]
    fn http_clients_of_a_thousand_sessions() {
        let before = rss_kib();
        let started = std::time::Instant::now();
        let clients: Vec<reqwest::Client> = (0..2000)
            .map(|_| {
                reqwest::Client::builder()
                    .timeout(std::time::Duration::from_secs(60))
                    .build()
                    .unwrap()
            })
            .collect();
        let after = rss_kib();
        eprintln!(
            "2,000 clients: {} KiB ({} KiB each), built in {:.1?}",
            after.saturating_sub(before),
            after.saturating_sub(before) / 2000,
            started.elapsed()
        );
        drop(clients);
    }
}
