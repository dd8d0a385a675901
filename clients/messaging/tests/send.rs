//! Every message kind through each provider that can send it, against a local server: the exact
//! body that arrives, checked against the provider spec's request schema; every feature a
//! provider lacks refused before any request; the idempotency key per provider.

use crate::support;

use serde_json::{Value, json};
use support::{
    recording_server, request_schema, schema_problems, spec, verloop_messaging, verloop_sent, wapio_accepted,
    wapio_client,
};
use whatsapp_messaging::{
    Audio, Buttons, Choice, ContactCard, ContactPhone, Content, Document, Error, Feature, Header, Image, Labelled,
    List, ListSection, Location, MediaSource, Messenger, OutgoingMessage, Poll, PostalAddress, Provider,
    ProviderResponse, Reaction, Recipient, Sticker, Template, TemplateButton, TemplateComponent, TemplateValue, Text,
    VerloopMessenger, Video, WapioMessenger,
};

const TO: &str = "15551234567";
const SESSION: &str = "sess_123";

fn link(url: &str) -> MediaSource {
    MediaSource::Link(url.to_string())
}

fn to(content: impl Into<Content>) -> OutgoingMessage {
    OutgoingMessage::builder().to(TO).content(content).build()
}

fn location() -> Location {
    Location::builder().latitude(52.52).longitude(13.405).name("Berlin").address("Pariser Platz").build()
}

fn one_card() -> ContactCard {
    ContactCard::builder()
        .formatted_name("Ada Lovelace")
        .phones(vec![ContactPhone::builder("+15557654321").build()])
        .build()
}

fn detailed_card() -> ContactCard {
    ContactCard::builder()
        .formatted_name("Ada Lovelace")
        .first_name("Ada")
        .last_name("Lovelace")
        .phones(vec![
            ContactPhone::builder("+15557654321").label("CELL").wa_id("15557654321").build(),
            ContactPhone::builder("+15550000000").label("WORK").build(),
        ])
        .emails(vec![Labelled::builder("ada@example.com").label("WORK").build()])
        .urls(vec![Labelled::builder("https://example.com/ada").build()])
        .company("Analytical Engines")
        .title("Analyst")
        .birthday("1815-12-10")
        .addresses(vec![
            PostalAddress::builder()
                .street("12 St James's Square")
                .city("London")
                .country_code("GB")
                .label("HOME")
                .build(),
        ])
        .build()
}

fn template() -> Template {
    Template::builder()
        .name("order_update")
        .language("en_US")
        .components(vec![
            TemplateComponent::Header(vec![TemplateValue::Image(link("https://example.com/banner.jpg"))]),
            TemplateComponent::Body(vec![
                TemplateValue::text("#1042"),
                TemplateValue::Text { text: "Ada".into(), name: Some("customer".into()) },
                TemplateValue::Currency { fallback: "$12.50".into(), code: "USD".into(), amount_1000: 12500 },
                TemplateValue::DateTime("4 December 2026".into()),
            ]),
            TemplateComponent::Button {
                kind: TemplateButton::QuickReply,
                index: 0,
                values: vec![TemplateValue::Payload("track-1042".into())],
            },
            TemplateComponent::Button {
                kind: TemplateButton::CopyCode,
                index: 1,
                values: vec![TemplateValue::CouponCode("SAVE10".into())],
            },
        ])
        .build()
}

fn buttons() -> Buttons {
    Buttons::builder()
        .header(Header::Text("Your order".into()))
        .body("Is the delivery time fine?")
        .footer("Reply with a button")
        .buttons(vec![Choice::builder("yes", "Yes").build(), Choice::builder("no", "Change it").build()])
        .build()
}

fn list() -> List {
    List::builder()
        .header("Menu")
        .body("Pick a dish")
        .footer("Served until 22:00")
        .button("Dishes")
        .sections(vec![
            ListSection::builder()
                .title("Mains")
                .rows(vec![
                    Choice::builder("pizza", "Pizza").description("Margherita").build(),
                    Choice::builder("sushi", "Sushi").build(),
                ])
                .build(),
        ])
        .build()
}

