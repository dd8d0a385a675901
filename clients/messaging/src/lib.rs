//! Send and receive WhatsApp messages through Wapio or Verloop with one API.
//!
//! One message model ([`OutgoingMessage`]), one [`Messenger::send`] implemented for each
//! provider ([`WapioMessenger`], [`VerloopMessenger`], or [`AnyMessenger`] chosen at run time),
//! one result ([`Receipt`]), one event model for what providers deliver ([`InboundEvent`]) and
//! one [`Error`]:
//!
//! ```no_run
//! use whatsapp_messaging::{AnyMessenger, Messenger, OutgoingMessage, WapioMessenger};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = wapio::Client::new(wapio::AccountToken::new("bps_pat_example")?)?;
//! let messenger: AnyMessenger = WapioMessenger::with_account_token(client, "sess_123").into();
//! let receipt = messenger.send(OutgoingMessage::text("15551234567", "Hello")).await?;
//! println!("sent {:?} to {}", receipt.message_id, receipt.recipient.as_str());
//! # Ok(()) }
//! ```
//!
//! What a provider cannot send ([`Provider::supports`], the table of [`capability_table`]) is
//! refused with [`Error::Unsupported`], naming the provider and the [`Feature`], before any
//! request is made.
//!
//! **Idempotency.** A message's [`idempotency_key`](OutgoingMessage::idempotency_key) is
//! Wapio's `Idempotency-Key`: however often the send is retried with that key, Wapio delivers
//! it once. Verloop's `send_message` takes no key, so it is not sent; Verloop's client retries a
//! send only when it cannot have been processed (a failed connection, a 429), and a timeout is
//! returned to the caller, who cannot know whether the message went out.
//!
//! Everything provider-specific is in one module per provider (`wapio.rs`, `verloop/`).

#![deny(missing_docs)]
// docs.rs (`--cfg docsrs`, see Cargo.toml) marks each item with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod any;
mod capability;
mod error;
mod event;
mod message;
mod messenger;
mod verloop;
mod wapio;

pub use any::AnyMessenger;
pub use capability::{Feature, Provider, capability_table};
pub use error::Error;
pub use event::{
    DeliveryStatus, InboundEvent, ReceivedContent, ReceivedMedia, ReceivedMessage, StatusChange, TemplateStatusChange,
    UnknownEvent,
};
pub use message::{
    Audio, Buttons, Choice, ContactCard, ContactPhone, Content, Document, Header, Image, Labelled, List, ListSection,
    Location, MediaSource, OutgoingMessage, Poll, PostalAddress, Reaction, Recipient, Sticker, Template,
    TemplateButton, TemplateComponent, TemplateValue, Text, Video,
};
pub use messenger::{Messenger, ProviderResponse, Receipt};
pub use verloop::{VerloopMessenger, VerloopWebhooks};
pub use wapio::WapioMessenger;

/// The builders of the message model's types (`OutgoingMessageBuilder`, …), for naming them in
/// signatures.
pub mod builder {
    pub use crate::message::{
        AudioBuilder, ButtonsBuilder, ChoiceBuilder, ContactCardBuilder, ContactPhoneBuilder, DocumentBuilder,
        ImageBuilder, LabelledBuilder, ListBuilder, ListSectionBuilder, LocationBuilder, OutgoingMessageBuilder,
        PollBuilder, PostalAddressBuilder, ReactionBuilder, StickerBuilder, TemplateBuilder, TextBuilder, VideoBuilder,
    };
}
