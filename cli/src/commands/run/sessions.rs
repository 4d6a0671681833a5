//! The open sessions of a worker, one per active connection, shared by the
//! loop that reads the connections and by the runs (local tasks, or the job
//! engine's jobs) that need one: a session's token and limits are reused by
//! every run of its connection in this process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tether_core::store::{Connection, ConnectionStatus, Store};
use tether_core::{Session, Vault};
use tether_store::SeaStore;

/// Why a connection has no session.
pub enum Unavailable {
    /// It needs a person (disconnected, re-authorisation): its jobs are dropped.
    Inactive(String),
    /// It could not be opened now (the provider or the database did not
    /// answer): its jobs are tried again.
    Failed(String),
}

/// Sessions by connection name; clones share them.
#[derive(Clone)]
pub struct Sessions {
    store: SeaStore,
    vault: Vault,
    open: Arc<Mutex<HashMap<String, Arc<Session>>>>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions").finish_non_exhaustive()
    }
}

impl Sessions {
    pub fn new(store: SeaStore, vault: Vault) -> Sessions {
        Sessions {
            store,
            vault,
            open: Arc::default(),
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Session>>> {
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The open session of `name`, if any.
    pub fn get(&self, name: &str) -> Option<Arc<Session>> {
        self.map().get(name).cloned()
    }

    /// Every open session.
    pub fn all(&self) -> Vec<(String, Arc<Session>)> {
        self.map()
            .iter()
            .map(|(name, s)| (name.clone(), s.clone()))
            .collect()
    }

    /// Forgets `name`'s session (disconnected, or its grant changed).
    pub fn remove(&self, name: &str) {
        self.map().remove(name);
    }

    /// Whether `connection` as saved now differs from its open session
    /// (a new grant, another API root): the session is opened again.
    pub fn stale(&self, connection: &Connection) -> bool {
        self.get(&connection.name).is_some_and(|s| {
            s.connection.grant != connection.grant || s.connection.base_url != connection.base_url
        })
    }

    /// Opens and authenticates a session for `connection` and keeps it.
    pub async fn open(&self, connection: Connection) -> tether_core::Result<Arc<Session>> {
        let name = connection.name.clone();
        let session = Session::open(connection, &self.vault, Arc::new(self.store.clone())).await?;
        session.authenticate().await?;
        let session = Arc::new(session);
        self.map().insert(name, session.clone());
        Ok(session)
    }

    /// The session of `name`, opened when this process has none yet (a job
    /// engine hands any connection's job to any worker).
    pub async fn get_or_open(&self, name: &str) -> Result<Arc<Session>, Unavailable> {
        if let Some(session) = self.get(name) {
            return Ok(session);
        }
        let connection = match self.store.connection(name).await {
            Ok(Some(c)) => c,
            Ok(None) => return Err(Unavailable::Inactive("no such connection".to_owned())),
            Err(e) => return Err(Unavailable::Failed(e.to_string())),
        };
        if connection.status != ConnectionStatus::Active {
            return Err(Unavailable::Inactive(connection.status.as_str().to_owned()));
        }
        self.open(connection)
            .await
            .map_err(|e| Unavailable::Failed(e.to_string()))
    }
}
