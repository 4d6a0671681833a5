//! Starting and stopping a simulator: serve its router on a killable
//! listener, and hand back a [`SimHandle`] that tests and the sandbox use
//! to read its counters, switch faults, move its clock, change and read
//! its data, and stop it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::SimFaults;
use crate::conn::{ConnKill, SimListener};
use crate::provider::Provider;
use crate::server::{self, SimState};
use crate::stats::SimStats;

/// Stops the server when the last handle sharing it is dropped.
struct Stopper(Mutex<Option<oneshot::Sender<()>>>);

impl Stopper {
    fn stop(&self) {
        if let Some(tx) = self.0.lock().ok().and_then(|mut s| s.take()) {
            let _ = tx.send(());
        }
    }
}

impl Drop for Stopper {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A running simulator; dropping it (or [`shutdown`](Self::shutdown)) stops
/// it. A [`tenant_view`](Self::tenant_view) shares the server: it stops
/// when the last handle is dropped.
pub struct SimHandle<P: Provider> {
    state: Arc<SimState<P>>,
    /// The tenant the data methods act on.
    view: P::Tenant,
    addr: SocketAddr,
    base_url: String,
    stopper: Arc<Stopper>,
    task: Option<JoinHandle<()>>,
}

/// Serves `state` on `listener` with the provider's `api` routes (behind
/// the guard), its `open` routes (OAuth and the like) and `fallback`.
pub fn serve<P: Provider>(
    state: Arc<SimState<P>>,
    listener: TcpListener,
    api: axum::Router<Arc<SimState<P>>>,
    open: axum::Router<Arc<SimState<P>>>,
    fallback: fn() -> axum::response::Response,
) -> std::io::Result<SimHandle<P>> {
    let local = listener.local_addr()?;
    let app = server::router(state.clone(), api, open, fallback);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let service = app.into_make_service_with_connect_info::<ConnKill>();
        let serve =
            axum::serve(SimListener(listener), service).with_graceful_shutdown(async move {
                let _ = rx.await;
            });
        if let Err(e) = serve.await {
            tracing::warn!(error = %e, "simulator stopped with an error");
        }
    });
    let view = state.default_tenant();
    Ok(SimHandle {
        state,
        view,
        addr: local,
        base_url: format!("http://{local}"),
        stopper: Arc::new(Stopper(Mutex::new(Some(tx)))),
        task: Some(task),
    })
}

impl<P: Provider> SimHandle<P> {
    /// `http://127.0.0.1:PORT`, the base of every path the simulator serves.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state (for a provider's own handle methods).
    pub fn state(&self) -> &Arc<SimState<P>> {
        &self.state
    }

    /// The web app's client id (it authenticates with its secret).
    pub fn client_id(&self) -> &str {
        &self.state.auth.client_id
    }

    /// The web app's client secret.
    pub fn client_secret(&self) -> &str {
        &self.state.auth.client_secret
    }

    /// The PKCE app's client id: no secret, so PKCE is required at the
    /// authorize endpoint and only the id is sent to the token endpoint.
    pub fn pkce_client_id(&self) -> &str {
        &self.state.auth.pkce_client_id
    }

    /// The tenant's id: the first tenant, or this view's.
    pub fn tenant_id(&self) -> P::Tenant {
        self.view.clone()
    }

    /// Every tenant's id, the first first.
    pub fn tenant_ids(&self) -> Vec<P::Tenant> {
        self.state.order.clone()
    }

    /// A handle on the same server whose data methods ([`corrupt`](Self::corrupt),
    /// [`snapshot`](Self::snapshot), [`tenant_id`](Self::tenant_id)) act on
    /// `tenant_id`, so tests can read and change each tenant.
    ///
    /// # Panics
    /// When the simulator serves no such tenant (a test's mistake).
    pub fn tenant_view(&self, tenant_id: P::Tenant) -> SimHandle<P> {
        assert!(
            self.state.tenants.contains_key(&tenant_id),
            "the simulator serves no tenant {tenant_id}"
        );
        SimHandle {
            state: self.state.clone(),
            view: tenant_id,
            addr: self.addr,
            base_url: self.base_url.clone(),
            stopper: self.stopper.clone(),
            task: None,
        }
    }

    /// Moves the clock the auth side reads forward by `by` (this simulator
    /// only): codes, access tokens, the refresh grace period and idle
    /// expiry see the time pass; the data's timestamps do not.
    pub fn advance_clock(&self, by: Duration) {
        self.state.auth.clock.advance(by);
    }

    /// Makes every access token issued so far expired (API calls with them
    /// get the provider's 401), to show expiry in the middle of a sync.
    pub fn expire_access_tokens(&self) {
        self.state.auth.expire_access_tokens();
    }

    /// The counters (same as `GET /_sim/stats`).
    pub fn stats(&self) -> SimStats {
        self.state.stats.snapshot()
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        self.state.stats.reset();
    }

    /// Replaces the fault settings (same as `POST /_sim/faults`).
    pub fn set_faults(&self, faults: SimFaults) {
        self.state.faults.set(faults, &self.state.limiter);
    }

    /// Replaces `field` of the stored object `id` of `kind` with `value`;
    /// false when there is no such object.
    pub fn corrupt(&self, kind: &str, id: &str, field: &str, value: Value) -> bool {
        self.state.corrupt(&self.view, kind, id, field, &value)
    }

    /// Every stored object of `kind` that exists, exactly as served.
    pub fn snapshot(&self, kind: &str) -> Vec<Value> {
        self.state.snapshot(&self.view, kind)
    }

    /// The id field of a kind's objects; empty for an unknown kind.
    pub fn id_field(kind: &str) -> &'static str {
        P::id_field(kind)
    }

    /// Stops the server (views included) and waits (up to 5 s) for it to
    /// finish; on a view, only drops it.
    pub async fn shutdown(mut self) {
        let Some(task) = self.task.take() else {
            return;
        };
        self.stopper.stop();
        let abort = task.abort_handle();
        if tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .is_err()
        {
            abort.abort();
        }
    }
}
