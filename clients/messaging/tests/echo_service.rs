//! The example service end to end: its router served on 127.0.0.1, a signed Verloop delivery
//! posted to it over HTTP, and its reply arriving at the Verloop sandbox (and, to see the exact
//! body, at a recording server).

#[path = "../examples/echo_service/app.rs"]
mod app;
use crate::support;

use serde_json::json;
use verloop_partner::SystemUserToken;
use verloop_partner::webhook::{SIGNATURE_HEADER, sign};
use whatsapp_messaging::{VerloopMessenger, VerloopWebhooks};

const KEY: &str = "service-webhook-key";

fn documented_incoming_text() -> Vec<u8> {
    let spec = support::spec("verloop-partner.yaml");
    serde_json::to_vec(&spec["x-webhook-examples"]["incoming_text_message"]["example"]).unwrap()
}

/// Serves the example's router on a free port; returns its webhook URL.
async fn start_service(verloop_base_url: &str) -> String {
    let messenger = VerloopMessenger::new(support::verloop_messaging(verloop_base_url));
    let router = app::router(messenger.into(), VerloopWebhooks::new(SystemUserToken::new(KEY).unwrap()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}{}", listener.local_addr().unwrap(), app::WEBHOOK_PATH);
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

/// Posts `body` to the service with the signature of `signed`; returns the status and text.
async fn post(url: &str, signed: &[u8], body: Vec<u8>) -> (u16, String) {
    let signature = sign(&SystemUserToken::new(KEY).unwrap(), signed);
    let http = verloop_partner::config().http_client().unwrap();
    let answer = http.post(url).header(SIGNATURE_HEADER, signature).body(body).send().await.unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

#[tokio::test]
async fn the_service_answers_a_received_text_through_the_sandbox() {
    let sandbox = verloop_partner::sandbox::start().await.unwrap();
    let url = start_service(&sandbox.url()).await;
    let delivery = documented_incoming_text();
    // The sandbox accepted the reply (credential and required fields present) and answered its
    // documented `SuccessMessages[0].ID`, which the service returns.
    assert_eq!(post(&url, &delivery, delivery.clone()).await, (200, "string\n".to_string()));

    let tampered = String::from_utf8(delivery.clone()).unwrap().replace("MESSAGE_BODY", "REFUND").into_bytes();
    let (status, text) = post(&url, &delivery, tampered).await;
    assert_eq!(status, 401);
    assert!(text.contains("signature does not match"), "{text}");
}

#[tokio::test]
async fn the_reply_is_the_text_quoted_back_to_its_sender() {
    let verloop = support::recording_server(200, support::verloop_sent()).await;
    let url = start_service(&verloop.uri()).await;
    let delivery = documented_incoming_text();
    assert_eq!(post(&url, &delivery, delivery.clone()).await, (200, "wamid.verloop-1\n".to_string()));

    let received = verloop.received_requests().await.unwrap();
    let [reply] = received.as_slice() else { panic!("{} requests reached Verloop", received.len()) };
    assert_eq!(reply.url.path(), "/whatsapp/send_message");
    assert_eq!(reply.headers.get("authorization").unwrap(), support::VERLOOP_PHONE_TOKEN);
    let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(
        body,
        json!({"messages": [{
            "messaging_product": "whatsapp",
            "to": "PHONE_NUMBER",
            "type": "text",
            "text": {"body": "You said: MESSAGE_BODY"},
            "context": {"message_id": "wamid.ID"}
        }]})
    );

    // A tampered delivery sends nothing.
    let tampered = String::from_utf8(delivery.clone()).unwrap().replace("MESSAGE_BODY", "REFUND").into_bytes();
    assert_eq!(post(&url, &delivery, tampered).await.0, 401);
    assert_eq!(verloop.received_requests().await.unwrap().len(), 1);
}
