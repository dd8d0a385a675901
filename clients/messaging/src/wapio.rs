//! Sending through Wapio: the message model mapped onto `send_message` (`specs/wapio.yaml`,
//! `SendMessageRequest`, one variant per `kind`).

use wapio::operations::{AccountTokenOperations, SessionKeyOperations};
use wapio::types::{self as api, SendMessageRequest};
use wapio::{AccountToken, SessionKey};

use crate::Error;
use crate::capability::{Feature, Provider};
use crate::message::{ContactCard, Content, MediaSource, OutgoingMessage, Recipient};
use crate::messenger::{Messenger, ProviderResponse, Receipt};

const WAPIO: Provider = Provider::Wapio;

/// Sends through one Wapio session.
///
/// Wapio takes the service's idempotency key as its `Idempotency-Key` header: retries of a send
/// (the client's, or the service's own with the same key) deliver the message once. Without a
/// key, the client sends a fresh UUID v4, kept across its own retries.
#[derive(Debug, Clone)]
pub struct WapioMessenger {
    sender: Sender,
}

#[derive(Debug, Clone)]
enum Sender {
    /// An account token names the sending session in each body.
    Account { client: wapio::Client<AccountToken>, session_id: String },
    /// A session key sends from its own session.
    Session(wapio::Client<SessionKey>),
}

impl WapioMessenger {
    /// Sends from `session_id` with an account token (`bps_pat_…`).
    pub fn with_account_token(client: wapio::Client<AccountToken>, session_id: impl Into<String>) -> Self {
        Self { sender: Sender::Account { client, session_id: session_id.into() } }
    }

    /// Sends from the session of a session-scoped key (`bps_sk_…`).
    pub fn with_session_key(client: wapio::Client<SessionKey>) -> Self {
        Self { sender: Sender::Session(client) }
    }
}

impl Messenger for WapioMessenger {
    fn provider(&self) -> Provider {
        WAPIO
    }

    async fn send(&self, message: OutgoingMessage) -> Result<Receipt, Error> {
        let session_id = match &self.sender {
            Sender::Account { session_id, .. } => Some(session_id.clone()),
            Sender::Session(_) => None,
        };
        let OutgoingMessage { to, content, reply_to, idempotency_key } = message;
        let body = request(content, reply_to, session_id, &to)?;
        let accepted = match &self.sender {
            Sender::Account { client, .. } => {
                client.send_message(body).maybe_idempotency_key(idempotency_key).send().await?
            }
            Sender::Session(client) => client.send_message(body).maybe_idempotency_key(idempotency_key).send().await?,
        }
        .into_inner();
        Ok(Receipt { message_id: accepted.msg_id.clone(), recipient: to, response: ProviderResponse::Wapio(accepted) })
    }
}

/// Sets the sender and the recipient (`to`, or `channel_id` for a channel post) on a variant's
/// builder and builds it.
macro_rules! addressed {
    ($builder:expr, $session_id:expr, $to:expr) => {{
        let (to, channel_id) = match $to {
            Recipient::Phone(phone) => (Some(phone.clone()), None),
            Recipient::Channel(channel) => (None, Some(channel.clone())),
        };
        $builder.maybe_session_id($session_id).maybe_to(to).maybe_channel_id(channel_id).build()
    }};
}

/// The `send_message` body for `content`, or the first feature Wapio lacks.
pub(crate) fn request(
    content: Content,
    reply_to: Option<String>,
    session_id: Option<String>,
    to: &Recipient,
) -> Result<SendMessageRequest, Error> {
    if reply_to.is_some() {
        return Err(unsupported(Feature::Reply));
    }
    Ok(match content {
        Content::Text(text) => {
            if text.preview_url {
                return Err(unsupported(Feature::UrlPreview));
            }
            addressed!(SendMessageRequest::text(text.body), session_id, to)
        }
        Content::Image(image) => addressed!(
            SendMessageRequest::image(link(image.source)?)
                .maybe_caption(image.caption)
                .maybe_view_once(image.view_once.then_some(true)),
            session_id,
            to
        ),
        Content::Video(video) => addressed!(
            SendMessageRequest::video(link(video.source)?)
                .maybe_caption(video.caption)
                .maybe_view_once(video.view_once.then_some(true)),
            session_id,
            to
        ),
        Content::Audio(audio) => addressed!(SendMessageRequest::audio(link(audio.source)?), session_id, to),
        Content::Document(document) => addressed!(
            SendMessageRequest::document(link(document.source)?)
                .maybe_caption(document.caption)
                .maybe_file_name(document.file_name)
                .maybe_mime_type(document.mime_type),
            session_id,
            to
        ),
        Content::Sticker(sticker) => addressed!(SendMessageRequest::sticker(link(sticker.source)?), session_id, to),
        Content::Location(location) => {
            let pin = api::LocationPayload::builder()
                .latitude(location.latitude)
                .longitude(location.longitude)
                .maybe_name(location.name)
                .maybe_address(location.address);
            addressed!(SendMessageRequest::location(pin), session_id, to)
        }
        Content::Contacts(cards) => addressed!(SendMessageRequest::contact(contact_card(cards)?), session_id, to),
        Content::Poll(poll) => {
            let payload = api::PollPayload::builder()
                .question(poll.question)
                .options(poll.options)
                .maybe_multi_select(poll.multi_select.then_some(true));
            addressed!(SendMessageRequest::poll(payload), session_id, to)
        }
        Content::Reaction(_) => return Err(unsupported(Feature::Reaction)),
        Content::Template(_) => return Err(unsupported(Feature::Template)),
        Content::Buttons(_) => return Err(unsupported(Feature::Buttons)),
        Content::List(_) => return Err(unsupported(Feature::List)),
    })
}

fn unsupported(feature: Feature) -> Error {
    Error::Unsupported { provider: WAPIO, feature }
}

/// Wapio fetches media from a public URL only.
fn link(source: MediaSource) -> Result<String, Error> {
    match source {
        MediaSource::Link(url) => Ok(url),
        MediaSource::Uploaded(_) => Err(unsupported(Feature::MediaUploaded)),
    }
}

/// Wapio's one card: a name and one phone number, nothing else.
fn contact_card(cards: Vec<ContactCard>) -> Result<api::ContactCard, Error> {
    let [card] = <[ContactCard; 1]>::try_from(cards).map_err(|_| unsupported(Feature::ContactDetails))?;
    let ContactCard {
        formatted_name,
        first_name,
        last_name,
        mut phones,
        emails,
        urls,
        company,
        title,
        birthday,
        addresses,
    } = card;
    let extra_names = first_name.is_some() || last_name.is_some();
    let extra_details = !emails.is_empty()
        || !urls.is_empty()
        || company.is_some()
        || title.is_some()
        || birthday.is_some()
        || !addresses.is_empty();
    let Some(phone) = phones.pop() else {
        return Err(Error::InvalidMessage { provider: WAPIO, reason: "a contact card needs a phone number" });
    };
    if extra_names || extra_details || !phones.is_empty() || phone.label.is_some() || phone.wa_id.is_some() {
        return Err(unsupported(Feature::ContactDetails));
    }
    Ok(api::ContactCard::builder().full_name(formatted_name).phone_number(phone.number).build())
}
