//! The error every operation returns: which provider operation failed and why, in one line,
//! with its cause kept in `source()`. Generic over the provider's documented error body.

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::redirect::RedirectError;
use crate::retry::retry_after;
use crate::store::StoreError;
use crate::transport::TransportError;
use crate::{ConfigError, CredentialError, Drift, OperationSpec};
use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// What went wrong calling a provider. `E` is the provider's documented error body.
///
/// `Display` is one line naming the operation and the cause
/// (`wapio get_session: HTTP 404 not_found: Session not found`); `source()` is the cause
/// (a transport error without its URL, a decoding error, a credential error). Neither holds a
/// credential: bodies are shown as redacted snippets and URLs are never shown.
pub struct Error<E> {
    inner: Box<Inner<E>>,
}

struct Inner<E> {
    operation: Option<&'static OperationSpec>,
    kind: ErrorKind<E>,
    drift: Vec<Drift>,
}

/// Why an operation failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind<E> {
    /// The provider answered with its documented error body.
    Api(ApiError<E>),
    /// A status the spec does not document for the operation, or an error body that is not
    /// the documented JSON.
    UnexpectedResponse(RawResponse),
    /// A documented success whose body does not match the spec.
    InvalidResponse(InvalidResponse),
    /// No response arrived: the connection failed or timed out, or the body broke off.
    Transport(TransportError),
    /// The provider redirected to another origin (not followed: credentials stay with the
    /// provider), or redirected too often.
    Redirect(RedirectError),
    /// The request could not be built (a value that cannot be encoded).
    InvalidRequest(String),
    /// The credential cannot be used for this operation.
    Credential(CredentialError),
    /// The HTTP client could not be built.
    Config(ConfigError),
    /// The shared rate limiter's store failed and fails closed: nothing was sent.
    Store(StoreError),
}

/// A documented error body with the response it came in. `Debug` shows the body as a redacted
/// snippet: a provider may echo a credential in it.
#[non_exhaustive]
pub struct ApiError<E> {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers (`x-request-id`, `retry-after`, `x-ratelimit-*` …).
    pub headers: HeaderMap,
    /// The decoded body.
    pub body: E,
    /// The `code: message` the body holds, redacted, for `Display`.
    summary: String,
    /// The body, serialized and redacted, for `Debug`.
    snippet: String,
}

/// A response the spec does not describe, as received.
#[derive(Clone)]
#[non_exhaustive]
pub struct RawResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The raw body. It is never shown by `Display` or `Debug` (they show [`RawResponse::snippet`]).
    pub body: Bytes,
    snippet: String,
}

/// A documented success status whose body does not match the spec.
#[non_exhaustive]
pub struct InvalidResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The raw body. It is never shown by `Display` or `Debug`.
    pub body: Bytes,
    path: String,
    snippet: String,
    /// serde's message, with credential values removed.
    cause: String,
}

impl<E> Error<E> {
    pub(crate) fn new(kind: ErrorKind<E>) -> Self {
        Self { inner: Box::new(Inner { operation: None, kind, drift: Vec::new() }) }
    }

    pub(crate) fn with_drift(mut self, drift: Vec<Drift>) -> Self {
        self.inner.drift = drift;
        self
    }

    /// What the failing response showed that the spec does not describe: an undocumented
    /// status, another content type, a body that does not decode, unknown members of an error
    /// body.
    pub fn drift(&self) -> &[Drift] {
        &self.inner.drift
    }

    /// The error, attributed to `operation` (unless it already names one).
    pub(crate) fn at(mut self, operation: &'static OperationSpec) -> Self {
        self.inner.operation.get_or_insert(operation);
        self
    }

