//! Verloop's signed webhooks as inbound events: the six documented examples of
//! `specs/verloop-partner.yaml` (`x-webhook-examples`), a tampered delivery, and deliveries this
//! version does not model.

use crate::support;

use serde_json::{Value, json};
use verloop_partner::SystemUserToken;
use verloop_partner::webhook::{SIGNATURE_HEADER, VerifyError, sign};
use whatsapp_messaging::{
    DeliveryStatus, Error, InboundEvent, Provider, ReceivedContent, StatusChange, TemplateStatusChange, VerloopWebhooks,
};

const KEY: &str = "system-user-token";

fn key() -> SystemUserToken {
    SystemUserToken::new(KEY).unwrap()
}

fn example(name: &str) -> Vec<u8> {
    let spec = support::spec("verloop-partner.yaml");
    let example = spec.pointer(&format!("/x-webhook-examples/{name}/example")).unwrap_or_else(|| panic!("{name}"));
    serde_json::to_vec(example).unwrap()
}

fn signed_headers(body: &[u8]) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    headers.insert(SIGNATURE_HEADER, sign(&key(), body).parse().unwrap());
    headers
}

fn receive(body: &[u8]) -> Vec<InboundEvent> {
    VerloopWebhooks::new(key()).receive(&signed_headers(body), body).expect("a signed delivery is accepted")
}

fn one(events: Vec<InboundEvent>) -> InboundEvent {
    let [event] = <[InboundEvent; 1]>::try_from(events).expect("one event");
    event
}

fn template_status(name: &str) -> TemplateStatusChange {
    match one(receive(&example(name))) {
        InboundEvent::TemplateStatus(change) => change,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn the_six_documented_examples_are_six_typed_events() {
    let spec = support::spec("verloop-partner.yaml");
    let names: Vec<&String> = spec["x-webhook-examples"].as_object().unwrap().keys().collect();
    assert_eq!(names.len(), 6, "{names:?}");

    let InboundEvent::Message(message) = one(receive(&example("incoming_text_message"))) else { panic!() };
    assert_eq!(message.provider, Provider::Verloop);
    assert_eq!((message.id.as_str(), message.from.as_str()), ("wamid.ID", "PHONE_NUMBER"));
    assert_eq!(message.sender_name.as_deref(), Some("NAME"));
    assert_eq!(message.business_number.as_deref(), Some("PHONE_NUMBER"));
    assert_eq!(message.timestamp.as_deref(), Some("TIMESTAMP"));
    assert_eq!(message.reply_to, None);
    assert_eq!(message.content, ReceivedContent::Text("MESSAGE_BODY".into()));

    let InboundEvent::Status(StatusChange { provider, message_id, recipient, status, timestamp, .. }) =
        one(receive(&example("message_status_sent")))
    else {
        panic!()
    };
    assert_eq!(provider, Provider::Verloop);
    assert_eq!(message_id, "WHATSAPP_MESSAGE_ID");
    assert_eq!(recipient.as_deref(), Some("CUSTOMER_PHONE_NUMBER"));
    assert_eq!(status, DeliveryStatus::Sent);
    assert_eq!(timestamp.as_deref(), Some("TIMESTAMP"));

    for name in ["template_event", "template_approved"] {
        let change = template_status(name);
        assert_eq!(change.event, "APPROVED", "{name}");
        assert_eq!(change.name.as_deref(), Some("<TEMPLATE_NAME>"), "{name}");
        assert_eq!(change.language.as_deref(), Some("<LANGUAGE_AND_LOCALE_CODE>"), "{name}");
        assert_eq!(change.template_id, Some(1234567890123456), "{name}");
        assert_eq!(change.reason.as_deref(), Some("NONE"), "{name}");
    }
    let rejected = template_status("template_rejected");
    assert_eq!((rejected.event.as_str(), rejected.reason.as_deref()), ("REJECTED", Some("<REJECTION_REASON>")));
    let flagged = template_status("template_flagged");
    assert_eq!((flagged.event.as_str(), flagged.reason.as_deref()), ("FLAGGED", None));
    assert_eq!((flagged.name.as_deref(), flagged.language.as_deref()), (Some("My message template"), Some("en-US")));
}

#[test]
fn a_tampered_delivery_is_refused() {
    let body = example("incoming_text_message");
    let headers = signed_headers(&body);
    let tampered = String::from_utf8(body).unwrap().replace("MESSAGE_BODY", "REFUND ME").into_bytes();
    let error = VerloopWebhooks::new(key()).receive(&headers, &tampered).unwrap_err();
    assert!(
        matches!(error, Error::Signature { provider: Provider::Verloop, source: VerifyError::Mismatch }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "verloop-partner webhook: the X-Partner-Signature-256 signature does not match the body and key"
    );
    assert!(!format!("{error:?}").contains(KEY), "the key never shows");
    assert!(!format!("{:?}", VerloopWebhooks::new(key())).contains(KEY));

    let unsigned = VerloopWebhooks::new(key()).receive(&http::HeaderMap::new(), &example("template_event"));
    assert!(matches!(unsigned, Err(Error::Signature { source: VerifyError::MissingHeader, .. })));
}

fn delivery(value: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "waba-1", "changes": [{"field": "messages", "value": value}]}]
    }))
    .unwrap()
}

