//! Typed client for the [Wapio](https://wapio.io) WhatsApp API.
//!
//! ```no_run
//! use wapio::prelude::*;
//! use wapio::types::SendMessageRequest;
//!
//! # async fn run() -> wapio::Result<()> {
//! let client = Client::new(AccountToken::new("bps_pat_example")?)?;
//! let text = SendMessageRequest::text("Hello from Rust").session_id("sess_123").to("15551234567");
//! let accepted = client.send_message(text).send().await?;
//! println!("queued {:?}", accepted.into_inner().msg_id);
//! # Ok(()) }
//! ```
//!
//! Path parameters and bodies are arguments of the operation; optional query parameters are
//! named setters. A required value cannot be left out: the call does not compile.
//!
//! ```compile_fail,E0061
//! use wapio::prelude::*;
//! # async fn run(client: Client) -> wapio::Result<()> {
//! // `get_session` needs the session id.
//! client.get_session().send().await?;
//! # Ok(()) }
//! ```
//!
//! ```compile_fail,E0061
//! use wapio::prelude::*;
//! # async fn run(client: Client) -> wapio::Result<()> {
//! // `send_message` needs the message.
//! client.send_message().send().await?;
//! # Ok(()) }
//! ```
//!
//! Request and response types are built with builders (`CreateSessionRequest::builder()`),
//! union variants with constructors (`SendMessageRequest::text("Hello")`); required fields are
//! checked by the compiler, and no type is built with a struct literal, so a new optional field
//! in the spec breaks no caller.
//!
//! ```compile_fail,E0277
//! use wapio::types::CreateGroupRequest;
//! // `participants` is required.
//! let group = CreateGroupRequest::builder().subject("Team").build();
//! ```
//!
//! Every operation returns this crate's [`Error`], whose `Display` names the operation and the
//! cause in one line (`wapio get_session: HTTP 404 not_found: Session not found`), with the
//! cause in `source()`; see [`ErrorKind`] for what can go wrong.
//!
//! The [`operations`] and [`types`] are generated from `specs/wapio.yaml` (crate `wapio-api`,
//! re-exported here: you never name it); this crate adds credentials, errors and pagination. A send without an
//! `Idempotency-Key` gets a UUID v4 key, kept across retries of that send.

#![deny(missing_docs)]
// docs.rs (`--cfg docsrs`, see Cargo.toml) marks each item with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
mod client;
mod error;
mod pagination;

#[cfg(feature = "sandbox")]
#[cfg_attr(docsrs, doc(cfg(feature = "sandbox")))]
pub mod sandbox;

/// Typed httpmock mocks of every operation (feature `httpmock`): `use wapio::mock::MockServerExt`.
#[cfg(feature = "httpmock")]
#[cfg_attr(docsrs, doc(cfg(feature = "httpmock")))]
pub use wapio_api_httpmock as mock;

pub use auth::{AccountToken, Credential, SessionKey};
pub use client::{Client, DEFAULT_BASE_URL, config};
pub use error::{ApiError, Error, ErrorKind, WapioErrorExt};
pub use wapio_api::{Response, builder, operations, types};
pub use whatsapp_sdk_runtime::drift::TARGET as DRIFT_TARGET;
/// Rate limits shared by clients and replicas (`Config::with_rate_limiter`, feature `rate-limit`).
#[cfg(feature = "rate-limit")]
#[cfg_attr(docsrs, doc(cfg(feature = "rate-limit")))]
pub use whatsapp_sdk_runtime::limit;
/// The stores shared by replicas, and what to do when one fails.
pub use whatsapp_sdk_runtime::store;
pub use whatsapp_sdk_runtime::{
    Config, CredentialError, Drift, DriftKind, InvalidResponse, MAX_REDIRECTS, RawResponse, RedirectError,
    ResponseMeta, RetryPolicy, TransportError, redirect_policy,
};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The client, its credentials and the operation traits.
pub mod prelude {
    pub use crate::operations::{AccountTokenOperations, SessionKeyOperations};
    pub use crate::{AccountToken, Client, SessionKey, WapioErrorExt};
}