    /// A request that cannot be built; the message must not hold a secret.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidRequest(message.into()))
    }

    /// A request that reqwest could not build (its URL is left out: it may hold a credential).
    #[doc(hidden)]
    pub fn unbuildable(error: reqwest::Error) -> Self {
        Self::invalid_request(error.without_url().to_string())
    }

    /// A header parameter whose value cannot be sent in a header.
    #[doc(hidden)]
    pub fn invalid_header(_: reqwest::header::InvalidHeaderValue) -> Self {
        Self::invalid_request("a header parameter holds characters not allowed in a header")
    }

    /// A credential that cannot be used (or was not issued); the message must not hold a secret.
    pub fn credential(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Credential(CredentialError::new(message)))
    }

    /// Why the operation failed.
    pub fn kind(&self) -> &ErrorKind<E> {
        &self.inner.kind
    }

    /// Why the operation failed, by value.
    pub fn into_kind(self) -> ErrorKind<E> {
        self.inner.kind
    }

    /// The spec's `operationId` of the failed operation (`get_session`), when it is known.
    pub fn operation(&self) -> Option<&'static str> {
        self.inner.operation.map(|op| op.id)
    }

    /// The provider (`wapio`, `verloop-partner`, `woztell`), when the operation is known.
    pub fn provider(&self) -> Option<&'static str> {
        self.inner.operation.map(|op| op.provider)
    }

    /// The HTTP status, when a response arrived (a redirect that was not followed included).
    pub fn status(&self) -> Option<StatusCode> {
        match self.kind() {
            ErrorKind::Api(api) => Some(api.status),
            ErrorKind::UnexpectedResponse(raw) => Some(raw.status),
            ErrorKind::InvalidResponse(invalid) => Some(invalid.status),
            ErrorKind::Redirect(redirect) => Some(redirect.status()),
            _ => None,
        }
    }

    /// The response headers, when a response arrived.
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self.kind() {
            ErrorKind::Api(api) => Some(&api.headers),
            ErrorKind::UnexpectedResponse(raw) => Some(&raw.headers),
            ErrorKind::InvalidResponse(invalid) => Some(&invalid.headers),
            _ => None,
        }
    }

    /// The rate-limit and request-id headers and the drift findings, when a response arrived.
    pub fn meta(&self) -> Option<crate::ResponseMeta> {
        self.headers().map(|headers| crate::ResponseMeta::from_headers(headers).with_drift(self.inner.drift.clone()))
    }

    /// The documented error body, when the provider sent one.
    pub fn body(&self) -> Option<&E> {
        match self.kind() {
            ErrorKind::Api(api) => Some(&api.body),
            _ => None,
        }
    }

    /// Whether no response arrived in time (connecting or waiting for the answer).
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind(), ErrorKind::Transport(transport) if transport.is_timeout())
    }

    /// Whether no connection could be made (refused, DNS, TLS, connect timeout): the request
    /// cannot have reached the provider.
    pub fn is_connect(&self) -> bool {
        matches!(self.kind(), ErrorKind::Transport(transport) if transport.is_connect())
    }

    /// Whether the provider refused the call for its rate limit (HTTP 429).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// Whether the client's retry policy retries such a failure: a failed connection or a 429
    /// always; a timeout, a broken response or a 500/502/503/504 when the operation is safe to
    /// repeat (an idempotent method, or an idempotency key).
    pub fn is_retryable(&self) -> bool {
        let safe_to_repeat = self.inner.operation.is_some_and(OperationSpec::is_safe_to_repeat);
        match self.kind() {
            ErrorKind::Transport(transport) => transport.is_connect() || safe_to_repeat,
            _ => self.status().is_some_and(|status| crate::retry::is_retryable(status, safe_to_repeat)),
        }
    }

    /// How long the provider asked to wait (`Retry-After`), when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.headers().and_then(|headers| retry_after(headers, SystemTime::now()))
    }
}

impl<E> ApiError<E> {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, body: E, summary: String, snippet: String) -> Self {
        Self { status, headers, body, summary, snippet }
    }
}

impl RawResponse {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, body: Bytes, snippet: String) -> Self {
        Self { status, headers, body, snippet }
    }

    /// The start of the body (at most 512 bytes), with credentials and secret-looking members
    /// redacted: what `Display` shows.
    pub fn snippet(&self) -> &str {
        &self.snippet
    }
}

impl InvalidResponse {
    pub(crate) fn new(
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        path: String,
        snippet: String,
        message: String,
    ) -> Self {
        Self { status, headers, body, path, snippet, cause: message }
    }

