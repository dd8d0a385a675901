//! One error type for every Wapio call, with the documented error envelope typed.

use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use whatsapp_sdk_runtime::{ConfigError, CredentialError, RawBody};

use crate::types::{ErrorEnvelope, ReasonCode};

/// What can go wrong calling Wapio. No variant's `Display` or `Debug` holds a credential.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Wapio answered with its documented error envelope (401, 403, 404, 409, 422, 429, …).
    #[error("{0}")]
    Api(Box<ApiError>),
    /// A status the spec does not document for this operation, or an error body that is not the
    /// documented JSON envelope.
    #[error("unexpected HTTP {} from Wapio{}", .0.status, snippet(&.0.body))]
    UnexpectedResponse(Box<RawResponse>),
    /// A documented success status whose body does not match the spec.
    #[error("Wapio sent a response body that does not match the spec: {source}")]
    InvalidResponse {
        /// The raw body, as received.
        body: bytes::Bytes,
        /// Where decoding failed.
        source: serde_json::Error,
    },
    /// The request could not be sent or the response not read (connection, timeout, TLS).
    /// The URL is removed from the message.
    #[error("transport error talking to Wapio: {0}")]
    Transport(reqwest::Error),
    /// A required parameter was not set, or a value could not be encoded.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The credential cannot be used for this operation.
    #[error("credential error: {0}")]
    Credential(String),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// A response the spec does not describe, as received.
#[derive(Debug)]
pub struct RawResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The raw body.
    pub body: bytes::Bytes,
}

/// Wapio's error envelope with the response it came in.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers (`x-request-id`, `retry-after`, `x-ratelimit-*` …).
    pub headers: HeaderMap,
    /// The decoded envelope.
    pub envelope: ErrorEnvelope,
}

impl ApiError {
    /// The machine-readable reason (`rate_limited`, `validation_error`, …), when present.
    pub fn reason_code(&self) -> Option<&ReasonCode> {
        self.envelope.reason_code.as_ref()
    }

    /// The human-readable message, when present.
    pub fn message(&self) -> Option<&str> {
        self.envelope.message.as_deref()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Wapio API error: HTTP {}", self.status)?;
        if let Some(reason) = self.reason_code() {
            write!(f, " ({reason})")?;
        }
        if let Some(message) = self.message() {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

impl Error {
    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::UnexpectedResponse(raw) => Some(raw.status),
            Error::Transport(error) => error.status(),
            _ => None,
        }
    }

    /// The envelope's `reason_code`, for matching on documented failures.
    pub fn reason_code(&self) -> Option<&ReasonCode> {
        match self {
            Error::Api(api) => api.reason_code(),
            _ => None,
        }
    }

    /// The response headers, when a response arrived.
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Error::Api(api) => Some(&api.headers),
            Error::UnexpectedResponse(raw) => Some(&raw.headers),
            _ => None,
        }
    }

    /// Whether Wapio refused the call for its rate limit (HTTP 429 or `rate_limited`).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS) || self.reason_code() == Some(&ReasonCode::RateLimited)
    }
}

fn snippet(body: &[u8]) -> String {
    const LIMIT: usize = 200;
    if body.is_empty() {
        return String::new();
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(LIMIT)]);
    let ellipsis = if body.len() > LIMIT { "…" } else { "" };
    format!(": {}{ellipsis}", text.trim())
}

impl From<whatsapp_sdk_runtime::Error<ErrorEnvelope>> for Error {
    fn from(error: whatsapp_sdk_runtime::Error<ErrorEnvelope>) -> Self {
        use whatsapp_sdk_runtime::Error as Raw;
        match error {
            Raw::ErrorResponse(response) => {
                let (status, headers) = (response.status(), response.headers().clone());
                Error::Api(Box::new(ApiError { status, headers, envelope: response.into_inner() }))
            }
            other => from_untyped(other),
        }
    }
}

impl From<whatsapp_sdk_runtime::Error<()>> for Error {
    fn from(error: whatsapp_sdk_runtime::Error<()>) -> Self {
        from_untyped(error)
    }
}

impl From<CredentialError> for Error {
    fn from(error: CredentialError) -> Self {
        Error::Credential(error.to_string())
    }
}

fn from_untyped<E>(error: whatsapp_sdk_runtime::Error<E>) -> Error {
    use whatsapp_sdk_runtime::Error as Raw;
    match error {
        Raw::ErrorResponse(response) => Error::UnexpectedResponse(Box::new(RawResponse {
            status: response.status(),
            headers: response.headers().clone(),
            body: bytes::Bytes::new(),
        })),
        Raw::UnexpectedResponse(response) => Error::UnexpectedResponse(Box::new(RawResponse {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.extensions().get::<RawBody>().map(|raw| raw.0.clone()).unwrap_or_default(),
        })),
        Raw::InvalidResponsePayload(body, source) => Error::InvalidResponse { body, source },
        Raw::CommunicationError(e) | Raw::InvalidUpgrade(e) | Raw::ResponseBodyError(e) => {
            Error::Transport(e.without_url())
        }
        Raw::InvalidRequest(message) => Error::InvalidRequest(message),
        Raw::Custom(message) => Error::Credential(message),
    }
}
