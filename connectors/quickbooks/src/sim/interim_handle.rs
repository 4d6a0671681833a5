//! The handle tests and the CLI hold on a running simulator: where it is,
//! its app, its companies, and the levers of `/_sim` without HTTP.
//! Interim: to be replaced by `tether-sim-kit`'s `SimHandle` when it lands.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::entity::Entity;
use super::server::AppState;
use super::{SimFaults, SimStats};

/// A running simulator; dropping it (or [`shutdown`](Self::shutdown)) stops it.
pub struct SimHandle {
    pub(super) state: AppState,
    pub(super) addr: SocketAddr,
    pub(super) base_url: String,
    pub(super) stop: Mutex<Option<oneshot::Sender<()>>>,
    pub(super) task: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`, the base of every path (API, OAuth, `/_sim`).
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The registered app's client id.
    pub fn client_id(&self) -> &str {
        &self.state.auth.client_id
    }

    /// The registered app's client secret (sent with HTTP Basic).
    pub fn client_secret(&self) -> &str {
        &self.state.auth.client_secret
    }

    /// The first company's realm id.
    pub fn tenant_id(&self) -> String {
        self.state.companies[0].realm.clone()
    }

    /// Every company's realm id, the first first.
    pub fn tenant_ids(&self) -> Vec<String> {
        self.state
            .companies
            .iter()
            .map(|c| c.realm.clone())
            .collect()
    }

    /// An access token of the registered app for `realm`, as Intuit's OAuth
    /// Playground hands one to a developer (tests act as another user).
    ///
    /// # Panics
    /// When the simulator serves no such company (a test's mistake).
    pub fn playground_token(&self, realm: &str) -> String {
        let answer = super::auth::playground(&self.state, realm);
        let answer = answer.unwrap_or_else(|| panic!("the simulator serves no realm {realm}"));
        answer["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Every object of `kind` the first company holds (inactive and voided
    /// included, deleted excluded), as the API shows them, in `Id` order.
    pub fn snapshot(&self, kind: &str) -> Vec<serde_json::Value> {
        self.state.snapshot(&self.tenant_id(), kind)
    }

    /// Sets `field` (dotted for nested ones) of the first company's object
    /// `id` of Tether's kind `kind`, silently (no `SyncToken`, no time);
    /// false when there is no such object.
    pub fn corrupt(&self, kind: &str, id: &str, field: &str, value: serde_json::Value) -> bool {
        self.state
            .corrupt(&self.tenant_id(), kind, id, field, value)
    }

    /// The counters (as `GET /_sim/stats`).
    pub fn stats(&self) -> SimStats {
        self.state.stats.snapshot()
    }

    /// Replaces the fault settings (as `POST /_sim/faults`).
    pub fn set_faults(&self, faults: SimFaults) {
        self.state.faults.set(faults, &self.state.limiter);
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        self.state.stats.reset();
    }

    /// Moves the company clock forward: time stamps of later writes, the
    /// CDC window, code and token expiry all see the time pass.
    pub fn advance_clock(&self, by: Duration) {
        self.state.auth.clock.advance(by);
    }

    /// Makes every access token issued so far expired (401, code 3200).
    pub fn expire_access_tokens(&self) {
        self.state.auth.expire_access_tokens();
    }

    /// The id field of a kind: `Id` for every QuickBooks entity, empty for
    /// an unknown kind.
    pub fn id_field(kind: &str) -> &'static str {
        Entity::from_kind(kind).map_or("", |_| "Id")
    }

    fn stop(&self) {
        if let Some(tx) = self.stop.lock().ok().and_then(|mut s| s.take()) {
            let _ = tx.send(());
        }
    }

    /// Stops the server and waits (up to 5 s) for it to finish.
    pub async fn shutdown(mut self) {
        self.stop();
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.stop();
    }
}
