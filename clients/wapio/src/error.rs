//! Wapio's errors: the shared runtime error with Wapio's documented envelope as its body.

use crate::types::{ErrorEnvelope, ReasonCode};

/// What can go wrong calling Wapio; [`ErrorKind::Api`](crate::ErrorKind::Api) carries the documented [`ErrorEnvelope`].
pub type Error = whatsapp_sdk_runtime::Error<ErrorEnvelope>;

/// Why a Wapio operation failed.
pub type ErrorKind = whatsapp_sdk_runtime::ErrorKind<ErrorEnvelope>;

/// Wapio's error envelope with the response it came in.
pub type ApiError = whatsapp_sdk_runtime::ApiError<ErrorEnvelope>;

/// Wapio-specific accessors on [`Error`].
pub trait WapioErrorExt {
    /// The envelope's machine-readable `reason_code` (`rate_limited`, `validation_error`, …).
    fn reason_code(&self) -> Option<&ReasonCode>;
    /// The envelope's human-readable `message`.
    fn message(&self) -> Option<&str>;
}

impl WapioErrorExt for Error {
    fn reason_code(&self) -> Option<&ReasonCode> {
        self.body().and_then(|envelope| envelope.reason_code.as_ref())
    }

    fn message(&self) -> Option<&str> {
        self.body().and_then(|envelope| envelope.message.as_deref())
    }
}
