//! The service's HTTP side: one route receiving a provider's webhooks. Kept apart from `main.rs`
//! so that the crate's end-to-end test serves the same router.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use whatsapp_messaging::{AnyMessenger, Error, InboundEvent, Messenger, ReceivedContent, Text, VerloopWebhooks};

/// Where Verloop posts its deliveries (the callback URL set in the partner dashboard).
pub const WEBHOOK_PATH: &str = "/webhooks/verloop";

struct Service {
    messenger: AnyMessenger,
    webhooks: VerloopWebhooks,
}

/// Verifies each delivery and answers every received text through `messenger`.
pub fn router(messenger: AnyMessenger, webhooks: VerloopWebhooks) -> Router {
    Router::new().route(WEBHOOK_PATH, post(receive)).with_state(Arc::new(Service { messenger, webhooks }))
}

/// 401 for a delivery whose signature does not match; otherwise the ids of the replies sent,
/// one per line (502 when the provider refused one, so that Verloop delivers it again).
async fn receive(State(service): State<Arc<Service>>, headers: HeaderMap, body: Bytes) -> (StatusCode, String) {
    let events = match service.webhooks.receive(&headers, &body) {
        Ok(events) => events,
        Err(refused) => return (StatusCode::UNAUTHORIZED, refused.to_string()),
    };
    let mut replies = String::new();
    for event in events {
        match event {
            InboundEvent::Message(message) => {
                let ReceivedContent::Text(text) = &message.content else { continue };
                let answer = message.reply(Text::builder().body(format!("You said: {text}")).build());
                match service.messenger.send(answer).await {
                    Ok(receipt) => replies.push_str(&format!("{}\n", receipt.message_id.unwrap_or_default())),
                    Err(error) => return (StatusCode::BAD_GATEWAY, describe(&error)),
                }
            }
            InboundEvent::Status(status) => println!("{} is now {:?}", status.message_id, status.status),
            other => println!("not answered: {other:?}"),
        }
    }
    (StatusCode::OK, replies)
}

fn describe(error: &Error) -> String {
    format!("{error} (retryable: {})", error.is_retryable())
}