#[test]
fn received_kinds_and_a_failed_status_map_onto_the_model() {
    let body = delivery(json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "1065"},
        "contacts": [{"profile": {"name": "Sheena"}, "wa_id": "16505551234"}],
        "messages": [
            {"from": "16505551234", "id": "wamid.1", "timestamp": "1", "type": "image",
             "image": {"id": "media-9", "mime_type": "image/jpeg", "caption": "look"}},
            {"from": "16505551234", "id": "wamid.2", "timestamp": "2", "type": "interactive",
             "context": {"from": "15550783881", "id": "wamid.sent"},
             "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}}},
            {"from": "16505551234", "id": "wamid.3", "timestamp": "3", "type": "reaction",
             "reaction": {"message_id": "wamid.sent", "emoji": "👍"}},
            {"from": "16505551234", "id": "wamid.4", "timestamp": "4", "type": "order",
             "order": {"catalog_id": "c-1", "product_items": []}}
        ],
        "statuses": [{"id": "wamid.sent", "status": "failed", "timestamp": "5", "recipient_id": "16505551234",
                      "errors": [{"code": 131047, "title": "Re-engagement message"}]}]
    }));
    let events = receive(&body);
    assert_eq!(events.len(), 5, "{events:?}");
    let InboundEvent::Message(image) = &events[0] else { panic!("{:?}", events[0]) };
    let ReceivedContent::Image(media) = &image.content else { panic!() };
    assert_eq!((media.id.as_str(), media.caption.as_deref()), ("media-9", Some("look")));
    assert_eq!(image.sender_name.as_deref(), Some("Sheena"));
    let InboundEvent::Message(choice) = &events[1] else { panic!() };
    assert_eq!(choice.content, ReceivedContent::Choice { id: "yes".into(), title: Some("Yes".into()) });
    assert_eq!(choice.reply_to.as_deref(), Some("wamid.sent"));
    let InboundEvent::Message(reaction) = &events[2] else { panic!() };
    assert_eq!(
        reaction.content,
        ReceivedContent::Reaction { message_id: "wamid.sent".into(), emoji: Some("👍".into()) }
    );
    let InboundEvent::Unknown(order) = &events[3] else { panic!("an order is not modelled: {:?}", events[3]) };
    assert_eq!((order.kind.as_str(), order.raw["order"]["catalog_id"].as_str()), ("messages", Some("c-1")));
    let InboundEvent::Status(failed) = &events[4] else { panic!() };
    assert_eq!(failed.status, DeliveryStatus::Failed { reason: Some("131047: Re-engagement message".into()) });
}

