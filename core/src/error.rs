//! One error taxonomy for the whole engine: the retry layer and the lifecycle
//! look at nothing but [`ErrorKind`].

use std::time::Duration;

/// Shorthand used across core, connectors and stores.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of failure happened, which decides whether it is worth retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The provider said to slow down (HTTP 429) or a local budget ran out.
    RateLimited,
    /// Credentials were refused or expired and could not be refreshed.
    Unauthorized,
    /// The grant is dead (revoked, expired, its refresh token spent): only
    /// a person connecting again brings it back.
    NeedsReauth,
    /// The provider does not know the tenant or object.
    NotFound,
    /// The provider's object moved on since the version we based a write on.
    Conflict,
    /// Input (provider JSON, a local object, a CLI argument) is not what was expected.
    Invalid,
    /// A failure that may pass: 5xx, dropped connection, timeout. The HTTP
    /// layer has already retried it by the time a caller sees it.
    Transient,
    /// The server could not be reached at all: connection refused, a name
    /// that does not resolve, a TLS handshake that fails. Waiting rarely
    /// helps; a person checks the URL, the network or the server.
    Unreachable,
    /// The provider answered but its body could not be read (truncated, not
    /// the expected JSON); asking again usually helps.
    Malformed,
    /// The database refused or failed.
    Store,
    /// Configuration is missing or wrong (unknown connection, bad key).
    Config,
    /// Anything the provider refused for good.
    Permanent,
    /// Stopped on request (Ctrl-C, SIGTERM); what was committed stays and
    /// the next run resumes from it.
    Cancelled,
}

impl ErrorKind {
    /// Whether every other kind of the same run would fail the same way (no
    /// provider, no credentials), so the run stops rather than say it again.
    pub fn ends_the_run(self) -> bool {
        matches!(
            self,
            ErrorKind::Unreachable | ErrorKind::Unauthorized | ErrorKind::NeedsReauth
        )
    }

    /// Whether trying again later may succeed.
    pub fn is_temporary(self) -> bool {
        matches!(
            self,
            ErrorKind::Transient | ErrorKind::Malformed | ErrorKind::RateLimited
        )
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::NeedsReauth => "needs re-authorisation",
            ErrorKind::NotFound => "not found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Transient => "transient failure",
            ErrorKind::Unreachable => "unreachable",
            ErrorKind::Malformed => "malformed response",
            ErrorKind::Store => "store error",
            ErrorKind::Config => "configuration error",
            ErrorKind::Permanent => "refused",
            ErrorKind::Cancelled => "interrupted",
        };
        f.write_str(name)
    }
}

/// An engine error: a kind to act on, a message for people, and the cause.
///
/// It displays as its message alone: the message says what failed, with its
/// cause, in words a person can act on; the kind is for code to act on.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
    retry_after: Option<Duration>,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// A new error of `kind`; the message should name the object and field involved.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            retry_after: None,
            source: None,
        }
    }

    /// Keeps the underlying cause for `{:#}`-style reporting.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Records how long the provider asked us to wait.
    pub fn with_retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The provider's requested wait, when it gave one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The human message without the kind prefix.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Shorthand for [`ErrorKind::Invalid`].
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Invalid, message)
    }

    /// Shorthand for [`ErrorKind::Transient`].
    pub fn transient(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Transient, message)
    }

    /// Shorthand for [`ErrorKind::Config`].
    pub fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config, message)
    }

    /// Wraps a database failure.
    pub fn store(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::new(ErrorKind::Store, source.to_string()).with_source(source)
    }

    /// Every cause under this error, each said once: causes whose text an
    /// outer message already carries (as most libraries' messages carry
    /// their sources') are left out. For logs and for people.
    pub fn report(error: &(dyn std::error::Error + 'static)) -> String {
        let mut said = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            if !text.is_empty() && !said.contains(&text) {
                said.push_str(": ");
                said.push_str(&text);
            }
            source = cause.source();
        }
        said
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        let (kind, cause) = transport_cause(&e);
        let what = match e.url() {
            Some(url) => format!("{}{}", url.origin().ascii_serialization(), url.path()),
            None => "the request".to_owned(),
        };
        Error::new(kind, format!("{what}: {cause}")).with_source(e)
    }
}

