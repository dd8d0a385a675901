//! Verloop: the message model mapped onto `send_message` (`specs/verloop-partner.yaml`,
//! `OutgoingMessage`: Meta's Cloud API message objects), and its signed webhooks mapped onto
//! [`InboundEvent`]s.

use serde_json::Value;
use verloop_partner::operations::PhoneNumberTokenOperations;
use verloop_partner::types::{self as api, MessagingProduct, OutgoingMessage as Wire};
use verloop_partner::webhook::{Event, Verifier, WebhookError};
use verloop_partner::{Messaging, SystemUserToken};

use crate::Error;
use crate::capability::{Feature, Provider};
use crate::event::{
    DeliveryStatus, InboundEvent, ReceivedContent, ReceivedMedia, ReceivedMessage, StatusChange, TemplateStatusChange,
    UnknownEvent,
};
use crate::message::{
    Buttons, Choice, ContactCard, Content, Header, List, Location, MediaSource, OutgoingMessage, Recipient,
    TemplateButton, TemplateComponent, TemplateValue,
};
use crate::messenger::{Messenger, ProviderResponse, Receipt};

const VERLOOP: Provider = Provider::Verloop;

/// Sends from one phone number of a Verloop client (its Phone Number token).
///
/// Verloop's `send_message` takes no idempotency key: a message's key is not sent. The client
/// sends such a request again only when it cannot have been processed (the connection failed, or
/// a 429), so its retries never deliver twice; a timeout is returned to the service, which cannot
/// tell whether Verloop delivered the message.
#[derive(Debug, Clone)]
pub struct VerloopMessenger {
    messaging: Messaging,
}

impl VerloopMessenger {
    /// Sends through `messaging` (from `Management::phone_token` or `Messaging::new`).
    pub fn new(messaging: Messaging) -> Self {
        Self { messaging }
    }
}

impl Messenger for VerloopMessenger {
    fn provider(&self) -> Provider {
        VERLOOP
    }

    async fn send(&self, message: OutgoingMessage) -> Result<Receipt, Error> {
        let OutgoingMessage { to, content, reply_to, idempotency_key: _ } = message;
        let wire = request(content, reply_to, &to)?;
        let body = api::SendMessageRequest::builder().messages(vec![wire]);
        let answer = self.messaging.send_message(body).send().await?.into_inner();
        // One message was sent: a success entry is its outcome; an error entry alone, its refusal.
        if answer.success_messages.is_empty()
            && let Some(refused) = answer.error_messages.first()
        {
            return Err(Error::VerloopRefused {
                error: refused.error.clone().unwrap_or_default(),
                message: refused.message.clone(),
            });
        }
        let message_id = answer.success_messages.first().and_then(|sent| sent.id.clone());
        Ok(Receipt { message_id, recipient: to, response: ProviderResponse::Verloop(answer) })
    }
}

fn unsupported(feature: Feature) -> Error {
    Error::Unsupported { provider: VERLOOP, feature }
}

/// Sets the envelope every message has (product, recipient, quoted message) on a variant's
/// builder and builds it.
macro_rules! addressed {
    ($builder:expr, $to:expr, $context:expr) => {
        $builder.messaging_product(MessagingProduct::Whatsapp).to($to).maybe_context($context).build()
    };
}

