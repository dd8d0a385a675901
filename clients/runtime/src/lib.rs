//! The runtime shared by the WhatsApp provider clients.
//!
//! Generated crates (`generated/*`) carry a [`Runtime`] as progenitor's inner type and route every
//! request through [`Runtime::prepare`] (credentials, idempotency key) and [`Runtime::execute`]
//! (retries, tracing, URL redaction). The handwritten client crates build it from a [`Config`]
//! and an [`Authorize`] implementation of their own.

#![deny(missing_docs)]

mod auth;
mod config;
mod decode;
mod error;
mod meta;
mod operation;
pub mod pagination;
mod query;
mod retry;
mod runtime;
#[cfg(feature = "sandbox")]
pub mod sandbox;

pub use auth::{Authorize, CredentialError, NoCredential};
pub use config::{Config, ConfigError};
pub use decode::{RawBody, Reply, decode_error, decode_success, respond, unexpected_response};
pub use error::{ApiError, Error, RawResponse};
pub use meta::{ResponseMeta, ResponseMetaExt};
pub use operation::OperationSpec;
pub use query::QueryWriter;
pub use retry::RetryPolicy;
pub use runtime::Runtime;

/// progenitor's own error type, which generated operations return; it converts into [`Error`].
pub use progenitor_client::Error as GeneratedError;
/// Re-exported so client crates share the exact types the generated code uses.
pub use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
pub use secrecy::{ExposeSecret, SecretString};
