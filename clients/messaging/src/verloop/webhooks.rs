//! Verloop's signed webhooks mapped onto [`InboundEvent`]s.

use serde_json::Value;
use verloop_partner::SystemUserToken;
use verloop_partner::types as api;
use verloop_partner::webhook::{Event, Verifier, WebhookError};

use super::VERLOOP;
use crate::Error;
use crate::event::{
    DeliveryStatus, InboundEvent, ReceivedContent, ReceivedMedia, ReceivedMessage, StatusChange, TemplateStatusChange,
    UnknownEvent,
};
use crate::message::{ContactCard, ContactPhone, Labelled, Location, PostalAddress};

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
        Labelled::builder(value.clone().unwrap_or_default()).maybe_label(label.clone()).build()
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
                    ContactPhone::builder(phone.phone.clone().unwrap_or_default())
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
                    PostalAddress::builder()
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
