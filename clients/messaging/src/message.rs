//! The outbound message model: what a service sends, whichever provider carries it.
//!
//! Every type is built with a builder (required values checked by the compiler) or a
//! constructor, and is `#[non_exhaustive]`, so a later version can add an optional value
//! without breaking callers.

use bon::Builder;

/// One message to one recipient.
///
/// ```
/// use whatsapp_messaging::{OutgoingMessage, Text};
/// let message = OutgoingMessage::builder()
///     .to("15551234567")
///     .content(Text::builder().body("See https://example.com").preview_url(true).build())
///     .idempotency_key("order-42")
///     .build();
/// # let _ = message;
/// ```
#[derive(Debug, Clone, PartialEq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct OutgoingMessage {
    /// Who receives it: a phone number or chat id, or a channel.
    pub to: Recipient,
    /// What is sent.
    pub content: Content,
    /// The provider's id of an earlier message this one replies to (quotes).
    pub reply_to: Option<String>,
    /// The service's own key for this message: a provider that accepts one delivers the message
    /// once however often it is retried (see the crate documentation for the others).
    pub idempotency_key: Option<String>,
}

impl OutgoingMessage {
    /// A text message to a phone number or chat id.
    pub fn text(to: impl Into<String>, body: impl Into<String>) -> Self {
        Self::builder().to(Recipient::Phone(to.into())).content(Text::builder().body(body).build()).build()
    }
}

/// Who receives a message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Recipient {
    /// A phone number in international form, or a chat id the provider gave.
    Phone(String),
    /// A WhatsApp channel (its id, `…@newsletter`): the message is a channel post.
    Channel(String),
}

impl Recipient {
    /// The phone number, chat id or channel id.
    pub fn as_str(&self) -> &str {
        match self {
            Recipient::Phone(id) | Recipient::Channel(id) => id,
        }
    }
}

impl From<&str> for Recipient {
    fn from(phone: &str) -> Self {
        Recipient::Phone(phone.to_string())
    }
}

impl From<String> for Recipient {
    fn from(phone: String) -> Self {
        Recipient::Phone(phone)
    }
}

/// What a message carries.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Content {
    /// Text, optionally with a preview of its first URL.
    Text(Text),
    /// An image, optionally captioned and view-once.
    Image(Image),
    /// A video, optionally captioned and view-once.
    Video(Video),
    /// An audio clip.
    Audio(Audio),
    /// A document.
    Document(Document),
    /// A WebP sticker.
    Sticker(Sticker),
    /// A location pin.
    Location(Location),
    /// One or more contact cards.
    Contacts(Vec<ContactCard>),
    /// A poll.
    Poll(Poll),
    /// An emoji reaction to an earlier message.
    Reaction(Reaction),
    /// An approved template with the values of its variables.
    Template(Template),
    /// Reply buttons.
    Buttons(Buttons),
    /// A list menu.
    List(List),
}

macro_rules! into_content {
    ($($variant:ident),*) => {$(
        impl From<$variant> for Content {
            fn from(value: $variant) -> Self {
                Content::$variant(value)
            }
        }
    )*};
}
into_content!(Text, Image, Video, Audio, Document, Sticker, Location, Poll, Reaction, Template, Buttons, List);

impl From<Vec<ContactCard>> for Content {
    fn from(cards: Vec<ContactCard>) -> Self {
        Content::Contacts(cards)
    }
}

impl From<ContactCard> for Content {
    fn from(card: ContactCard) -> Self {
        Content::Contacts(vec![card])
    }
}

/// A text message.
#[derive(Debug, Clone, PartialEq, Eq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct Text {
    /// The text.
    pub body: String,
    /// Ask WhatsApp to render a preview of the first URL in the text.
    #[builder(default)]
    pub preview_url: bool,
}

/// Where a media file comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediaSource {
    /// A public HTTPS URL the provider fetches.
    Link(String),
    /// The id of a file uploaded to the provider before (for instance with Verloop's
    /// `upload_media`), or of a media file received in a webhook.
    Uploaded(String),
}

