//! [`AnyMessenger`]: a provider chosen at run time, over the providers' messengers.

use crate::Error;
use crate::capability::Provider;
use crate::message::OutgoingMessage;
use crate::messenger::{Messenger, Receipt};
use crate::verloop::VerloopMessenger;
use crate::wapio::WapioMessenger;

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
