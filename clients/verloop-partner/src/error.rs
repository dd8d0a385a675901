//! Verloop's errors: the shared runtime error with Verloop's `{"error": …}` body.

use crate::types::ErrorResponse;

/// What can go wrong calling Verloop; `Error::Api` carries the documented [`ErrorResponse`].
pub type Error = whatsapp_sdk_runtime::Error<ErrorResponse>;

/// Verloop's error body with the response it came in.
pub type ApiError = whatsapp_sdk_runtime::ApiError<ErrorResponse>;