/// An image.
#[derive(Debug, Clone, PartialEq, Eq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct Image {
    /// The file.
    pub source: MediaSource,
    /// Text shown under the image.
    pub caption: Option<String>,
    /// The recipient can open it only once.
    #[builder(default)]
    pub view_once: bool,
}

/// A video.
#[derive(Debug, Clone, PartialEq, Eq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct Video {
    /// The file.
    pub source: MediaSource,
    /// Text shown under the video.
    pub caption: Option<String>,
    /// The recipient can open it only once.
    #[builder(default)]
    pub view_once: bool,
}

/// An audio clip.
#[derive(Debug, Clone, PartialEq, Eq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct Audio {
    /// The file.
    pub source: MediaSource,
}

/// A document.
#[derive(Debug, Clone, PartialEq, Eq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct Document {
    /// The file.
    pub source: MediaSource,
    /// Text shown with the document.
    pub caption: Option<String>,
    /// The file name the recipient sees.
    pub file_name: Option<String>,
    /// The document's MIME type (`application/pdf`).
    pub mime_type: Option<String>,
}

/// A WebP sticker.
#[derive(Debug, Clone, PartialEq, Eq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct Sticker {
    /// The file.
    pub source: MediaSource,
}

/// A point on the map.
#[derive(Debug, Clone, PartialEq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct Location {
    /// Latitude in decimal degrees.
    pub latitude: f64,
    /// Longitude in decimal degrees.
    pub longitude: f64,
    /// Name of the place.
    pub name: Option<String>,
    /// Address of the place.
    pub address: Option<String>,
}

/// A contact card. Wapio sends a name and one phone number; the other details need Verloop.
#[derive(Debug, Clone, PartialEq, Eq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct ContactCard {
    /// The name as displayed.
    pub formatted_name: String,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Phone numbers.
    #[builder(default)]
    pub phones: Vec<ContactPhone>,
    /// Email addresses.
    #[builder(default)]
    pub emails: Vec<Labelled>,
    /// Web addresses.
    #[builder(default)]
    pub urls: Vec<Labelled>,
    /// Company name.
    pub company: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Birthday as `YYYY-MM-DD`.
    pub birthday: Option<String>,
    /// Postal addresses.
    #[builder(default)]
    pub addresses: Vec<PostalAddress>,
}

/// A phone number on a contact card.
#[derive(Debug, Clone, PartialEq, Eq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct ContactPhone {
    /// The number, in international form.
    #[builder(start_fn)]
    pub number: String,
    /// Its label (`CELL`, `WORK`, …).
    pub label: Option<String>,
    /// Its WhatsApp id, which adds a "Message" button to the card.
    pub wa_id: Option<String>,
}

/// An email address or URL with an optional label (`HOME`, `WORK`).
#[derive(Debug, Clone, PartialEq, Eq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct Labelled {
    /// The address or URL.
    #[builder(start_fn)]
    pub value: String,
    /// Its label.
    pub label: Option<String>,
}

/// A postal address on a contact card.
#[derive(Debug, Clone, PartialEq, Eq, Default, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct PostalAddress {
    /// Street and number.
    pub street: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or region abbreviation.
    pub state: Option<String>,
    /// Postal code.
    pub zip: Option<String>,
    /// Country name.
    pub country: Option<String>,
    /// Two-letter country code.
    pub country_code: Option<String>,
    /// Its label (`HOME`, `WORK`).
    pub label: Option<String>,
}

/// A poll.
#[derive(Debug, Clone, PartialEq, Eq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct Poll {
    /// The question.
    pub question: String,
    /// The answers to choose from.
    pub options: Vec<String>,
    /// Voters may pick more than one answer.
    #[builder(default)]
    pub multi_select: bool,
}