/// The one message of the `send_message` body, or the first feature Verloop lacks.
pub(crate) fn request(content: Content, reply_to: Option<String>, to: &Recipient) -> Result<Wire, Error> {
    let to = match to {
        Recipient::Phone(phone) => phone.clone(),
        Recipient::Channel(_) => return Err(unsupported(Feature::ChannelPost)),
    };
    let context = reply_to.map(|id| api::MessageContext::builder().message_id(id).build());
    Ok(match content {
        Content::Text(text) => {
            let text = api::TextContent::builder().body(text.body).maybe_preview_url(text.preview_url.then_some(true));
            addressed!(Wire::text().text(text), to, context)
        }
        Content::Image(image) => {
            if image.view_once {
                return Err(unsupported(Feature::ViewOnce));
            }
            addressed!(Wire::image().image(image_content(image.source, image.caption)), to, context)
        }
        Content::Video(video) => {
            if video.view_once {
                return Err(unsupported(Feature::ViewOnce));
            }
            addressed!(Wire::video().video(video_content(video.source, video.caption)), to, context)
        }
        Content::Audio(audio) => {
            let (id, link) = split(audio.source);
            addressed!(Wire::audio().audio(api::AudioContent::builder().maybe_id(id).maybe_link(link)), to, context)
        }
        Content::Document(document) => {
            if document.mime_type.is_some() {
                return Err(unsupported(Feature::DocumentMimeType));
            }
            let content = document_content(document.source, document.caption, document.file_name);
            addressed!(Wire::document().document(content), to, context)
        }
        Content::Sticker(sticker) => {
            let (id, link) = split(sticker.source);
            addressed!(
                Wire::sticker().sticker(api::StickerContent::builder().maybe_id(id).maybe_link(link)),
                to,
                context
            )
        }
        Content::Location(location) => addressed!(Wire::location().location(location_content(location)), to, context),
        Content::Contacts(cards) => {
            addressed!(Wire::contacts().contacts(cards.into_iter().map(contact).collect::<Vec<_>>()), to, context)
        }
        Content::Poll(_) => return Err(unsupported(Feature::Poll)),
        Content::Reaction(reaction) => {
            let reaction = api::ReactionContent::builder().message_id(reaction.message_id).emoji(reaction.emoji);
            addressed!(Wire::reaction().reaction(reaction), to, context)
        }
        Content::Template(template) => {
            let components = template.components.into_iter().map(template_component).collect::<Vec<_>>();
            let template = api::TemplateContent::builder()
                .name(template.name)
                .language(api::TemplateLanguage::builder().code(template.language))
                .components(components);
            addressed!(Wire::template().template(template), to, context)
        }
        Content::Buttons(buttons) => addressed!(Wire::interactive().interactive(reply_buttons(buttons)?), to, context),
        Content::List(list) => addressed!(Wire::interactive().interactive(list_menu(list)), to, context),
    })
}

/// A media source as Meta's `id` or `link`.
fn split(source: MediaSource) -> (Option<String>, Option<String>) {
    match source {
        MediaSource::Uploaded(id) => (Some(id), None),
        MediaSource::Link(url) => (None, Some(url)),
    }
}

fn image_content(source: MediaSource, caption: Option<String>) -> api::ImageContent {
    let (id, link) = split(source);
    api::ImageContent::builder().maybe_id(id).maybe_link(link).maybe_caption(caption).build()
}

fn video_content(source: MediaSource, caption: Option<String>) -> api::VideoContent {
    let (id, link) = split(source);
    api::VideoContent::builder().maybe_id(id).maybe_link(link).maybe_caption(caption).build()
}

fn document_content(source: MediaSource, caption: Option<String>, file_name: Option<String>) -> api::DocumentContent {
    let (id, link) = split(source);
    api::DocumentContent::builder()
        .maybe_id(id)
        .maybe_link(link)
        .maybe_caption(caption)
        .maybe_filename(file_name)
        .build()
}

fn location_content(location: Location) -> api::LocationContent {
    api::LocationContent::builder()
        .latitude(location.latitude)
        .longitude(location.longitude)
        .maybe_name(location.name)
        .maybe_address(location.address)
        .build()
}

fn contact(card: ContactCard) -> api::Contact {
    let name = api::ContactName::builder()
        .formatted_name(card.formatted_name)
        .maybe_first_name(card.first_name)
        .maybe_last_name(card.last_name);
    let phones = card
        .phones
        .into_iter()
        .map(|phone| {
            api::ContactPhone::builder().phone(phone.number).maybe_type_(phone.label).maybe_wa_id(phone.wa_id).build()
        })
        .collect::<Vec<_>>();
    let emails = card
        .emails
        .into_iter()
        .map(|email| api::ContactEmail::builder().email(email.value).maybe_type_(email.label).build())
        .collect::<Vec<_>>();
    let urls = card
        .urls
        .into_iter()
        .map(|url| api::ContactUrl::builder().url(url.value).maybe_type_(url.label).build())
        .collect::<Vec<_>>();
    let addresses = card
        .addresses
        .into_iter()
        .map(|address| {
            api::ContactAddress::builder()
                .maybe_street(address.street)
                .maybe_city(address.city)
                .maybe_state(address.state)
                .maybe_zip(address.zip)
                .maybe_country(address.country)
                .maybe_country_code(address.country_code)
                .maybe_type_(address.label)
                .build()
        })
        .collect::<Vec<_>>();
    let org = (card.company.is_some() || card.title.is_some())
        .then(|| api::ContactOrg::builder().maybe_company(card.company).maybe_title(card.title).build());
    api::Contact::builder()
        .name(name)
        .phones(phones)
        .emails(emails)
        .urls(urls)
        .addresses(addresses)
        .maybe_org(org)
        .maybe_birthday(card.birthday)
        .build()
}

