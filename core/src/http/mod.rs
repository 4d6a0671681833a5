//! The HTTP seam every connector calls through. Rate limiting, retries, auth
//! and request logging are written once here, each as one middleware over
//! `reqwest-middleware`, so a connector only builds requests and reads bodies.
//!
//! The stack, outermost first: [`RetryLayer`] → [`RateLimitLayer`] →
//! [`BearerAuthLayer`] → [`CallLog`]. Every attempt therefore waits its turn
//! at the limiter, carries a fresh token, and is counted as one API call.
//! The limiter spends the tenant's [`CallBudget`]: the store's when the
//! `Api` was built for a session over one (shared by every process), else
//! a [`MemoryBudget`] of its own.

mod auth;
mod budget;
mod calls;
mod date;
mod limit;
mod memory_budget;
mod retry;

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware, RequestBuilder};

use crate::RateLimitPolicy;
use crate::auth::TokenSource;

pub use auth::BearerAuthLayer;
pub use budget::{
    Begun, BudgetKey, CallBudget, DAY_MS, POLL, Reservation, Verdict, WINDOW_MARGIN, app_policy,
    batch_policy, day_limit, day_spent, until_leaves, verdict, window_ms,
};
use calls::CountAlso;
pub use calls::{ApiStats, CallLog};
pub use date::provider_time;
pub use limit::{Batch, RateLimitLayer, TenantLimiter};
pub use memory_budget::MemoryBudget;
/// The client the seam is built on, for callers sharing one between
/// sessions ([`crate::Session::open_sharing`]).
pub use reqwest::Client as HttpClient;
pub use retry::{RetryLayer, RetryPolicy};

/// A connection's door to its provider: the middleware stack, the API root
/// and the tenant. Cheap to clone; clones share limits and counters.
#[derive(Clone)]
pub struct Api {
    client: ClientWithMiddleware,
    base: Arc<str>,
    tenant: Option<Arc<str>>,
    stats: Arc<ApiStats>,
    /// Whether `stats` are this clone's own (see [`Api::scoped`]).
    scoped: bool,
}

impl Api {
    /// Starts a request; `path` is joined to the API root unless it is an absolute URL.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self.client.request(method, self.url(path));
        if self.scoped {
            request.with_extension(CountAlso(self.stats.clone()))
        } else {
            request
        }
    }

    /// The same door, limits and all, with counters of its own: what one
    /// run made through it, when several runs of a connection share it at
    /// once. The door's own counters still count every call.
    pub fn scoped(&self) -> Api {
        Api {
            stats: Arc::new(ApiStats::default()),
            scoped: true,
            ..self.clone()
        }
    }

    /// A `GET` request (see [`Api::request`]).
    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    /// The URL a path resolves to.
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!(
                "{}/{}",
                self.base.trim_end_matches('/'),
                path.trim_start_matches('/')
            )
        }
    }

    /// The tenant every call is for, when the provider has tenants.
    pub fn tenant_id(&self) -> Option<&str> {
        self.tenant.as_deref()
    }

    /// Counters of the calls made through this door.
    pub fn stats(&self) -> &ApiStats {
        &self.stats
    }

    /// The same counters, to watch from another task (a progress display).
    pub fn stats_handle(&self) -> Arc<ApiStats> {
        self.stats.clone()
    }
}

/// Assembles an [`Api`]: one per connection, so each tenant has its own limits.
pub struct ApiBuilder {
    base: String,
    tenant: Option<String>,
    tokens: Option<Arc<dyn TokenSource>>,
    limits: RateLimitPolicy,
    budget_header: Option<&'static str>,
    retry: RetryPolicy,
    timeout: Duration,
    http: Option<reqwest::Client>,
    budget: Option<(Arc<dyn CallBudget>, BudgetKey)>,
    app: Option<BudgetKey>,
}

/// How long past the request timeout a call's reservation outlives a
/// process that died during the call.
const RESERVATION_MARGIN: Duration = Duration::from_secs(30);

impl ApiBuilder {
    /// Starts a builder for the API rooted at `base`, kept to `limits`.
    pub fn new(base: impl Into<String>, limits: RateLimitPolicy) -> Self {
        ApiBuilder {
            base: base.into(),
            tenant: None,
            tokens: None,
            limits,
            budget_header: None,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(60),
            http: None,
            budget: None,
            app: None,
        }
    }

    /// The tenant the calls are for.
    pub fn tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = Some(tenant.into());
        self
    }

    /// Where bearer tokens come from; without one, requests go unauthenticated.
    pub fn tokens(mut self, tokens: Arc<dyn TokenSource>) -> Self {
        self.tokens = Some(tokens);
        self
    }

    /// The response header carrying the provider's remaining daily budget.
    pub fn budget_header(mut self, header: Option<&'static str>) -> Self {
        self.budget_header = header;
        self
    }

    /// How failed calls are retried.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// A shared reqwest client (connection pool) to build on; its timeout
    /// must not exceed `timeout` (60 s unless set).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The longest a request may take (the default client's timeout, and
    /// what a call's reservation in the budget outlives).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Spends `key`'s share of `budget`, which other `Api`s and processes
    /// may share; without one, the `Api` keeps its limits on its own.
    pub fn budget(mut self, budget: Arc<dyn CallBudget>, key: BudgetKey) -> Self {
        self.budget = Some((budget, key));
        self
    }

    /// Also spends `key`'s share of the budget, the app's across its
    /// tenants, when the limits have an app limit and a budget is shared.
    pub fn app(mut self, key: BudgetKey) -> Self {
        self.app = Some(key);
        self
    }

    /// Builds the stack.
    pub fn build(self) -> crate::Result<Api> {
        let http = match self.http {
            Some(http) => http,
            None => default_http_client(self.timeout)?,
        };
        let stats = Arc::new(ApiStats::default());
        let limiter = Arc::new(match self.budget {
            Some((budget, key)) => TenantLimiter::shared(
                self.limits,
                self.budget_header,
                budget,
                key,
                self.app,
                self.timeout + RESERVATION_MARGIN,
            ),
            None => TenantLimiter::new(self.limits, self.budget_header),
        });
        let mut builder = ClientBuilder::new(http)
            .with(RetryLayer::new(self.retry, stats.clone()))
            .with(RateLimitLayer::new(limiter));
        if let Some(tokens) = self.tokens {
            builder = builder.with(BearerAuthLayer::new(tokens));
        }
        let client = builder.with(CallLog::new(stats.clone())).build();
        Ok(Api {
            client,
            base: self.base.into(),
            tenant: self.tenant.map(Into::into),
            stats,
            scoped: false,
        })
    }
}

/// The reqwest client Tether uses: rustls, a request timeout, our user agent.
pub fn default_http_client(timeout: Duration) -> crate::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("tether/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| crate::Error::config(format!("building the HTTP client: {e}")))
}
