//! The error type every client returns, generic over the provider's documented error body.

use std::fmt;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Serialize;

use crate::{ConfigError, CredentialError, RawBody};

/// What can go wrong calling a provider. `E` is the provider's documented error body.
/// No variant's `Display` or `Debug` holds a credential: transport errors lose their URL.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E: fmt::Debug + Serialize> {
    /// The provider answered with its documented error body.
    #[error("{0}")]
    Api(Box<ApiError<E>>),
    /// A status the spec does not document for the operation, or an error body that is not
    /// the documented JSON.
    #[error("unexpected HTTP {}{}", .0.status, snippet(&.0.body))]
    UnexpectedResponse(Box<RawResponse>),
    /// A documented success status whose body does not match the spec.
    #[error("the response body does not match the spec: {source}")]
    InvalidResponse {
        /// The raw body, as received.
        body: Bytes,
        /// Where decoding failed.
        source: serde_json::Error,
    },
    /// The request could not be sent or the response not read (connection, timeout, TLS).
    #[error("transport error: {0}")]
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

/// A documented error body with the response it came in.
#[derive(Debug)]
pub struct ApiError<E> {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers (`x-request-id`, `retry-after`, `x-ratelimit-*` …).
    pub headers: HeaderMap,
    /// The decoded body.
    pub body: E,
}

impl<E: Serialize> fmt::Display for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "API error: HTTP {}", self.status)?;
        match serde_json::to_string(&self.body) {
            Ok(body) if body != "{}" && body != "null" => write!(f, ": {body}"),
            _ => Ok(()),
        }
    }
}

/// A response the spec does not describe, as received.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Bytes,
}

impl<E: fmt::Debug + Serialize> Error<E> {
    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::UnexpectedResponse(raw) => Some(raw.status),
            Error::Transport(error) => error.status(),
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

    /// The rate-limit and request-id headers, when a response arrived.
    pub fn meta(&self) -> Option<crate::ResponseMeta> {
        self.headers().map(crate::ResponseMeta::from_headers)
    }

    /// The documented error body, when the provider sent one.
    pub fn body(&self) -> Option<&E> {
        match self {
            Error::Api(api) => Some(&api.body),
            _ => None,
        }
    }

    /// Whether the provider refused the call for its rate limit (HTTP 429).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
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

impl<E: fmt::Debug + Serialize> From<progenitor_client::Error<E>> for Error<E> {
    fn from(error: progenitor_client::Error<E>) -> Self {
        use progenitor_client::Error as Raw;
        match error {
            Raw::ErrorResponse(response) => {
                let (status, headers) = (response.status(), response.headers().clone());
                Error::Api(Box::new(ApiError { status, headers, body: response.into_inner() }))
            }
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
}

impl<E: fmt::Debug + Serialize> From<CredentialError> for Error<E> {
    fn from(error: CredentialError) -> Self {
        Error::Credential(error.to_string())
    }
}