/// An emoji reaction; an empty emoji removes an earlier reaction.
#[derive(Debug, Clone, PartialEq, Eq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct Reaction {
    /// The provider's id of the message reacted to.
    pub message_id: String,
    /// The emoji.
    pub emoji: String,
}

/// An approved template and the values of its variables.
#[derive(Debug, Clone, PartialEq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct Template {
    /// The template's name.
    pub name: String,
    /// Its language and locale code (`en_US`).
    pub language: String,
    /// The values, per part of the template.
    #[builder(default)]
    pub components: Vec<TemplateComponent>,
}

/// The values of one part of a template.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TemplateComponent {
    /// The header's variable (text or media).
    Header(Vec<TemplateValue>),
    /// The body's variables, in order.
    Body(Vec<TemplateValue>),
    /// A button's values.
    Button {
        /// The kind of button.
        kind: TemplateButton,
        /// Its position among the template's buttons, from 0.
        index: u32,
        /// Its values.
        values: Vec<TemplateValue>,
    },
}

/// The kind of a template button given values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TemplateButton {
    /// A quick reply (value: `Payload`).
    QuickReply,
    /// A URL with a variable suffix (value: `Text`).
    Url,
    /// A copy-code button (value: `CouponCode`).
    CopyCode,
}

/// One variable value of a template.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TemplateValue {
    /// A text, optionally for a named variable.
    Text {
        /// The text.
        text: String,
        /// The variable's name, for templates with named variables.
        name: Option<String>,
    },
    /// A currency amount.
    Currency {
        /// Text shown where the amount cannot be localized.
        fallback: String,
        /// ISO 4217 code.
        code: String,
        /// The amount multiplied by 1000.
        amount_1000: i64,
    },
    /// A date and time, as text.
    DateTime(String),
    /// The header image.
    Image(MediaSource),
    /// The header video.
    Video(MediaSource),
    /// The header document, with the file name the recipient sees.
    Document(MediaSource, Option<String>),
    /// The header location.
    Location(Location),
    /// The payload a quick-reply button returns.
    Payload(String),
    /// The code a copy-code button copies.
    CouponCode(String),
}

impl TemplateValue {
    /// A text value for a positional variable.
    pub fn text(text: impl Into<String>) -> Self {
        TemplateValue::Text { text: text.into(), name: None }
    }
}

/// The header of an interactive message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Header {
    /// A text header.
    Text(String),
    /// An image header (reply buttons only).
    Image(MediaSource),
    /// A video header (reply buttons only).
    Video(MediaSource),
    /// A document header (reply buttons only).
    Document(MediaSource),
}

/// A message with up to three reply buttons.
#[derive(Debug, Clone, PartialEq, Eq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct Buttons {
    /// The text above the buttons.
    pub body: String,
    /// The header.
    pub header: Option<Header>,
    /// The footer text.
    pub footer: Option<String>,
    /// The buttons.
    pub buttons: Vec<Choice>,
}

/// A list menu opened by a button.
#[derive(Debug, Clone, PartialEq, Eq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct List {
    /// The text above the menu button.
    pub body: String,
    /// The label of the button that opens the menu.
    pub button: String,
    /// The sections of the menu.
    pub sections: Vec<ListSection>,
    /// A text header.
    pub header: Option<String>,
    /// The footer text.
    pub footer: Option<String>,
}

/// A section of a list menu.
#[derive(Debug, Clone, PartialEq, Eq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct ListSection {
    /// The section's heading.
    pub title: Option<String>,
    /// Its choices.
    pub rows: Vec<Choice>,
}

/// A reply button or a list row: the id the webhook reports when chosen, and its label.
#[derive(Debug, Clone, PartialEq, Eq, Builder)]
#[non_exhaustive]
#[builder(on(_, into), derive(Into))]
pub struct Choice {
    /// The id reported when it is chosen.
    #[builder(start_fn)]
    pub id: String,
    /// The label.
    #[builder(start_fn)]
    pub title: String,
    /// Secondary text (list rows only).
    pub description: Option<String>,
}
