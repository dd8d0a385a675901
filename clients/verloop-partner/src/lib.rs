//! Typed client for the [Verloop](https://verloop.io) Partner API: WhatsApp client management
//! for partners, messaging, media, and signed webhooks.
//!
//! ```no_run
//! use verloop_partner::prelude::*;
//! use verloop_partner::types::{OutgoingMessage, SendMessageRequest, TextContent};
//!
//! # async fn run() -> verloop_partner::Result<()> {
//! let management = Management::login("partner@example.com", "password").await?;
//! let templates = management.list_templates().client_id("client-1").send().await?;
//! let messaging = management.phone_token("client-1", "phone-1").await?;
//! // Types are built with builders, union variants with constructors named after them that
//! // take the variant's content; `messaging_product` (always `whatsapp`) is filled in.
//! let message = OutgoingMessage::text(TextContent::builder().body("Hello")).to("15551234567").build();
//! messaging.send_message(SendMessageRequest::builder().messages(vec![message])).send().await?;
//! # let _ = templates;
//! # Ok(()) }
//! ```
//!
//! Bodies (and path parameters) are arguments of the operation; query parameters are named
//! setters, and `send` compiles only once every required one is set. A missing one is named by
//! the compiler: ``the member `Unset<id>` was not set, but this method requires it to be
//! set``; add the setter it names (`.id(…)`).
//!
//! ```compile_fail,E0277
//! use verloop_partner::prelude::*;
//! # async fn run(management: Management) -> verloop_partner::Result<()> {
//! // `get_media` needs `client_id` and `id`: without `id`: does not compile.
//! management.get_media().client_id("client-1").send().await?;
//! # Ok(()) }
//! ```
//!
//! ```compile_fail,E0061
//! use verloop_partner::prelude::*;
//! # async fn run(messaging: Messaging) -> verloop_partner::Result<()> {
//! // `send_message` needs its body.
//! messaging.send_message().send().await?;
//! # Ok(()) }
//! ```
//!
//! A message without a required field does not compile either:
//!
//! ```compile_fail,E0277
//! use verloop_partner::types::{OutgoingMessage, TextContent};
//! // A message needs its recipient: without `.to(…)`, there is no `build`.
//! let message = OutgoingMessage::text(TextContent::builder().body("Hello")).build();
//! ```
//!
//! Every operation returns this crate's [`Error`]: one line naming the operation and the cause
//! (`verloop-partner send_message: timed out after 30 s`), the cause in `source()`.
//!
//! The [`operations`] and [`types`] are generated from `specs/verloop-partner.yaml` (crate
//! `verloop-partner-api`, re-exported here: you never name it); this crate adds the two token handles, the hand-written
//! multipart upload, and webhook verification.

#![deny(missing_docs)]
// docs.rs (`--cfg docsrs`, see Cargo.toml) marks each item with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
mod client;
mod delivery;
mod error;
mod media;
pub mod webhook;

#[cfg(feature = "sandbox")]
#[cfg_attr(docsrs, doc(cfg(feature = "sandbox")))]
pub mod sandbox;

/// Typed httpmock mocks of every operation (feature `httpmock`): `use verloop_partner::mock::MockServerExt`.
#[cfg(feature = "httpmock")]
#[cfg_attr(docsrs, doc(cfg(feature = "httpmock")))]
pub use verloop_partner_api_httpmock as mock;

pub use auth::{PhoneNumberToken, SystemUserToken};
pub use client::{DEFAULT_BASE_URL, Management, Messaging, config};
pub use error::{ApiError, Error, ErrorKind};
pub use media::MediaUpload;
pub use verloop_partner_api::{ByteStream, Response, builder, operations, types};
pub use whatsapp_sdk_runtime::drift::TARGET as DRIFT_TARGET;
/// Rate limits shared by clients and replicas (`Config::with_rate_limiter`, feature `rate-limit`).
#[cfg(feature = "rate-limit")]
#[cfg_attr(docsrs, doc(cfg(feature = "rate-limit")))]
pub use whatsapp_sdk_runtime::limit;
pub use whatsapp_sdk_runtime::{
    Config, CredentialError, Drift, DriftKind, InvalidResponse, MAX_REDIRECTS, RawResponse, RedirectError,
    ResponseMeta, RetryPolicy, TransportError, redirect_policy,
};
/// Webhook de-duplication, the stores shared by replicas, and what to do when one fails.
pub use whatsapp_sdk_runtime::{dedup, store};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The handles, tokens and operation traits.
pub mod prelude {
    pub use crate::operations::{PhoneNumberTokenOperations, SystemUserTokenOperations};
    pub use crate::{Management, Messaging, PhoneNumberToken, SystemUserToken};
}