fn template_component(component: TemplateComponent) -> api::TemplateMessageComponent {
    use api::TemplateMessageComponentType as Part;
    let (part, button, values) = match component {
        TemplateComponent::Header(values) => (Part::Header, None, values),
        TemplateComponent::Body(values) => (Part::Body, None, values),
        TemplateComponent::Button { kind, index, values } => (Part::Button, Some((kind, index)), values),
    };
    let sub_type = button.map(|(kind, _)| match kind {
        TemplateButton::QuickReply => api::TemplateButtonSubType::QuickReply,
        TemplateButton::Url => api::TemplateButtonSubType::Url,
        TemplateButton::CopyCode => api::TemplateButtonSubType::CopyCode,
    });
    api::TemplateMessageComponent::builder()
        .type_(part)
        .maybe_sub_type(sub_type)
        .maybe_index(button.map(|(_, index)| index.to_string()))
        .parameters(values.into_iter().map(template_parameter).collect::<Vec<_>>())
        .build()
}

fn template_parameter(value: TemplateValue) -> api::TemplateParameter {
    use api::TemplateParameter as Parameter;
    match value {
        TemplateValue::Text { text, name } => Parameter::text(text).maybe_parameter_name(name).build(),
        TemplateValue::Currency { fallback, code, amount_1000 } => Parameter::currency(
            api::TemplateCurrency::builder().fallback_value(fallback).code(code).amount_1000(amount_1000),
        )
        .build(),
        TemplateValue::DateTime(text) => {
            Parameter::date_time(api::TemplateDateTime::builder().fallback_value(text)).build()
        }
        TemplateValue::Image(source) => Parameter::image(image_content(source, None)).build(),
        TemplateValue::Video(source) => Parameter::video(video_content(source, None)).build(),
        TemplateValue::Document(source, file_name) => {
            Parameter::document(document_content(source, None, file_name)).build()
        }
        TemplateValue::Location(location) => Parameter::location(location_content(location)).build(),
        TemplateValue::Payload(payload) => Parameter::payload(payload).build(),
        TemplateValue::CouponCode(code) => Parameter::coupon_code(code).build(),
    }
}

fn interactive_text(text: String) -> api::InteractiveText {
    api::InteractiveText::builder().text(text).build()
}

fn reply_buttons(buttons: Buttons) -> Result<api::InteractiveContent, Error> {
    use api::InteractiveHeaderType as Kind;
    let header = buttons.header.map(|header| {
        let builder = api::InteractiveHeader::builder();
        match header {
            Header::Text(text) => builder.type_(Kind::Text).text(text).build(),
            Header::Image(source) => builder.type_(Kind::Image).image(image_content(source, None)).build(),
            Header::Video(source) => builder.type_(Kind::Video).video(video_content(source, None)).build(),
            Header::Document(source) => {
                builder.type_(Kind::Document).document(document_content(source, None, None)).build()
            }
        }
    });
    let mut replies = Vec::with_capacity(buttons.buttons.len());
    for Choice { id, title, description } in buttons.buttons {
        if description.is_some() {
            return Err(Error::InvalidMessage { provider: VERLOOP, reason: "a reply button has no description" });
        }
        replies.push(
            api::InteractiveReplyButton::builder()
                .type_(api::InteractiveReplyButtonType::Reply)
                .reply(api::InteractiveReply::builder().id(id).title(title))
                .build(),
        );
    }
    Ok(api::InteractiveContent::builder()
        .type_(api::InteractiveType::Button)
        .maybe_header(header)
        .body(interactive_text(buttons.body))
        .maybe_footer(buttons.footer.map(interactive_text))
        .action(api::InteractiveAction::builder().buttons(replies))
        .build())
}