fn poll() -> Poll {
    Poll::builder().question("Lunch?").options(vec!["Pizza".into(), "Sushi".into()]).multi_select(true).build()
}

/// One message using each feature that is a property of a message.
fn feature_sample(feature: Feature) -> Option<OutgoingMessage> {
    Some(match feature {
        Feature::Text => OutgoingMessage::text(TO, "Hello"),
        Feature::UrlPreview => to(Text::builder().body("See https://example.com").preview_url(true).build()),
        Feature::Image | Feature::MediaLink => to(Image::builder().source(link("https://example.com/a.jpg")).build()),
        Feature::Video => to(Video::builder().source(link("https://example.com/a.mp4")).build()),
        Feature::Audio => to(Audio::builder().source(link("https://example.com/a.ogg")).build()),
        Feature::Document => to(Document::builder().source(link("https://example.com/a.pdf")).build()),
        Feature::Sticker => to(Sticker::builder().source(link("https://example.com/a.webp")).build()),
        Feature::MediaUploaded => to(Image::builder().source(MediaSource::Uploaded("media-1".into())).build()),
        Feature::ViewOnce => to(Image::builder().source(link("https://example.com/a.jpg")).view_once(true).build()),
        Feature::DocumentMimeType => {
            to(Document::builder().source(link("https://example.com/a.pdf")).mime_type("application/pdf").build())
        }
        Feature::Location => to(location()),
        Feature::ContactCard => to(one_card()),
        Feature::ContactDetails => to(detailed_card()),
        Feature::Poll => to(poll()),
        Feature::Reaction => to(Reaction::builder().message_id("wamid.earlier").emoji("👍").build()),
        Feature::Template => to(template()),
        Feature::Buttons => to(buttons()),
        Feature::List => to(list()),
        Feature::ChannelPost => OutgoingMessage::builder()
            .to(Recipient::Channel("120363000000000000@newsletter".into()))
            .content(Text::builder().body("Hello channel").build())
            .build(),
        Feature::Reply => OutgoingMessage::builder()
            .to(TO)
            .content(Text::builder().body("Yes").build())
            .reply_to("wamid.earlier")
            .build(),
        // Services, not message properties: see `idempotency_key_*` and the webhook tests.
        Feature::IdempotencyKey | Feature::Webhooks => return None,
        other => panic!("no sample for {other:?}: add one"),
    })
}

