//! The inbound event model: what a provider delivers to a service, whichever provider it is.

use serde_json::Value;

use crate::capability::Provider;
use crate::message::{ContactCard, Content, Location, MediaSource, OutgoingMessage, Recipient};

/// One thing a provider reported. A delivery may carry several.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum InboundEvent {
    /// A customer wrote to the business.
    Message(ReceivedMessage),
    /// A message the business sent changed state.
    Status(StatusChange),
    /// A message template was approved, rejected, flagged, …
    TemplateStatus(TemplateStatusChange),
    /// Something this version does not model, kept as received (never dropped).
    Unknown(UnknownEvent),
}

/// A message a customer sent.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReceivedMessage {
    /// The provider that delivered it.
    pub provider: Provider,
    /// The provider's id of the message (`wamid.…`).
    pub id: String,
    /// The sender's WhatsApp id or number.
    pub from: String,
    /// The sender's profile name, when the provider sent it.
    pub sender_name: Option<String>,
    /// The business number it was sent to (as displayed), when known.
    pub business_number: Option<String>,
    /// When it was sent, in Unix seconds.
    pub timestamp: Option<String>,
    /// The id of the message it replies to, when it is a reply.
    pub reply_to: Option<String>,
    /// What it carries.
    pub content: ReceivedContent,
}

impl ReceivedMessage {
    /// A message answering this one: to its sender, quoting it.
    ///
    /// The quote needs [`Feature::Reply`](crate::Feature::Reply); for a provider without it,
    /// build the message with [`OutgoingMessage::builder`] and no `reply_to`.
    pub fn reply(&self, content: impl Into<Content>) -> OutgoingMessage {
        OutgoingMessage::builder()
            .to(Recipient::Phone(self.from.clone()))
            .content(content)
            .reply_to(self.id.clone())
            .build()
    }
}

/// What a received message carries.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ReceivedContent {
    /// A text.
    Text(String),
    /// An image.
    Image(ReceivedMedia),
    /// A video.
    Video(ReceivedMedia),
    /// An audio clip or voice note.
    Audio(ReceivedMedia),
    /// A document.
    Document(ReceivedMedia),
    /// A sticker.
    Sticker(ReceivedMedia),
    /// A location pin.
    Location(Location),
    /// Contact cards.
    Contacts(Vec<ContactCard>),
    /// A reaction to a message; `None` removes an earlier one.
    Reaction {
        /// The id of the message reacted to.
        message_id: String,
        /// The emoji.
        emoji: Option<String>,
    },
    /// A reply button or list row was chosen (the id given when sending it).
    Choice {
        /// The choice's id.
        id: String,
        /// Its label.
        title: Option<String>,
    },
    /// A template's quick-reply button was tapped.
    TemplateButton {
        /// The button's payload.
        payload: Option<String>,
        /// Its label.
        text: Option<String>,
    },
}

/// A media file a customer sent; download it with the provider's media operation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceivedMedia {
    /// The provider's media id.
    pub id: String,
    /// Its MIME type.
    pub mime_type: Option<String>,
    /// Its caption.
    pub caption: Option<String>,
    /// A document's file name.
    pub file_name: Option<String>,
}

impl ReceivedMedia {
    /// The file as a source for sending it on (by its uploaded id).
    pub fn source(&self) -> MediaSource {
        MediaSource::Uploaded(self.id.clone())
    }
}

/// A sent message's new state.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StatusChange {
    /// The provider that reported it.
    pub provider: Provider,
    /// The provider's id of the sent message (the [`Receipt`](crate::Receipt)'s `message_id`).
    pub message_id: String,
    /// The recipient's WhatsApp id.
    pub recipient: Option<String>,
    /// The new state.
    pub status: DeliveryStatus,
    /// When it changed, in Unix seconds.
    pub timestamp: Option<String>,
}

/// The state of a sent message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryStatus {
    /// Accepted by WhatsApp.
    Sent,
    /// Delivered to the recipient's device.
    Delivered,
    /// Read by the recipient.
    Read,
    /// Not delivered.
    Failed {
        /// Why, as the provider said it (`131047: Re-engagement message`), when it did.
        reason: Option<String>,
    },
    /// Deleted by the recipient.
    Deleted,
    /// A state this version does not know, as received.
    Other(String),
}

/// A message template's new state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TemplateStatusChange {
    /// The provider that reported it.
    pub provider: Provider,
    /// What happened (`APPROVED`, `REJECTED`, `FLAGGED`, …).
    pub event: String,
    /// The template's name.
    pub name: Option<String>,
    /// Its language code.
    pub language: Option<String>,
    /// Meta's id of the template.
    pub template_id: Option<i64>,
    /// Why, when given (`NONE`, `INVALID_FORMAT`, …).
    pub reason: Option<String>,
}

/// An event this version does not model.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UnknownEvent {
    /// The provider that delivered it.
    pub provider: Provider,
    /// What the provider calls it (Verloop: the change's `field`, or `messages` for a message
    /// of a type not modelled).
    pub kind: String,
    /// The raw JSON of the change, or of the one message; the body as a string when it is not
    /// JSON.
    pub raw: Value,
}