fn list_menu(list: List) -> api::InteractiveContent {
    let sections = list
        .sections
        .into_iter()
        .map(|section| {
            let rows = section
                .rows
                .into_iter()
                .map(|row| {
                    api::InteractiveListRow::builder()
                        .id(row.id)
                        .title(row.title)
                        .maybe_description(row.description)
                        .build()
                })
                .collect::<Vec<_>>();
            api::InteractiveSection::builder().maybe_title(section.title).rows(rows).build()
        })
        .collect::<Vec<_>>();
    let header = list
        .header
        .map(|text| api::InteractiveHeader::builder().type_(api::InteractiveHeaderType::Text).text(text).build());
    api::InteractiveContent::builder()
        .type_(api::InteractiveType::List)
        .maybe_header(header)
        .body(interactive_text(list.body))
        .maybe_footer(list.footer.map(interactive_text))
        .action(api::InteractiveAction::builder().button(list.button).sections(sections))
        .build()
}

// ------------------------------------------------------------------------------------ webhooks

/// Receives Verloop's webhooks: checks `X-Partner-Signature-256` against the raw body, then
/// turns the delivery into [`InboundEvent`]s.
#[derive(Debug, Clone)]
pub struct VerloopWebhooks {
    verifier: Verifier,
}

impl VerloopWebhooks {
    /// Verifies deliveries with the partner's current System User token.
    pub fn new(token: SystemUserToken) -> Self {
        Self { verifier: Verifier::new(token) }
    }

    /// With a verifier configured by the caller (drift detection, sampling).
    pub fn with_verifier(verifier: Verifier) -> Self {
        Self { verifier }
    }

