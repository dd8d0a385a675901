//! One error for every provider: what this crate refused before sending, or the client's error
//! with the provider's documented body inside.

use std::time::Duration;

use http::StatusCode;

use crate::capability::{Feature, Provider};

/// What went wrong sending or receiving through a provider.
///
/// `Display` is one line naming the provider, the operation and the cause; `source()` is the
/// client error's cause.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The provider cannot do this: refused before any request was made.
    #[error("{provider} send: {feature} cannot be sent through {provider}")]
    Unsupported {
        /// The provider asked to send.
        provider: Provider,
        /// What it cannot send.
        feature: Feature,
    },
    /// The message cannot be sent as it is (a value the provider requires is missing); refused
    /// before any request was made.
    #[error("{provider} send: {reason}")]
    InvalidMessage {
        /// The provider asked to send.
        provider: Provider,
        /// What is missing.
        reason: &'static str,
    },
    /// Wapio's client failed (`wapio send_message: HTTP 422 …`).
    #[error(transparent)]
    Wapio(#[from] wapio::Error),
    /// Verloop's client failed (`verloop-partner send_message: timed out after 30 s`).
    #[error(transparent)]
    Verloop(#[from] verloop_partner::Error),
    /// Verloop answered 200 but listed the message under `ErrorMessages`.
    #[error("verloop-partner send_message: the message was refused: {error}")]
    VerloopRefused {
        /// The entry's `Error`.
        error: String,
        /// Its `Message`, when given.
        message: Option<String>,
    },
    /// A webhook delivery whose signature does not match: it must not be trusted.
    #[error("{provider} webhook: {source}")]
    Signature {
        /// The provider the delivery claims to come from.
        provider: Provider,
        /// Why the signature was refused.
        source: verloop_partner::webhook::VerifyError,
    },
}

impl Error {
    /// The provider involved.
    pub fn provider(&self) -> Provider {
        match self {
            Error::Unsupported { provider, .. }
            | Error::InvalidMessage { provider, .. }
            | Error::Signature { provider, .. } => *provider,
            Error::Wapio(_) => Provider::Wapio,
            Error::Verloop(_) | Error::VerloopRefused { .. } => Provider::Verloop,
        }
    }

    /// The feature the provider lacks, for [`Error::Unsupported`].
    pub fn unsupported_feature(&self) -> Option<Feature> {
        match self {
            Error::Unsupported { feature, .. } => Some(*feature),
            _ => None,
        }
    }

    /// The provider's `operationId` that failed (`send_message`), when a request was made.
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Error::Wapio(error) => error.operation(),
            Error::Verloop(error) => error.operation(),
            Error::VerloopRefused { .. } => Some("send_message"),
            _ => None,
        }
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Wapio(error) => error.status(),
            Error::Verloop(error) => error.status(),
            Error::VerloopRefused { .. } => Some(StatusCode::OK),
            _ => None,
        }
    }

    /// The provider's own message: Wapio's envelope `message`, Verloop's `error`, or the
    /// refused entry's `Error`.
    pub fn message(&self) -> Option<&str> {
        match self {
            Error::Wapio(error) => error.body().and_then(|envelope| envelope.message.as_deref()),
            Error::Verloop(error) => error.body().and_then(|body| body.error.as_deref()),
            Error::VerloopRefused { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Whether the client's retry policy retries such a failure (see the clients' `is_retryable`).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Wapio(error) => error.is_retryable(),
            Error::Verloop(error) => error.is_retryable(),
            _ => false,
        }
    }

    /// Whether no response arrived in time.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Wapio(error) => error.is_timeout(),
            Error::Verloop(error) => error.is_timeout(),
            _ => false,
        }
    }

    /// Whether no connection could be made: the request cannot have reached the provider.
    pub fn is_connect(&self) -> bool {
        match self {
            Error::Wapio(error) => error.is_connect(),
            Error::Verloop(error) => error.is_connect(),
            _ => false,
        }
    }

    /// Whether the provider refused the call for its rate limit (HTTP 429).
    pub fn is_rate_limited(&self) -> bool {
        match self {
            Error::Wapio(error) => error.is_rate_limited(),
            Error::Verloop(error) => error.is_rate_limited(),
            _ => false,
        }
    }

    /// How long the provider asked to wait (`Retry-After`), when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Wapio(error) => error.retry_after(),
            Error::Verloop(error) => error.retry_after(),
            _ => None,
        }
    }
}
