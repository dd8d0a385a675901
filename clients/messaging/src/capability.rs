//! What each provider can do, as one table: the send mappings refuse exactly the features it
//! marks unsupported (a test holds them together), and the README's table is rendered from it.

use std::fmt;

/// A WhatsApp provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// Wapio (`wapio` crate).
    Wapio,
    /// The Verloop Partner API (`verloop-partner` crate).
    Verloop,
    /// WOZTELL's WhatsApp Cloud public API (`woztell` crate): templates, flows and catalogs, no
    /// sending; listed in the capability table only.
    Woztell,
}

impl Provider {
    /// Every provider, in the capability table's column order.
    pub const ALL: [Provider; 3] = [Provider::Wapio, Provider::Verloop, Provider::Woztell];

    /// The provider's name as errors and logs show it (`wapio`, `verloop-partner`, `woztell`: the client crates' names, as their errors say).
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Wapio => "wapio",
            Provider::Verloop => "verloop-partner",
            Provider::Woztell => "woztell",
        }
    }

    /// Whether the provider can do `feature`.
    pub fn supports(self, feature: Feature) -> bool {
        use Feature::*;
        match self {
            Provider::Wapio => matches!(
                feature,
                Text | Image
                    | Video
                    | Audio
                    | Document
                    | Sticker
                    | MediaLink
                    | ViewOnce
                    | DocumentMimeType
                    | Location
                    | ContactCard
                    | Poll
                    | ChannelPost
                    | IdempotencyKey
            ),
            Provider::Verloop => !matches!(feature, ViewOnce | DocumentMimeType | Poll | ChannelPost | IdempotencyKey),
            Provider::Woztell => false,
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing a provider may or may not do: a kind of message, a part of one, or a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Feature {
    /// Text messages.
    Text,
    /// A preview of the first URL of a text.
    UrlPreview,
    /// Images.
    Image,
    /// Videos.
    Video,
    /// Audio clips.
    Audio,
    /// Documents.
    Document,
    /// Stickers.
    Sticker,
    /// Media given by a public URL.
    MediaLink,
    /// Media given by the id of an uploaded file.
    MediaUploaded,
    /// View-once images and videos.
    ViewOnce,
    /// A document's MIME type.
    DocumentMimeType,
    /// Location pins.
    Location,
    /// One contact card with a name and one phone number.
    ContactCard,
    /// Contact-card details beyond a name and one number (more numbers, labels, emails, URLs,
    /// organisation, birthday, addresses), or several cards in one message.
    ContactDetails,
    /// Polls.
    Poll,
    /// Reactions.
    Reaction,
    /// Template messages with parameters.
    Template,
    /// Interactive reply buttons.
    Buttons,
    /// Interactive list menus.
    List,
    /// Posts to a WhatsApp channel.
    ChannelPost,
    /// A reply to (quote of) an earlier message.
    Reply,
    /// The service's idempotency key, sent to the provider.
    IdempotencyKey,
    /// Webhooks: received messages and status changes, as [`InboundEvent`](crate::InboundEvent)s.
    Webhooks,
}

impl Feature {
    /// Every feature, in the capability table's row order.
    pub const ALL: [Feature; 23] = [
        Feature::Text,
        Feature::UrlPreview,
        Feature::Image,
        Feature::Video,
        Feature::Audio,
        Feature::Document,
        Feature::Sticker,
        Feature::MediaLink,
        Feature::MediaUploaded,
        Feature::ViewOnce,
        Feature::DocumentMimeType,
        Feature::Location,
        Feature::ContactCard,
        Feature::ContactDetails,
        Feature::Poll,
        Feature::Reaction,
        Feature::Template,
        Feature::Buttons,
        Feature::List,
        Feature::ChannelPost,
        Feature::Reply,
        Feature::IdempotencyKey,
        Feature::Webhooks,
    ];

    /// What the feature is, as errors and the capability table name it.
    pub fn description(self) -> &'static str {
        match self {
            Feature::Text => "text messages",
            Feature::UrlPreview => "URL previews in text",
            Feature::Image => "images",
            Feature::Video => "videos",
            Feature::Audio => "audio",
            Feature::Document => "documents",
            Feature::Sticker => "stickers",
            Feature::MediaLink => "media by link",
            Feature::MediaUploaded => "media by uploaded id",
            Feature::ViewOnce => "view-once images and videos",
            Feature::DocumentMimeType => "a document's MIME type",
            Feature::Location => "locations",
            Feature::ContactCard => "a contact card (name, one phone number)",
            Feature::ContactDetails => {
                "contact details (several numbers or cards, labels, emails, URLs, organisation, birthday, addresses)"
            }
            Feature::Poll => "polls",
            Feature::Reaction => "reactions",
            Feature::Template => "template messages with parameters",
            Feature::Buttons => "interactive reply buttons",
            Feature::List => "interactive lists",
            Feature::ChannelPost => "channel posts",
            Feature::Reply => "replies to a message",
            Feature::IdempotencyKey => "an idempotency key sent to the provider",
            Feature::Webhooks => "webhooks (received messages, status changes)",
        }
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// The capability table in Markdown, one row per [`Feature`], one column per [`Provider`]; the
/// README shows this text.
pub fn capability_table() -> String {
    let mut table = String::from("| feature |");
    for provider in Provider::ALL {
        table.push_str(&format!(" {provider} |"));
    }
    table.push_str("\n|---|");
    table.push_str(&"---|".repeat(Provider::ALL.len()));
    table.push('\n');
    for feature in Feature::ALL {
        table.push_str(&format!("| {feature} |"));
        for provider in Provider::ALL {
            table.push_str(if provider.supports(feature) { " yes |" } else { " no |" });
        }
        table.push('\n');
    }
    table
}
