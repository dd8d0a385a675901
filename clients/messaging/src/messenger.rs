//! The one `send`: the [`Messenger`] trait, its result, and [`AnyMessenger`] for a provider
//! chosen at run time.

use std::future::Future;

use crate::Error;
use crate::capability::Provider;
use crate::message::{OutgoingMessage, Recipient};
use crate::verloop::VerloopMessenger;
use crate::wapio::WapioMessenger;

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

/// A messenger for a provider chosen at run time (configuration, tenant, fallback).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AnyMessenger {
    /// Through Wapio.
    Wapio(WapioMessenger),
    /// Through Verloop.
    Verloop(VerloopMessenger),
}

impl From<WapioMessenger> for AnyMessenger {
    fn from(messenger: WapioMessenger) -> Self {
        AnyMessenger::Wapio(messenger)
    }
}

impl From<VerloopMessenger> for AnyMessenger {
    fn from(messenger: VerloopMessenger) -> Self {
        AnyMessenger::Verloop(messenger)
    }
}

impl Messenger for AnyMessenger {
    fn provider(&self) -> Provider {
        match self {
            AnyMessenger::Wapio(messenger) => messenger.provider(),
            AnyMessenger::Verloop(messenger) => messenger.provider(),
        }
    }

    async fn send(&self, message: OutgoingMessage) -> Result<Receipt, Error> {
        match self {
            AnyMessenger::Wapio(messenger) => messenger.send(message).await,
            AnyMessenger::Verloop(messenger) => messenger.send(message).await,
        }
    }
}