#[test]
fn what_is_not_modelled_is_kept_not_dropped() {
    let quality = serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "waba-1", "changes": [{"field": "phone_number_quality_update", "value": {"event": "FLAGGED"}}]}]
    }))
    .unwrap();
    let InboundEvent::Unknown(event) = one(receive(&quality)) else { panic!() };
    assert_eq!((event.provider, event.kind.as_str()), (Provider::Verloop, "phone_number_quality_update"));
    assert_eq!(event.raw, json!({"event": "FLAGGED"}));

    let not_json = b"ping";
    let InboundEvent::Unknown(event) = one(receive(not_json)) else { panic!() };
    assert_eq!((event.kind.as_str(), event.raw.clone()), ("delivery", json!("ping")));
}

#[test]
fn a_received_message_is_answered_to_its_sender_quoting_it() {
    let InboundEvent::Message(message) = one(receive(&example("incoming_text_message"))) else { panic!() };
    let answer = message.reply(whatsapp_messaging::Text::builder().body("Thanks").build());
    assert_eq!(answer.to.as_str(), "PHONE_NUMBER");
    assert_eq!(answer.reply_to.as_deref(), Some("wamid.ID"));
}

#[test]
fn every_received_kind_is_typed() {
    let message = |id: &str, kind: &str, content: Value| {
        let mut message = json!({"from": "16505551234", "id": id, "timestamp": "1", "type": kind});
        message[kind] = content;
        message
    };
    let media = json!({"id": "media-1", "mime_type": "application/pdf", "filename": "a.pdf"});
    let body = delivery(json!({
        "messaging_product": "whatsapp",
        "messages": [
            message("m1", "video", media.clone()),
            message("m2", "audio", media.clone()),
            message("m3", "document", media.clone()),
            message("m4", "sticker", media),
            message("m5", "location", json!({"latitude": 52.5, "longitude": 13.4, "name": "Berlin"})),
            message("m6", "contacts", json!([{"name": {"formatted_name": "Ada"}, "phones": [{"phone": "+1555", "type": "CELL"}]}])),
            message("m7", "interactive", json!({"type": "list_reply", "list_reply": {"id": "pizza", "title": "Pizza"}})),
            message("m8", "button", json!({"payload": "track", "text": "Track"})),
            message("m9", "reaction", json!({"message_id": "wamid.sent"}))
        ]
    }));
    let contents: Vec<ReceivedContent> = receive(&body)
        .into_iter()
        .map(|event| match event {
            InboundEvent::Message(message) => message.content,
            other => panic!("{other:?}"),
        })
        .collect();
    let [video, audio, document, sticker, location, contacts, list_reply, button, reaction] =
        <[ReceivedContent; 9]>::try_from(contents).unwrap();
    for (kind, content) in [("video", video), ("audio", audio), ("document", document), ("sticker", sticker)] {
        let media = match (kind, content) {
            ("video", ReceivedContent::Video(media))
            | ("audio", ReceivedContent::Audio(media))
            | ("document", ReceivedContent::Document(media))
            | ("sticker", ReceivedContent::Sticker(media)) => media,
            (kind, other) => panic!("{kind}: {other:?}"),
        };
        assert_eq!((media.id.as_str(), media.file_name.as_deref()), ("media-1", Some("a.pdf")), "{kind}");
        assert_eq!(media.source(), whatsapp_messaging::MediaSource::Uploaded("media-1".into()));
    }
    let ReceivedContent::Location(pin) = location else { panic!("{location:?}") };
    assert_eq!((pin.latitude, pin.longitude, pin.name.as_deref()), (52.5, 13.4, Some("Berlin")));
    let ReceivedContent::Contacts(cards) = contacts else { panic!("{contacts:?}") };
    assert_eq!(cards[0].formatted_name, "Ada");
    assert_eq!((cards[0].phones[0].number.as_str(), cards[0].phones[0].label.as_deref()), ("+1555", Some("CELL")));
    assert_eq!(list_reply, ReceivedContent::Choice { id: "pizza".into(), title: Some("Pizza".into()) });
    assert_eq!(button, ReceivedContent::TemplateButton { payload: Some("track".into()), text: Some("Track".into()) });
    assert_eq!(reaction, ReceivedContent::Reaction { message_id: "wamid.sent".into(), emoji: None });
}