/// The messages Wapio can send, each with the body `send_message` must carry.
fn wapio_cases() -> Vec<(&'static str, OutgoingMessage, Value)> {
    let base = |kind: &str, extra: Value| {
        let mut body = json!({"session_id": SESSION, "to": TO, "kind": kind});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    vec![
        ("text", OutgoingMessage::text(TO, "Hello"), base("text", json!({"text": "Hello"}))),
        (
            "image, captioned, view-once",
            to(Image::builder().source(link("https://example.com/a.jpg")).caption("A photo").view_once(true).build()),
            base("image", json!({"imageUrl": "https://example.com/a.jpg", "caption": "A photo", "viewOnce": true})),
        ),
        (
            "video, view-once",
            to(Video::builder().source(link("https://example.com/a.mp4")).caption("A clip").view_once(true).build()),
            base("video", json!({"videoUrl": "https://example.com/a.mp4", "caption": "A clip", "viewOnce": true})),
        ),
        (
            "audio",
            to(Audio::builder().source(link("https://example.com/a.ogg")).build()),
            base("audio", json!({"audioUrl": "https://example.com/a.ogg"})),
        ),
        (
            "document with name and MIME type",
            to(Document::builder()
                .source(link("https://example.com/invoice.pdf"))
                .caption("Invoice")
                .file_name("invoice.pdf")
                .mime_type("application/pdf")
                .build()),
            base(
                "document",
                json!({"documentUrl": "https://example.com/invoice.pdf", "caption": "Invoice", "file_name": "invoice.pdf", "mime_type": "application/pdf"}),
            ),
        ),
        (
            "sticker",
            to(Sticker::builder().source(link("https://example.com/a.webp")).build()),
            base("sticker", json!({"stickerUrl": "https://example.com/a.webp"})),
        ),
        (
            "location",
            to(location()),
            base(
                "location",
                json!({"location": {"latitude": 52.52, "longitude": 13.405, "name": "Berlin", "address": "Pariser Platz"}}),
            ),
        ),
        (
            "contact card",
            to(one_card()),
            base("contact", json!({"contact": {"fullName": "Ada Lovelace", "phoneNumber": "+15557654321"}})),
        ),
        (
            "poll",
            to(poll()),
            base("poll", json!({"poll": {"question": "Lunch?", "options": ["Pizza", "Sushi"], "multiSelect": true}})),
        ),
        (
            "channel post",
            feature_sample(Feature::ChannelPost).unwrap(),
            json!({"session_id": SESSION, "channel_id": "120363000000000000@newsletter", "kind": "text", "text": "Hello channel"}),
        ),
    ]
}

/// The messages Verloop can send, each with the one message object `send_message` must carry.
fn verloop_cases() -> Vec<(&'static str, OutgoingMessage, Value)> {
    let base =
        |kind: &str, content: Value| json!({"messaging_product": "whatsapp", "to": TO, "type": kind, kind: content});
    vec![
        ("text", OutgoingMessage::text(TO, "Hello"), base("text", json!({"body": "Hello"}))),
        (
            "text with URL preview",
            feature_sample(Feature::UrlPreview).unwrap(),
            base("text", json!({"body": "See https://example.com", "preview_url": true})),
        ),
        (
            "reply",
            feature_sample(Feature::Reply).unwrap(),
            json!({"messaging_product": "whatsapp", "to": TO, "type": "text", "text": {"body": "Yes"}, "context": {"message_id": "wamid.earlier"}}),
        ),
        (
            "image by link, captioned",
            to(Image::builder().source(link("https://example.com/a.jpg")).caption("A photo").build()),
            base("image", json!({"link": "https://example.com/a.jpg", "caption": "A photo"})),
        ),
        (
            "image by uploaded id",
            feature_sample(Feature::MediaUploaded).unwrap(),
            base("image", json!({"id": "media-1"})),
        ),
        (
            "video",
            to(Video::builder().source(MediaSource::Uploaded("media-2".into())).caption("A clip").build()),
            base("video", json!({"id": "media-2", "caption": "A clip"})),
        ),
        (
            "audio",
            to(Audio::builder().source(link("https://example.com/a.ogg")).build()),
            base("audio", json!({"link": "https://example.com/a.ogg"})),
        ),
        (
            "document with file name",
            to(Document::builder()
                .source(link("https://example.com/invoice.pdf"))
                .caption("Invoice")
                .file_name("invoice.pdf")
                .build()),
            base(
                "document",
                json!({"link": "https://example.com/invoice.pdf", "caption": "Invoice", "filename": "invoice.pdf"}),
            ),
        ),
        (
            "sticker",
            to(Sticker::builder().source(MediaSource::Uploaded("media-3".into())).build()),
            base("sticker", json!({"id": "media-3"})),
        ),
        (
            "location",
            to(location()),
            base(
                "location",
                json!({"latitude": 52.52, "longitude": 13.405, "name": "Berlin", "address": "Pariser Platz"}),
            ),
        ),
        (
            "contact cards",
            to(vec![detailed_card(), one_card()]),
            base(
                "contacts",
                json!([
                    {
                        "name": {"formatted_name": "Ada Lovelace", "first_name": "Ada", "last_name": "Lovelace"},
                        "phones": [
                            {"phone": "+15557654321", "type": "CELL", "wa_id": "15557654321"},
                            {"phone": "+15550000000", "type": "WORK"}
                        ],
                        "emails": [{"email": "ada@example.com", "type": "WORK"}],
                        "urls": [{"url": "https://example.com/ada"}],
                        "org": {"company": "Analytical Engines", "title": "Analyst"},
                        "birthday": "1815-12-10",
                        "addresses": [{"street": "12 St James's Square", "city": "London", "country_code": "GB", "type": "HOME"}]
                    },
                    {"name": {"formatted_name": "Ada Lovelace"}, "phones": [{"phone": "+15557654321"}]}
                ]),
            ),
        ),
        (
            "reaction",
            feature_sample(Feature::Reaction).unwrap(),
            base("reaction", json!({"message_id": "wamid.earlier", "emoji": "👍"})),
        ),
        (
            "template with parameters",
            to(template()),
            base(
                "template",
                json!({
                    "name": "order_update",
                    "language": {"code": "en_US"},
                    "components": [
                        {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://example.com/banner.jpg"}}]},
                        {"type": "body", "parameters": [
                            {"type": "text", "text": "#1042"},
                            {"type": "text", "text": "Ada", "parameter_name": "customer"},
                            {"type": "currency", "currency": {"fallback_value": "$12.50", "code": "USD", "amount_1000": 12500}},
                            {"type": "date_time", "date_time": {"fallback_value": "4 December 2026"}}
                        ]},
                        {"type": "button", "sub_type": "quick_reply", "index": "0", "parameters": [{"type": "payload", "payload": "track-1042"}]},
                        {"type": "button", "sub_type": "copy_code", "index": "1", "parameters": [{"type": "coupon_code", "coupon_code": "SAVE10"}]}
                    ]
                }),
            ),
        ),
        (
            "reply buttons",
            to(buttons()),
            base(
                "interactive",
                json!({
                    "type": "button",
                    "header": {"type": "text", "text": "Your order"},
                    "body": {"text": "Is the delivery time fine?"},
                    "footer": {"text": "Reply with a button"},
                    "action": {"buttons": [
                        {"type": "reply", "reply": {"id": "yes", "title": "Yes"}},
                        {"type": "reply", "reply": {"id": "no", "title": "Change it"}}
                    ]}
                }),
            ),
        ),
        (
            "reply buttons with an uploaded image as header",
            to(Buttons::builder()
                .header(Header::Image(MediaSource::Uploaded("media-4".into())))
                .body("Like it?")
                .buttons(vec![Choice::builder("like", "Like").build()])
                .build()),
            base(
                "interactive",
                json!({
                    "type": "button",
                    "header": {"type": "image", "image": {"id": "media-4"}},
                    "body": {"text": "Like it?"},
                    "action": {"buttons": [{"type": "reply", "reply": {"id": "like", "title": "Like"}}]}
                }),
            ),
        ),
        (
            "list",
            to(list()),
            base(
                "interactive",
                json!({
                    "type": "list",
                    "header": {"type": "text", "text": "Menu"},
                    "body": {"text": "Pick a dish"},
                    "footer": {"text": "Served until 22:00"},
                    "action": {"button": "Dishes", "sections": [{"title": "Mains", "rows": [
                        {"id": "pizza", "title": "Pizza", "description": "Margherita"},
                        {"id": "sushi", "title": "Sushi"}
                    ]}]}
                }),
            ),
        ),
    ]
}

fn body_of(request: &wiremock::Request) -> Value {
    serde_json::from_slice(&request.body).expect("the body is JSON")
}

#[tokio::test]
async fn every_kind_wapio_can_send_arrives_as_its_spec_describes() {
    let spec = spec("wapio.yaml");
    let schema = request_schema(&spec, "/api/send-message", "post");
    for (name, message, expected) in wapio_cases() {
        let server = recording_server(202, wapio_accepted()).await;
        let messenger = WapioMessenger::with_account_token(wapio_client(&server.uri()), SESSION);
        let recipient = message.to.clone();
        let receipt = messenger.send(message).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        let received = server.received_requests().await.unwrap();
        let [request] = received.as_slice() else { panic!("{name}: {} requests", received.len()) };
        assert_eq!((request.method.as_str(), request.url.path()), ("POST", "/api/send-message"), "{name}");
        let body = body_of(request);
        assert_eq!(body, expected, "{name}: the body sent");
        assert_eq!(
            schema_problems(&spec, schema, &body, ""),
            Vec::<String>::new(),
            "{name}: against SendMessageRequest"
        );
        assert_eq!(receipt.message_id.as_deref(), Some("wamid.wapio-1"), "{name}");
        assert_eq!(receipt.recipient, recipient, "{name}");
        assert!(
            matches!(receipt.response, ProviderResponse::Wapio(ref accepted) if accepted.jid.as_deref() == Some("15551234567@s.whatsapp.net"))
        );
    }
}

#[tokio::test]
async fn a_session_key_sends_without_naming_the_session() {
    let server = recording_server(202, wapio_accepted()).await;
    let config = wapio::config().with_base_url(server.uri()).with_max_retries(0);
    let client = wapio::Client::with_config(config, wapio::SessionKey::new("bps_sk_test").unwrap()).unwrap();
    WapioMessenger::with_session_key(client).send(OutgoingMessage::text(TO, "Hello")).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(body_of(&received[0]), json!({"to": TO, "kind": "text", "text": "Hello"}));
}

#[tokio::test]
async fn every_kind_verloop_can_send_arrives_as_its_spec_describes() {
    let spec = spec("verloop-partner.yaml");
    let schema = request_schema(&spec, "/whatsapp/send_message", "post");
    for (name, message, expected) in verloop_cases() {
        let server = recording_server(200, verloop_sent()).await;
        let messenger = VerloopMessenger::new(verloop_messaging(&server.uri()));
        let receipt = messenger.send(message).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        let received = server.received_requests().await.unwrap();
        let [request] = received.as_slice() else { panic!("{name}: {} requests", received.len()) };
        assert_eq!((request.method.as_str(), request.url.path()), ("POST", "/whatsapp/send_message"), "{name}");
        let body = body_of(request);
        assert_eq!(body, json!({"messages": [expected]}), "{name}: the body sent");
        assert_eq!(
            schema_problems(&spec, schema, &body, ""),
            Vec::<String>::new(),
            "{name}: against SendMessageRequest"
        );
        assert_eq!(receipt.message_id.as_deref(), Some("wamid.verloop-1"), "{name}");
        assert_eq!(receipt.recipient, Recipient::Phone(TO.into()), "{name}");
    }
}

/// The capability table and the mappings agree: each feature a provider supports is sent, each
/// it lacks is refused naming provider and feature, and then no request leaves.
#[tokio::test]
async fn each_feature_is_sent_exactly_where_the_capability_table_says() {
    for feature in Feature::ALL {
        let Some(sample) = feature_sample(feature) else { continue };
        for provider in [Provider::Wapio, Provider::Verloop] {
            let (status, answer) = match provider {
                Provider::Wapio => (202, wapio_accepted()),
                _ => (200, verloop_sent()),
            };
            let server = recording_server(status, answer).await;
            let outcome = match provider {
                Provider::Wapio => {
                    WapioMessenger::with_account_token(wapio_client(&server.uri()), SESSION).send(sample.clone()).await
                }
                _ => VerloopMessenger::new(verloop_messaging(&server.uri())).send(sample.clone()).await,
            };
            let requests = server.received_requests().await.unwrap().len();
            if provider.supports(feature) {
                assert!(outcome.is_ok(), "{provider} {feature}: {outcome:?}");
                assert_eq!(requests, 1, "{provider} {feature}");
            } else {
                let error = outcome.expect_err("an unsupported feature is refused");
                assert!(
                    matches!(error, Error::Unsupported { provider: p, feature: f } if p == provider && f == feature),
                    "{provider} {feature}: {error:?}"
                );
                assert_eq!(error.to_string(), format!("{provider} send: {feature} cannot be sent through {provider}"));
                assert_eq!(error.unsupported_feature(), Some(feature));
                assert_eq!(requests, 0, "{provider} {feature}: no request may leave");
            }
        }
    }
}

#[tokio::test]
async fn a_poll_through_verloop_is_refused_before_any_request() {
    let server = recording_server(200, verloop_sent()).await;
    let error = VerloopMessenger::new(verloop_messaging(&server.uri())).send(to(poll())).await.unwrap_err();
    assert_eq!(error.to_string(), "verloop-partner send: polls cannot be sent through verloop-partner");
    assert_eq!(error.provider(), Provider::Verloop);
    assert_eq!(error.operation(), None);
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_idempotency_key_is_wapios_header_and_verloop_gets_none() {
    let key = "order-42";
    let message =
        || OutgoingMessage::builder().to(TO).content(Text::builder().body("Hi").build()).idempotency_key(key).build();

    let wapio = recording_server(202, wapio_accepted()).await;
    let messenger = WapioMessenger::with_account_token(wapio_client(&wapio.uri()), SESSION);
    messenger.send(message()).await.unwrap();
    messenger.send(message()).await.unwrap();
    let sent: Vec<String> = wapio
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|request| request.headers.get("Idempotency-Key").unwrap().to_str().unwrap().to_string())
        .collect();
    assert_eq!(sent, [key, key], "the service's key, on every send of the message");

    let verloop = recording_server(200, verloop_sent()).await;
    VerloopMessenger::new(verloop_messaging(&verloop.uri())).send(message()).await.unwrap();
    let received = verloop.received_requests().await.unwrap();
    assert!(received[0].headers.get("Idempotency-Key").is_none(), "Verloop's spec has no such header");
    assert!(!Provider::Verloop.supports(Feature::IdempotencyKey) && Provider::Wapio.supports(Feature::IdempotencyKey));
}

#[tokio::test]
async fn a_wapio_retry_after_a_server_error_carries_the_same_key() {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(202).set_body_json(wapio_accepted()))
        .mount(&server)
        .await;
    let config = wapio::config().with_base_url(server.uri()).with_max_retries(1);
    let client = wapio::Client::with_config(config, wapio::AccountToken::new(support::WAPIO_TOKEN).unwrap()).unwrap();
    let message =
        OutgoingMessage::builder().to(TO).content(Text::builder().body("Hi").build()).idempotency_key("k-1").build();
    WapioMessenger::with_account_token(client, SESSION).send(message).await.unwrap();
    let keys: Vec<_> =
        server.received_requests().await.unwrap().iter().map(|r| r.headers.get("Idempotency-Key").cloned()).collect();
    assert_eq!(keys.len(), 2, "the 503 was retried");
    assert!(keys.iter().all(|key| key.as_ref().is_some_and(|key| key == "k-1")));
}

#[tokio::test]
async fn provider_errors_keep_the_clients_accessors() {
    let wapio = recording_server(
        429,
        json!({"success": false, "message": "Rate limit exceeded", "reason_code": "rate_limited"}),
    )
    .await;
    let error = WapioMessenger::with_account_token(wapio_client(&wapio.uri()), SESSION)
        .send(OutgoingMessage::text(TO, "Hi"))
        .await
        .unwrap_err();
    assert_eq!(error.provider(), Provider::Wapio);
    assert_eq!(error.operation(), Some("send_message"));
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(error.message(), Some("Rate limit exceeded"));
    assert!(error.is_rate_limited() && error.is_retryable());
    assert!(error.to_string().starts_with("wapio send_message: HTTP 429"), "{error}");

    let verloop = recording_server(400, json!({"error": "invalid phone number"})).await;
    let error = VerloopMessenger::new(verloop_messaging(&verloop.uri()))
        .send(OutgoingMessage::text(TO, "Hi"))
        .await
        .unwrap_err();
    assert_eq!((error.provider(), error.operation()), (Provider::Verloop, Some("send_message")));
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(error.message(), Some("invalid phone number"));
    assert!(!error.is_retryable());
    assert!(error.to_string().starts_with("verloop-partner send_message: HTTP 400"), "{error}");
}

#[tokio::test]
async fn a_message_verloop_lists_as_failed_is_an_error() {
    let server = recording_server(200, json!({"SuccessMessages": [], "ErrorMessages": [{"Error": "recipient not on WhatsApp", "Message": "15551234567"}]})).await;
    let error = VerloopMessenger::new(verloop_messaging(&server.uri()))
        .send(OutgoingMessage::text(TO, "Hi"))
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "verloop-partner send_message: the message was refused: recipient not on WhatsApp");
    assert_eq!(error.message(), Some("recipient not on WhatsApp"));
}

