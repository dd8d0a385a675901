//! A service on axum that receives Verloop's webhooks, verifies their signature, and answers each
//! received text through Verloop, with the messaging crate's one API.
//!
//! Without `VERLOOP_PHONE_TOKEN` it runs against the local Verloop sandbox, with the system user
//! token `sandbox-system-user-token` as the webhook key. `--demo` posts the documented incoming
//! text delivery, signed, to the running service, prints the answer and exits:
//!
//! ```sh
//! cargo run -p whatsapp-messaging --example echo_service -- --demo
//! ```
//!
//! With `VERLOOP_PHONE_TOKEN` and `VERLOOP_SYSTEM_USER_TOKEN` set it talks to `VERLOOP_BASE_URL`
//! (default: the production API) and listens on `PORT` (default 3000) until stopped.

mod app;

use verloop_partner::webhook::{SIGNATURE_HEADER, sign};
use verloop_partner::{Messaging, PhoneNumberToken, SystemUserToken};
use whatsapp_messaging::{VerloopMessenger, VerloopWebhooks};

const SANDBOX_WEBHOOK_KEY: &str = "sandbox-system-user-token";

/// The documented incoming text (`specs/verloop-partner.yaml`, `incoming_text_message`).
const DEMO_DELIVERY: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"WHATSAPP_BUSINESS_ACCOUNT_ID","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"PHONE_NUMBER","phone_number_id":"PHONE_NUMBER_ID"},"contacts":[{"profile":{"name":"NAME"},"wa_id":"PHONE_NUMBER"}],"messages":[{"from":"PHONE_NUMBER","id":"wamid.ID","timestamp":"TIMESTAMP","text":{"body":"MESSAGE_BODY"},"type":"text"}]},"field":"messages"}]}]}"#;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str| std::env::var(name).ok();
    let mut sandbox = None;
    let (config, phone_token, webhook_key) = match env("VERLOOP_PHONE_TOKEN") {
        Some(phone_token) => {
            let base_url = env("VERLOOP_BASE_URL").unwrap_or_else(|| verloop_partner::DEFAULT_BASE_URL.into());
            let key = env("VERLOOP_SYSTEM_USER_TOKEN").ok_or("set VERLOOP_SYSTEM_USER_TOKEN: it keys the webhooks")?;
            (verloop_partner::config().with_base_url(base_url), phone_token, key)
        }
        None => {
            let started = verloop_partner::sandbox::start().await?;
            println!("no VERLOOP_PHONE_TOKEN: replying through the sandbox at {}", started.url());
            let config = verloop_partner::config().with_base_url(started.url());
            sandbox = Some(started);
            (config, "sandbox-phone-token".to_string(), SANDBOX_WEBHOOK_KEY.to_string())
        }
    };
    let key = SystemUserToken::new(webhook_key)?;
    let messenger = VerloopMessenger::new(Messaging::with_config(config, PhoneNumberToken::new(phone_token)?)?);
    let router = app::router(messenger.into(), VerloopWebhooks::new(key.clone()));

    let demo = std::env::args().any(|arg| arg == "--demo");
    let port = if demo { 0 } else { env("PORT").map_or(Ok(3000), |port| port.parse())? };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let url = format!("http://{}{}", listener.local_addr()?, app::WEBHOOK_PATH);
    println!("receiving webhooks at {url}");
    if !demo {
        axum::serve(listener, router).await?;
        return Ok(());
    }
    tokio::spawn(async move { axum::serve(listener, router).await });
    // The runtime builds the client with its TLS provider (a bare `reqwest::Client::new()` has none).
    let answer = verloop_partner::config()
        .http_client()?
        .post(&url)
        .header(SIGNATURE_HEADER, sign(&key, DEMO_DELIVERY.as_bytes()))
        .header("content-type", "application/json")
        .body(DEMO_DELIVERY)
        .send()
        .await?;
    let status = answer.status();
    println!("the service answered {status}: replies sent {:?}", answer.text().await?.trim());
    drop(sandbox);
    if !status.is_success() {
        return Err(format!("the demo delivery was not answered: {status}").into());
    }
    Ok(())
}
