//! The runtime shared by the WhatsApp provider clients.
//!
//! Generated crates (`generated/*`) carry a [`Runtime`] as progenitor's inner type and run every
//! operation through [`Runtime::respond`]: credentials and idempotency key ([`Runtime::prepare`]),
//! retries, tracing and URL redaction ([`Runtime::execute`]), decoding into the operation's
//! types, and one [`Error`] type that names the operation and keeps the cause. The handwritten client crates build it from a [`Config`]
//! and an [`Authorize`] implementation of their own.

#![deny(missing_docs)]
// docs.rs (`--cfg docsrs`, see Cargo.toml) marks each item with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
mod config;
mod decode;
pub mod dedup;
pub mod drift;
mod error;
mod json_pointer;
#[cfg(feature = "rate-limit")]
#[cfg_attr(docsrs, doc(cfg(feature = "rate-limit")))]
pub mod limit;
mod meta;
#[cfg(not(feature = "rate-limit"))]
mod no_limit;
mod operation;
pub mod pagination;
mod query;
pub mod redact;
mod redirect;
mod response;
mod retry;
mod runtime;
#[cfg(feature = "sandbox")]
#[cfg_attr(docsrs, doc(cfg(feature = "sandbox")))]
pub mod sandbox;
pub mod store;
mod tls;
mod transport;

pub use auth::{Authorize, CredentialError, NoCredential};
pub use config::{Config, ConfigError};
pub use decode::Reply;
pub use drift::{Drift, DriftKind};
pub use error::{ApiError, Error, ErrorBody, ErrorKind, InvalidResponse, RawResponse};
pub use meta::ResponseMeta;
pub use operation::OperationSpec;
pub use query::QueryWriter;
pub use redirect::{MAX_REDIRECTS, RedirectError, redirect_policy};
pub use response::Response;
pub use retry::RetryPolicy;
pub use runtime::Runtime;
pub use transport::TransportError;

/// Re-exported so client crates share the exact types the generated code uses.
pub use progenitor_client::{ByteStream, ClientInfo};
pub use secrecy::{ExposeSecret, SecretString};