#[tokio::test]
async fn wapio_needs_a_phone_number_on_its_contact_card() {
    let server = recording_server(202, wapio_accepted()).await;
    let card = ContactCard::builder().formatted_name("Ada").build();
    let error =
        WapioMessenger::with_account_token(wapio_client(&server.uri()), SESSION).send(to(card)).await.unwrap_err();
    assert_eq!(error.to_string(), "wapio send: a contact card needs a phone number");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[test]
fn the_schema_check_finds_what_a_body_breaks() {
    let spec = spec("verloop-partner.yaml");
    let schema = request_schema(&spec, "/whatsapp/send_message", "post");
    let wrong = json!({"messages": [{"messaging_product": "whatsapp", "to": TO, "type": "text", "text": {"preview_url": "yes"}, "extra": 1}]});
    let problems = schema_problems(&spec, schema, &wrong, "");
    assert_eq!(problems.len(), 1, "{problems:?}");
    for expected in ["`body` is missing", "\\\"yes\\\" is not of type", "/extra: not a member"] {
        assert!(problems[0].contains(expected), "{expected}: {problems:?}");
    }
}

#[tokio::test]
async fn a_refused_connection_says_so_and_no_credential_shows() {
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base_url = format!("http://127.0.0.1:{port}");
    let wapio = WapioMessenger::with_account_token(wapio_client(&base_url), SESSION);
    let verloop = VerloopMessenger::new(verloop_messaging(&base_url));
    for (messenger, error) in [
        (format!("{wapio:?}"), wapio.send(OutgoingMessage::text(TO, "Hi")).await.unwrap_err()),
        (format!("{verloop:?}"), verloop.send(OutgoingMessage::text(TO, "Hi")).await.unwrap_err()),
    ] {
        assert!(error.is_connect() && error.is_retryable(), "{error:?}");
        assert!(error.to_string().contains("send_message"), "{error}");
        for shown in [messenger, format!("{error:?}"), error.to_string()] {
            assert!(!shown.contains(support::WAPIO_TOKEN) && !shown.contains(support::VERLOOP_PHONE_TOKEN), "{shown}");
        }
    }
}

#[tokio::test]
async fn a_reply_button_with_a_description_is_refused_before_any_request() {
    let server = recording_server(200, verloop_sent()).await;
    let buttons = Buttons::builder()
        .body("Pick")
        .buttons(vec![Choice::builder("a", "A").description("rows only").build()])
        .build();
    let error = VerloopMessenger::new(verloop_messaging(&server.uri())).send(to(buttons)).await.unwrap_err();
    assert_eq!(error.to_string(), "verloop-partner send: a reply button has no description");
    assert!(server.received_requests().await.unwrap().is_empty());
}