/// What went wrong under a failed HTTP call, said the way a person checks
/// it, and whether it is worth waiting for: the innermost cause (`connection
/// refused`, a DNS answer, a TLS complaint) rather than reqwest's "error
/// sending request".
pub(crate) fn transport_cause(e: &reqwest::Error) -> (ErrorKind, String) {
    use std::error::Error as _;
    if e.is_timeout() {
        return (
            ErrorKind::Transient,
            "no answer in time (timed out)".to_owned(),
        );
    }
    if e.is_decode() {
        return (
            ErrorKind::Invalid,
            format!("the answer could not be read: {e}"),
        );
    }
    let mut innermost = e.to_string();
    let mut io_kind = None;
    let mut source = e.source();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            io_kind = Some(io.kind());
        }
        innermost = cause.to_string();
        source = cause.source();
    }
    let text = innermost.to_ascii_lowercase();
    use std::io::ErrorKind as Io;
    match io_kind {
        Some(Io::ConnectionRefused) => (
            ErrorKind::Unreachable,
            "connection refused (is the server running, and is the URL right?)".to_owned(),
        ),
        _ if text.contains("lookup") || text.contains("dns") || text.contains("resolve") => (
            ErrorKind::Unreachable,
            format!("the host name does not resolve ({innermost})"),
        ),
        _ if text.contains("certificate") || text.contains("tls") || text.contains("handshake") => {
            (
                ErrorKind::Unreachable,
                format!("the TLS handshake failed ({innermost})"),
            )
        }
        Some(Io::TimedOut) => (
            ErrorKind::Transient,
            "no answer in time (timed out)".to_owned(),
        ),
        _ if e.is_connect() => (
            ErrorKind::Unreachable,
            format!("could not connect ({innermost})"),
        ),
        _ if e.is_request() || e.is_body() => (
            ErrorKind::Transient,
            format!("the connection failed mid-request ({innermost})"),
        ),
        _ => (ErrorKind::Permanent, innermost),
    }
}

impl From<Error> for reqwest_middleware::Error {
    fn from(e: Error) -> Self {
        reqwest_middleware::Error::middleware(e)
    }
}

impl From<reqwest_middleware::Error> for Error {
    fn from(e: reqwest_middleware::Error) -> Self {
        match e {
            reqwest_middleware::Error::Reqwest(e) => e.into(),
            reqwest_middleware::Error::Middleware(e) => match e.downcast::<Error>() {
                Ok(e) => e,
                Err(e) => Error::new(ErrorKind::Permanent, format!("{e:#}")),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transient_and_rate_limited_are_temporary() {
        assert!(ErrorKind::Transient.is_temporary());
        assert!(ErrorKind::RateLimited.is_temporary());
        assert!(!ErrorKind::Invalid.is_temporary());
        assert!(!ErrorKind::Unauthorized.is_temporary());
    }

    #[test]
    fn a_report_says_each_cause_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("disk full")]
        struct Inner;
        #[derive(Debug, thiserror::Error)]
        #[error("writing page 3: {0}")]
        struct Repeats(#[source] Inner);
        #[derive(Debug, thiserror::Error)]
        #[error("syncing invoices")]
        struct Adds(#[source] Repeats);
        assert_eq!(
            Error::report(&Adds(Repeats(Inner))),
            "syncing invoices: writing page 3: disk full"
        );
    }

    #[tokio::test]
    async fn a_refused_connection_is_said_plainly() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let e = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/connect/token?x=1"))
            .send()
            .await
            .expect_err("nothing listens");
        let e = Error::from(e);
        assert_eq!(e.kind(), ErrorKind::Unreachable);
        assert!(
            e.message().starts_with(&format!(
                "http://127.0.0.1:{port}/connect/token: connection refused"
            )),
            "{e}"
        );
    }

    #[test]
    fn middleware_errors_keep_their_kind() {
        let inner = Error::new(ErrorKind::RateLimited, "day budget spent");
        let wrapped = reqwest_middleware::Error::Middleware(inner.into());
        let back: Error = wrapped.into();
        assert_eq!(back.kind(), ErrorKind::RateLimited);
        assert_eq!(back.message(), "day budget spent");
    }
}
