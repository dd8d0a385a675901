//! Verloop's errors: the shared runtime error with Verloop's `{"error": …}` body.

use crate::types::ErrorResponse;

/// What can go wrong calling Verloop; [`ErrorKind::Api`](crate::ErrorKind::Api) carries the documented [`ErrorResponse`].
pub type Error = whatsapp_sdk_runtime::Error<ErrorResponse>;

/// Verloop's error body with the response it came in.
pub type ApiError = whatsapp_sdk_runtime::ApiError<ErrorResponse>;

/// Why a Verloop operation failed.
pub type ErrorKind = whatsapp_sdk_runtime::ErrorKind<ErrorResponse>;
