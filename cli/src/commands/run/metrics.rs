//! What `tether run --listen ADDR` serves: `GET /healthz` ("ok" while the
//! loop runs) and `GET /metrics` (the OpenMetrics text format Prometheus
//! scrapes, written by `prometheus-client`).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use tether_core::Session;

type Labels = Vec<(&'static str, String)>;

/// The worker's metrics; clones share the same values.
#[derive(Clone, Default)]
pub struct Metrics {
    /// `tether_runs_total{provider, kind, type, outcome}`: runs as the run history records them.
    pub runs: Family<Labels, Counter>,
    /// `tether_records_changed_total{provider, kind}`: records stored, deleted or written.
    pub records_changed: Family<Labels, Counter>,
    /// `tether_api_calls_total{provider}`.
    pub api_calls: Family<Labels, Counter>,
    /// `tether_api_throttled_total{provider}`: answers 429.
    pub api_throttled: Family<Labels, Counter>,
    /// `tether_lag_seconds{connection}`: now − the oldest cursor of its kinds.
    pub lag: Family<Labels, Gauge<f64, AtomicU64>>,
    /// `tether_conflicts_pending{connection}`.
    pub conflicts: Family<Labels, Gauge>,
    /// `tether_deletions_held{connection}`.
    pub held: Family<Labels, Gauge>,
    /// `tether_connections_needing_reauth`.
    pub needs_reauth: Gauge,
    /// `tether_runs_in_progress`.
    pub in_progress: Gauge,
    /// API calls and 429s per connection already counted.
    api_seen: Arc<Mutex<HashMap<String, (u64, u64)>>>,
}

impl Metrics {
    /// Adds `session`'s API calls and 429s since the last look (after each
    /// job: only its own connection's session, not every open one).
    pub fn count_api_calls(&self, session: &Session) {
        let (calls, throttled, seen) = {
            let mut api_seen = self
                .api_seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // Read under the lock: two jobs of one connection ending
            // together count each call once.
            let stats = session.api.stats();
            let (calls, throttled) = (stats.calls(), stats.throttled());
            let seen = api_seen.entry(session.connection.name.clone()).or_default();
            (
                calls,
                throttled,
                std::mem::replace(seen, (calls, throttled)),
            )
        };
        let label = vec![("provider", session.connection.provider.clone())];
        self.api_calls
            .get_or_create(&label)
            .inc_by(calls.saturating_sub(seen.0));
        self.api_throttled
            .get_or_create(&label)
            .inc_by(throttled.saturating_sub(seen.1));
    }

    fn registry(&self) -> Registry {
        let mut r = Registry::default();
        r.register(
            "tether_runs",
            "Runs ended, by provider, kind, type and outcome",
            self.runs.clone(),
        );
        r.register(
            "tether_records_changed",
            "Records stored, marked deleted or written at the provider",
            self.records_changed.clone(),
        );
        r.register(
            "tether_api_calls",
            "HTTP requests sent to the provider, retries included",
            self.api_calls.clone(),
        );
        r.register(
            "tether_api_throttled",
            "Answers 429 (rate limited) from the provider",
            self.api_throttled.clone(),
        );
        r.register(
            "tether_lag_seconds",
            "Now minus the oldest cursor of the connection's kinds",
            self.lag.clone(),
        );
        r.register(
            "tether_conflicts_pending",
            "Local edits in conflict with the provider",
            self.conflicts.clone(),
        );
        r.register(
            "tether_deletions_held",
            "Deletions waiting for a person to confirm them",
            self.held.clone(),
        );
        r.register(
            "tether_connections_needing_reauth",
            "Connections that need `tether connect` again",
            self.needs_reauth.clone(),
        );
        r.register(
            "tether_runs_in_progress",
            "Runs going on now",
            self.in_progress.clone(),
        );
        r
    }
}

/// The served state: the registry and whether the loop still runs.
struct Served {
    registry: Registry,
    running: Arc<AtomicBool>,
}

/// Binds `addr`, says where on standard output, and serves until the
/// process ends.
pub async fn serve(
    addr: &str,
    metrics: &Metrics,
    running: Arc<AtomicBool>,
) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    let bound = listener.local_addr()?;
    let state = Arc::new(Served {
        registry: metrics.registry(),
        running,
    });
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(scrape))
        .with_state(state);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the metrics server stopped");
        }
    });
    Ok(bound)
}

async fn healthz(State(s): State<Arc<Served>>) -> impl IntoResponse {
    if s.running.load(Ordering::Relaxed) {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "stopping")
    }
}

async fn scrape(State(s): State<Arc<Served>>) -> impl IntoResponse {
    let mut body = String::new();
    if let Err(e) = encode(&mut body, &s.registry) {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/plain")],
            e.to_string(),
        );
    }
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
}