    /// Verifies a delivery, then maps it onto events. Only a bad signature is an error: a body
    /// this version cannot read comes back as one [`InboundEvent::Unknown`] holding it.
    pub fn receive(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<Vec<InboundEvent>, Error> {
        match self.verifier.verify_and_parse(headers, body) {
            Ok(events) => Ok(events.into_iter().map(inbound).collect()),
            Err(WebhookError::Signature(source)) => Err(Error::Signature { provider: VERLOOP, source }),
            Err(WebhookError::Body(_)) => Ok(vec![unknown("delivery", raw_body(body))]),
        }
    }
}

fn raw_body(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

fn unknown(kind: &str, raw: Value) -> InboundEvent {
    InboundEvent::Unknown(UnknownEvent { provider: VERLOOP, kind: kind.to_string(), raw })
}

/// `value` as JSON, for an event kept as unknown.
fn as_json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn inbound(event: Event) -> InboundEvent {
    match event {
        Event::Message { metadata, contacts, message, .. } => {
            let sender_name = contacts
                .iter()
                .find(|contact| contact.wa_id.is_some() && contact.wa_id == message.from)
                .or(contacts.first())
                .and_then(|contact| contact.profile.as_ref()?.name.clone());
            let business_number = metadata.and_then(|metadata| metadata.display_phone_number);
            received(*message, sender_name, business_number)
        }
        Event::Status { status, .. } => status_change(*status),
        Event::TemplateStatus { update, .. } => InboundEvent::TemplateStatus(TemplateStatusChange {
            provider: VERLOOP,
            event: update.event.as_ref().map_or("", |event| event.as_str()).to_string(),
            name: update.message_template_name,
            language: update.message_template_language,
            template_id: update.message_template_id,
            reason: update.reason,
        }),
        Event::Unknown { field, value, .. } => unknown(&field, value),
        // A kind of event a newer `verloop-partner` models: kept, described by its `Debug`.
        other => unknown("event", Value::String(format!("{other:?}"))),
    }
}

fn received(
    message: api::IncomingMessage,
    sender_name: Option<String>,
    business_number: Option<String>,
) -> InboundEvent {
    let (Some(id), Some(from), Some(content)) = (message.id.clone(), message.from.clone(), received_content(&message))
    else {
        return unknown("messages", as_json(&message));
    };
    InboundEvent::Message(ReceivedMessage {
        provider: VERLOOP,
        id,
        from,
        sender_name,
        business_number,
        timestamp: message.timestamp,
        reply_to: message.context.and_then(|context| context.id),
        content,
    })
}

fn received_content(message: &api::IncomingMessage) -> Option<ReceivedContent> {
    use api::IncomingMessageType as Type;
    let media = |media: &Option<api::IncomingMedia>| {
        let media = media.as_ref()?;
        Some(ReceivedMedia {
            id: media.id.clone()?,
            mime_type: media.mime_type.clone(),
            caption: media.caption.clone(),
            file_name: media.filename.clone(),
        })
    };
    Some(match message.type_.as_ref()? {
        Type::Text => ReceivedContent::Text(message.text.as_ref()?.body.clone()?),
        Type::Image => ReceivedContent::Image(media(&message.image)?),
        Type::Video => ReceivedContent::Video(media(&message.video)?),
        Type::Audio => ReceivedContent::Audio(media(&message.audio)?),
        Type::Document => ReceivedContent::Document(media(&message.document)?),
        Type::Sticker => ReceivedContent::Sticker(media(&message.sticker)?),
        Type::Location => {
            let pin = message.location.as_ref()?;
            ReceivedContent::Location(
                Location::builder()
                    .latitude(pin.latitude)
                    .longitude(pin.longitude)
                    .maybe_name(pin.name.clone())
                    .maybe_address(pin.address.clone())
                    .build(),
            )
        }
        Type::Contacts => ReceivedContent::Contacts(message.contacts.iter().map(card).collect()),
        Type::Reaction => {
            let reaction = message.reaction.as_ref()?;
            ReceivedContent::Reaction {
                message_id: reaction.message_id.clone()?,
                emoji: reaction.emoji.clone().filter(|emoji| !emoji.is_empty()),
            }
        }
        Type::Interactive => {
            let interactive = message.interactive.as_ref()?;
            let choice = interactive.button_reply.as_ref().or(interactive.list_reply.as_ref())?;
            ReceivedContent::Choice { id: choice.id.clone()?, title: choice.title.clone() }
        }
        Type::Button => {
            let button = message.button.as_ref()?;
            ReceivedContent::TemplateButton { payload: button.payload.clone(), text: button.text.clone() }
        }
        _ => return None,
    })
}

/// A received contact card in the message model.
fn card(contact: &api::Contact) -> ContactCard {
    let labelled = |value: &Option<String>, label: &Option<String>| {
        crate::message::Labelled::builder(value.clone().unwrap_or_default()).maybe_label(label.clone()).build()
    };
    ContactCard::builder()
        .formatted_name(contact.name.formatted_name.clone())
        .maybe_first_name(contact.name.first_name.clone())
        .maybe_last_name(contact.name.last_name.clone())
        .phones(
            contact
                .phones
                .iter()
                .map(|phone| {
                    crate::message::ContactPhone::builder(phone.phone.clone().unwrap_or_default())
                        .maybe_label(phone.type_.clone())
                        .maybe_wa_id(phone.wa_id.clone())
                        .build()
                })
                .collect::<Vec<_>>(),
        )
        .emails(contact.emails.iter().map(|email| labelled(&email.email, &email.type_)).collect::<Vec<_>>())
        .urls(contact.urls.iter().map(|url| labelled(&url.url, &url.type_)).collect::<Vec<_>>())
        .maybe_company(contact.org.as_ref().and_then(|org| org.company.clone()))
        .maybe_title(contact.org.as_ref().and_then(|org| org.title.clone()))
        .maybe_birthday(contact.birthday.clone())
        .addresses(
            contact
                .addresses
                .iter()
                .map(|address| {
                    crate::message::PostalAddress::builder()
                        .maybe_street(address.street.clone())
                        .maybe_city(address.city.clone())
                        .maybe_state(address.state.clone())
                        .maybe_zip(address.zip.clone())
                        .maybe_country(address.country.clone())
                        .maybe_country_code(address.country_code.clone())
                        .maybe_label(address.type_.clone())
                        .build()
                })
                .collect::<Vec<_>>(),
        )
        .build()
}

fn status_change(status: api::MessageStatus) -> InboundEvent {
    use api::MessageStatusValue as Value;
    let (Some(message_id), Some(value)) = (status.id.clone(), status.status.as_ref()) else {
        return unknown("messages", as_json(&status));
    };
    let delivery = match value {
        Value::Sent => DeliveryStatus::Sent,
        Value::Delivered => DeliveryStatus::Delivered,
        Value::Read => DeliveryStatus::Read,
        Value::Deleted => DeliveryStatus::Deleted,
        Value::Failed => DeliveryStatus::Failed {
            reason: status.errors.first().map(|error| {
                let text = error.title.as_deref().or(error.message.as_deref()).unwrap_or("no reason given");
                match error.code {
                    Some(code) => format!("{code}: {text}"),
                    None => text.to_string(),
                }
            }),
        },
        other => DeliveryStatus::Other(other.as_str().to_string()),
    };
    InboundEvent::Status(StatusChange {
        provider: VERLOOP,
        message_id,
        recipient: status.recipient_id,
        status: delivery,
        timestamp: status.timestamp,
    })
}
