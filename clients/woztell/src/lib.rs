//! Typed client for the [WOZTELL](https://woztell.com) WhatsApp Cloud public API: WABA info,
//! business profile, media, analytics, catalogs, templates, flows and encryption keys.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use woztell::prelude::*;
//!
//! # async fn run() -> woztell::Result<()> {
//! let client = Client::new(AccessToken::new("access-token")?)?;
//! let approved: Vec<_> = client
//!     .templates(|query| query.waba_id("waba-1").first(50).status(woztell::json_array(["APPROVED"])))
//!     .try_collect()
//!     .await?;
//! let signed = client.signed(SignedContext::new("appIntegrationSignature", "app", "integration", "channel")?)?;
//! let flows = signed.list_flows().limit(20).send().await?;
//! # let _ = (approved, flows);
//! # Ok(()) }
//! ```
//!
//! Bodies (and path parameters) are arguments of the operation; query parameters are named
//! setters, and `send` compiles only once every required one is set. A missing one is named by
//! the compiler: ``the member `Unset<first>` was not set, but this method requires it to be
//! set``; add the setter it names (`.first(…)`).
//!
//! ```compile_fail,E0277
//! use woztell::prelude::*;
//! # async fn run(client: Client) -> woztell::Result<()> {
//! // `list_templates` needs `waba_id` and `first`: without `first`: does not compile.
//! client.list_templates().waba_id("waba-1").send().await?;
//! # Ok(()) }
//! ```
//!
//! ```compile_fail,E0277
//! use woztell::prelude::*;
//! # async fn run(signed: SignedClient) -> woztell::Result<()> {
//! // `list_flows` needs `limit`.
//! signed.list_flows().send().await?;
//! # Ok(()) }
//! ```
//!
//! ```compile_fail,E0061
//! use woztell::prelude::*;
//! # async fn run(client: Client) -> woztell::Result<()> {
//! // `edit_template` needs its body.
//! client.edit_template().send().await?;
//! # Ok(()) }
//! ```
//!
//! Bodies are built with builders whose required fields the compiler checks:
//!
//! ```compile_fail,E0277
//! use woztell::types::EditTemplateRequest;
//! // An edit names the template's WABA: without `waba_id`, there is no `build`.
//! let edit = EditTemplateRequest::builder()
//!     .message_template_id("1")
//!     .message_template_language("en_US")
//!     .message_template_name("order_update")
//!     .components(vec![])
//!     .build();
//! ```
//!
//! Every operation returns this crate's [`Error`]: one line naming the operation and the cause
//! (`woztell list_templates: connection refused`), the cause in `source()`.
//!
//! The [`operations`] and [`types`] are generated from `specs/woztell.yaml` (crate
//! `woztell-api`, re-exported here: you never name it); this crate places the access token where each operation expects it,
//! builds the signed context, and pages through lists.

#![deny(missing_docs)]
// docs.rs (`--cfg docsrs`, see Cargo.toml) marks each item with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
mod client;
mod pagination;

#[cfg(feature = "sandbox")]
#[cfg_attr(docsrs, doc(cfg(feature = "sandbox")))]
pub mod sandbox;

/// Typed httpmock mocks of every operation (feature `httpmock`): `use woztell::mock::MockServerExt`.
#[cfg(feature = "httpmock")]
#[cfg_attr(docsrs, doc(cfg(feature = "httpmock")))]
pub use woztell_api_httpmock as mock;

pub use auth::{AccessToken, PAYLOAD_HEADER, SIGNED_CONTEXT_HEADER, SignedContext};
pub use client::{Client, DEFAULT_BASE_URL, SignedClient, config};
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
pub use woztell_api::{Response, builder, operations, types};

/// What can go wrong calling WOZTELL; [`ErrorKind::Api`](crate::ErrorKind::Api) carries the [`types::ErrorResponse`] body.
pub type Error = whatsapp_sdk_runtime::Error<types::ErrorResponse>;

/// WOZTELL's error body with the response it came in.
pub type ApiError = whatsapp_sdk_runtime::ApiError<types::ErrorResponse>;

/// Why a WOZTELL operation failed.
pub type ErrorKind = whatsapp_sdk_runtime::ErrorKind<types::ErrorResponse>;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A list filter in the form the API documents: a compact JSON array literal such as
/// `["APPROVED","PENDING"]`, sent as the query value.
pub fn json_array<I, S>(values: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let items: Vec<String> = values.into_iter().map(|v| serde_json::Value::from(v.as_ref()).to_string()).collect();
    format!("[{}]", items.join(","))
}

/// The clients, credentials and operation traits.
pub mod prelude {
    pub use crate::operations::{
        AccessTokenOperations, AccessTokenSignedContextWoztellPayloadOperations, SignedContextWoztellPayloadOperations,
    };
    pub use crate::{AccessToken, Client, SignedClient, SignedContext};
}