    /// The JSON pointer where decoding failed (`/data/3/status`; empty for the whole body).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The start of the body (at most 512 bytes), redacted.
    pub fn snippet(&self) -> &str {
        &self.snippet
    }

    /// Why the body did not decode there (serde's message).
    pub fn cause(&self) -> &str {
        &self.cause
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(operation) = self.inner.operation {
            write!(f, "{} {}: ", operation.provider, operation.id)?;
        }
        match self.kind() {
            ErrorKind::Api(api) => {
                write!(f, "HTTP {}", api.status.as_u16())?;
                if api.summary.is_empty() {
                    write!(f, " {}", api.status.canonical_reason().unwrap_or("error"))
                } else {
                    write!(f, " {}", api.summary)
                }
            }
            ErrorKind::UnexpectedResponse(raw) => {
                write!(f, "unexpected HTTP {}", raw.status)?;
                if !raw.snippet.is_empty() {
                    write!(f, ": {}", raw.snippet)?;
                }
                Ok(())
            }
            ErrorKind::InvalidResponse(invalid) => {
                let at = if invalid.path.is_empty() { "/" } else { &invalid.path };
                write!(f, "HTTP {} body does not match the spec at {at}: {}", invalid.status.as_u16(), invalid.cause)
            }
            ErrorKind::Transport(transport) => write!(f, "{transport}"),
            ErrorKind::Redirect(redirect) => write!(f, "{redirect}"),
            ErrorKind::InvalidRequest(message) => write!(f, "invalid request: {message}"),
            ErrorKind::Credential(error) => write!(f, "credential error: {error}"),
            ErrorKind::Config(error) => write!(f, "{error}"),
            ErrorKind::Store(error) => write!(f, "{error}; nothing sent"),
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error").field("operation", &self.operation()).field("kind", self.kind()).finish()
    }
}

/// `source()` is the cause below what `Display` already says, so that a chain printed by
/// `anyhow` (`{:#}`) or a logger repeats nothing: for a transport error, reqwest's error (without
/// its URL) and everything below it. Every other kind's cause is in the message itself.
impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.kind() {
            ErrorKind::Transport(transport) => transport.source(),
            _ => None,
        }
    }
}

impl<E> fmt::Debug for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("summary", &self.summary)
            .field("body", &self.snippet)
            .finish()
    }
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("snippet", &self.snippet)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for InvalidResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InvalidResponse")
            .field("status", &self.status)
            .field("path", &self.path)
            .field("cause", &self.cause)
            .field("snippet", &self.snippet)
            .finish_non_exhaustive()
    }
}

impl<E> From<ConfigError> for Error<E> {
    fn from(error: ConfigError) -> Self {
        Self::new(ErrorKind::Config(error))
    }
}

impl<E> From<CredentialError> for Error<E> {
    fn from(error: CredentialError) -> Self {
        Self::new(ErrorKind::Credential(error))
    }
}

/// What a provider's documented error body says, for `Display`: its machine-readable code and
/// its human-readable message, read from the members the spec names (`x-error-code`,
/// `x-error-message` on the error schema). `cargo xtask regen` implements it for every documented
/// error schema; a caller reads the body's typed fields instead.
pub trait ErrorBody {
    /// The provider's code for the failure (`validation_error`), when the body carries one.
    fn code(&self) -> Option<&str>;
    /// The provider's human-readable message (`Session not found`), when the body carries one.
    fn message(&self) -> Option<&str>;
}

/// An error body the spec does not describe: it names no code or message.
impl ErrorBody for serde_json::Value {
    fn code(&self) -> Option<&str> {
        None
    }

    fn message(&self) -> Option<&str> {
        None
    }
}

/// `code: message` from a documented error body, for `Display`, on one line.
pub(crate) fn summarize<E: ErrorBody>(body: &E) -> String {
    let one_line = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let code = body.code().map(one_line).filter(|code| !code.is_empty());
    let message = body.message().map(one_line).filter(|message| !message.is_empty());
    match (code, message) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(text), None) | (None, Some(text)) => text,
        (None, None) => String::new(),
    }
}
