//! Verify and parse a Verloop webhook delivery, as a receiving service would.
//!
//! The delivery is built with `webhook::signed_request`, the helper for tests; in a service,
//! pass the request's headers and its raw body bytes to `Verifier::verify_and_parse`. The key is
//! `VERLOOP_SYSTEM_USER_TOKEN` when set.
//!
//! ```sh
//! cargo run -p verloop-partner --example webhook
//! ```

use verloop_partner::SystemUserToken;
use verloop_partner::webhook::{Event, Verifier, WebhookError, signed_request};

const DELIVERY: &str = r#"{
  "object": "whatsapp_business_account",
  "entry": [{
    "id": "102290129340398",
    "changes": [{
      "field": "messages",
      "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
        "messages": [{
          "from": "16505551234",
          "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
          "timestamp": "1749416383",
          "type": "text",
          "text": {"body": "Does it come in another color?"}
        }]
      }
    }]
  }]
}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = SystemUserToken::new(
        std::env::var("VERLOOP_SYSTEM_USER_TOKEN").unwrap_or_else(|_| "sandbox-system-user-token".into()),
    )?;
    let verifier = Verifier::new(key.clone());

    let delivery = signed_request(&key, "https://service.example/webhooks/verloop", DELIVERY)?;
    for event in verifier.verify_and_parse(delivery.headers(), delivery.body())? {
        match event {
            Event::Message { message, .. } => println!("message from {:?}: {:?}", message.from, message.type_),
            Event::Status { status, .. } => println!("status {:?} for {:?}", status.status, status.id),
            Event::TemplateStatus { update, .. } => println!("template update {:?}", update.event),
            other => println!("an event this version does not model: {other:?}"),
        }
    }

    // A body altered after signing is refused before it is parsed.
    let tampered = DELIVERY.replace("another color", "a refund");
    match verifier.verify_and_parse(delivery.headers(), tampered.as_bytes()) {
        Err(WebhookError::Signature(refused)) => println!("tampered delivery refused: {refused}"),
        other => return Err(format!("a tampered delivery was not refused: {other:?}").into()),
    }
    Ok(())
}
