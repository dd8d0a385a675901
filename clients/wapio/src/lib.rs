//! Typed client for the [Wapio](https://wapio.io) WhatsApp API.
//!
//! ```no_run
//! use wapio::prelude::*;
//! use wapio::types::SendMessageRequest;
//!
//! # async fn run() -> Result<(), wapio::Error> {
//! let client = wapio::Client::new(wapio::AccountToken::new("bps_pat_…")?)?;
//! let accepted = client
//!     .send_message()
//!     .body(serde_json::from_value::<SendMessageRequest>(serde_json::json!({
//!         "kind": "text", "session_id": "sess_1", "to": "15551234567", "text": "Hello"
//!     }))?)
//!     .send()
//!     .await?;
//! println!("queued {:?}", accepted.into_inner());
//! # Ok(()) }
//! ```
//!
//! Operations come from the generated crate [`wapio_api`] (regenerated from `specs/wapio.yaml`,
//! never edited by hand); this crate adds credentials, errors and pagination. A send without an
//! `Idempotency-Key` gets a UUID v4 key, kept across retries of that send.

#![deny(missing_docs)]

mod auth;
mod client;
mod error;
mod pagination;

pub use auth::{AccountToken, Credential, SessionKey};
pub use client::{Client, DEFAULT_BASE_URL};
pub use error::{ApiError, Error};
pub use wapio_api::{builder, operations, types, ResponseValue};
pub use whatsapp_sdk_runtime::{Config, CredentialError, RetryPolicy};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The client, its credentials and the operation traits.
pub mod prelude {
    pub use crate::operations::{AccountTokenOperations, SessionKeyOperations};
    pub use crate::{AccountToken, Client, SessionKey};
}
