//! Verloop: the message model mapped onto `send_message` (`specs/verloop-partner.yaml`,
//! `OutgoingMessage`: Meta's Cloud API message objects), and its signed webhooks mapped onto
//! [`InboundEvent`](crate::InboundEvent)s (`webhooks.rs`).

mod webhooks;

pub use webhooks::VerloopWebhooks;

use verloop_partner::Messaging;
use verloop_partner::operations::PhoneNumberTokenOperations;
use verloop_partner::types::{self as api, OutgoingMessage as Wire};

use crate::Error;
use crate::capability::{Feature, Provider};
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

/// Sets the envelope every message has (recipient, quoted message) on a variant's builder and
/// builds it; `messaging_product` is filled in by the builder.
macro_rules! addressed {
    ($builder:expr, $to:expr, $context:expr) => {
        $builder.to($to).maybe_context($context).build()
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
            addressed!(Wire::text(text), to, context)
        }
        Content::Image(image) => {
            if image.view_once {
                return Err(unsupported(Feature::ViewOnce));
            }
            addressed!(Wire::image(image_content(image.source, image.caption)), to, context)
        }
        Content::Video(video) => {
            if video.view_once {
                return Err(unsupported(Feature::ViewOnce));
            }
            addressed!(Wire::video(video_content(video.source, video.caption)), to, context)
        }
        Content::Audio(audio) => {
            let (id, link) = split(audio.source);
            addressed!(Wire::audio(api::AudioContent::builder().maybe_id(id).maybe_link(link)), to, context)
        }
        Content::Document(document) => {
            if document.mime_type.is_some() {
                return Err(unsupported(Feature::DocumentMimeType));
            }
            let content = document_content(document.source, document.caption, document.file_name);
            addressed!(Wire::document(content), to, context)
        }
        Content::Sticker(sticker) => {
            let (id, link) = split(sticker.source);
            addressed!(Wire::sticker(api::StickerContent::builder().maybe_id(id).maybe_link(link)), to, context)
        }
        Content::Location(location) => addressed!(Wire::location(location_content(location)), to, context),
        Content::Contacts(cards) => {
            addressed!(Wire::contacts(cards.into_iter().map(contact).collect::<Vec<_>>()), to, context)
        }
        Content::Poll(_) => return Err(unsupported(Feature::Poll)),
        Content::Reaction(reaction) => {
            let reaction = api::ReactionContent::builder().message_id(reaction.message_id).emoji(reaction.emoji);
            addressed!(Wire::reaction(reaction), to, context)
        }
        Content::Template(template) => {
            let components = template.components.into_iter().map(template_component).collect::<Vec<_>>();
            let template = api::TemplateContent::builder()
                .name(template.name)
                .language(api::TemplateLanguage::builder().code(template.language))
                .components(components);
            addressed!(Wire::template(template), to, context)
        }
        Content::Buttons(buttons) => addressed!(Wire::interactive(reply_buttons(buttons)?), to, context),
        Content::List(list) => addressed!(Wire::interactive(list_menu(list)), to, context),
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
            api::InteractiveReplyButton::builder().reply(api::InteractiveReply::builder().id(id).title(title)).build(),
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
