//! The one `send`: the [`Messenger`] trait and its result.

use std::future::Future;

use crate::Error;
use crate::capability::Provider;
use crate::message::{OutgoingMessage, Recipient};

/// Sends messages through one provider.
///
/// A message the provider cannot carry (see [`Provider::supports`]) is refused with
/// [`Error::Unsupported`] before any request is made.
pub trait Messenger {
    /// The provider this messenger sends through.
    fn provider(&self) -> Provider;

    /// Sends one message; the provider's answer is in the [`Receipt`].
    fn send(&self, message: OutgoingMessage) -> impl Future<Output = Result<Receipt, Error>> + Send;
}

/// What a provider answered to a send.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Receipt {
    /// The provider's id of the message (both specs leave it optional in the answer).
    pub message_id: Option<String>,
    /// The recipient the message was sent to.
    pub recipient: Recipient,
    /// The provider's answer, for what is provider-specific.
    pub response: ProviderResponse,
}

/// A provider's answer to a send, as its client decoded it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ProviderResponse {
    /// Wapio's `202` body (`msgId`, the resolved `jid`, `status`).
    Wapio(wapio::types::SendMessageAccepted),
    /// Verloop's `200` body (`SuccessMessages`, `ErrorMessages`).
    Verloop(verloop_partner::types::SendMessageResponse),
}
