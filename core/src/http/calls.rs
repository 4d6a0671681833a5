//! The innermost layer: counts every request that reaches the wire, logs it
//! (method, path, status, time; never headers), and reads the whole body so a
//! connection dropped mid-body surfaces here, where the retry layer sees it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use async_trait::async_trait;
use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

/// Counters of one [`super::Api`]'s traffic, read by runs (API calls per
/// run) and by progress displays (retries as they happen).
#[derive(Debug, Default)]
pub struct ApiStats {
    calls: AtomicU64,
    throttled: AtomicU64,
    retries: AtomicU64,
    last_retry: std::sync::Mutex<Option<String>>,
}

impl ApiStats {
    /// Requests sent, retries included.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// 429 answers received.
    pub fn throttled(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }

    /// Requests sent again after a failure.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    /// Why the last retry happened (`HTTP 503`, `connection refused`, …).
    pub fn last_retry(&self) -> Option<String> {
        self.last_retry
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn count_retry(&self, reason: String) {
        self.retries.fetch_add(1, Ordering::Relaxed);
        *self.last_retry.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason);
    }
}

/// A request's second set of counters: those of the scoped [`super::Api`]
/// it was made through (one run's), beside the whole door's.
#[derive(Clone)]
pub(crate) struct CountAlso(pub(crate) std::sync::Arc<ApiStats>);

/// See the module docs.
pub struct CallLog {
    stats: std::sync::Arc<ApiStats>,
}

impl CallLog {
    /// Counts into `stats`.
    pub fn new(stats: std::sync::Arc<ApiStats>) -> Self {
        CallLog { stats }
    }
}

#[async_trait]
impl Middleware for CallLog {
    async fn handle(
        &self,
        req: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let method = req.method().clone();
        let path = req.url().path().to_owned();
        let started = Instant::now();
        let also = extensions.get::<CountAlso>().map(|c| c.0.clone());
        for stats in std::iter::once(&self.stats).chain(&also) {
            stats.calls.fetch_add(1, Ordering::Relaxed);
        }
        let response = next.run(req, extensions).await;
        let response = match response {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(%method, %path, error = %e, "request failed");
                return Err(e);
            }
        };
        let status = response.status();
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            for stats in std::iter::once(&self.stats).chain(&also) {
                stats.throttled.fetch_add(1, Ordering::Relaxed);
            }
        }
        let version = response.version();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        tracing::debug!(%method, %path, status = status.as_u16(), bytes = body.len(),
            elapsed_ms = started.elapsed().as_millis() as u64, "request");
        let mut rebuilt = http::Response::new(body);
        *rebuilt.status_mut() = status;
        *rebuilt.version_mut() = version;
        *rebuilt.headers_mut() = headers;
        Ok(Response::from(rebuilt))
    }
}
