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
    /// The provider does not know the tenant or object.
    NotFound,
    /// The provider's object moved on since the version we based a write on.
    Conflict,
    /// Input (provider JSON, a local object, a CLI argument) is not what was expected.
    Invalid,
    /// A failure that may pass: 5xx, dropped connection, timeout. The HTTP
    /// layer has already retried it by the time a caller sees it.
    Transient,
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
            ErrorKind::NotFound => "not found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Transient => "transient failure",
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
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {message}")]
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
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        let kind = if e.is_timeout() || e.is_connect() || e.is_request() || e.is_body() {
            ErrorKind::Transient
        } else if e.is_decode() {
            ErrorKind::Invalid
        } else {
            ErrorKind::Permanent
        };
        Error::new(kind, format!("HTTP: {e}")).with_source(e)
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
    fn middleware_errors_keep_their_kind() {
        let inner = Error::new(ErrorKind::RateLimited, "day budget spent");
        let wrapped = reqwest_middleware::Error::Middleware(inner.into());
        let back: Error = wrapped.into();
        assert_eq!(back.kind(), ErrorKind::RateLimited);
        assert_eq!(back.message(), "day budget spent");
    }
}
