//! Create a session, then send one message of each kind through it.
//!
//! Runs against the local sandbox unless `WAPIO_TOKEN` (an account PAT, `bps_pat_…`) is set;
//! then it talks to `WAPIO_BASE_URL` (default: the production API) and sends to `WAPIO_TO`.
//!
//! ```sh
//! cargo run -p wapio --features sandbox --example send_every_kind
//! ```

use wapio::prelude::*;
use wapio::types::{ContactCard, CreateSessionRequest, LocationPayload, PollPayload, SendMessageRequest};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sandbox) = connect().await?;
    let to = Some(std::env::var("WAPIO_TO").unwrap_or_else(|_| "15551234567".into()));

    let created = client
        .create_session(CreateSessionRequest { label: Some("sdk example".into()), phone_number: None, settings: None })
        .send()
        .await?
        .into_inner();
    let session_id = created.session.map(|s| s.session_id).filter(|id| !id.is_empty());
    println!("session {session_id:?} created; scan its QR code before sending on the real API");

    let session_id = || session_id.clone();
    let media = |name: &str| format!("https://example.com/media/{name}");
    let messages = [
        SendMessageRequest::Text {
            session_id: session_id(),
            to: to.clone(),
            channel_id: None,
            text: "Hello from Rust".into(),
        },
        SendMessageRequest::Image {
            session_id: session_id(),
            to: to.clone(),
            channel_id: None,
            image_url: media("photo.jpg"),
            caption: Some("A photo".into()),
            view_once: Some(true),
        },
        SendMessageRequest::Video {
            session_id: session_id(),
            to: to.clone(),
            channel_id: None,
            video_url: media("clip.mp4"),
            caption: None,
            view_once: None,
        },
        SendMessageRequest::Document {
            session_id: session_id(),
            to: to.clone(),
            channel_id: None,
            document_url: media("invoice.pdf"),
            file_name: Some("invoice.pdf".into()),
            mime_type: Some("application/pdf".into()),
            caption: None,
        },
        SendMessageRequest::Audio {
            session_id: session_id(),
            to: to.clone(),
            channel_id: None,
            audio_url: media("note.ogg"),
        },
        SendMessageRequest::Sticker {
            session_id: session_id(),
            to: to.clone(),
            channel_id: None,
            sticker_url: media("sticker.webp"),
        },
        SendMessageRequest::Location {
            session_id: session_id(),
            to: to.clone(),
            channel_id: None,
            location: LocationPayload {
                latitude: 52.52,
                longitude: 13.405,
                name: Some("Berlin".into()),
                address: None,
            },
        },
        SendMessageRequest::Contact {
            session_id: session_id(),
            to: to.clone(),
            channel_id: None,
            contact: ContactCard { full_name: "Ada Lovelace".into(), phone_number: "15557654321".into() },
        },
        SendMessageRequest::Poll {
            session_id: session_id(),
            to: to.clone(),
            channel_id: None,
            poll: PollPayload {
                question: "Lunch?".into(),
                options: vec!["Pizza".into(), "Sushi".into()],
                multi_select: Some(false),
            },
        },
    ];
    for message in messages {
        // Each send carries an Idempotency-Key, so a retried send is not delivered twice.
        let accepted = client.send_message(message).send().await?.into_inner();
        println!("queued {:?} ({:?})", accepted.msg_id, accepted.status);
    }
    Ok(())
}

/// The real API when `WAPIO_TOKEN` is set, else the sandbox (kept alive by the returned guard).
async fn connect() -> Result<(Client, Option<wapio::sandbox::Sandbox>), Box<dyn std::error::Error>> {
    if let Ok(token) = std::env::var("WAPIO_TOKEN") {
        let base_url = std::env::var("WAPIO_BASE_URL").unwrap_or_else(|_| wapio::DEFAULT_BASE_URL.into());
        let client =
            Client::with_config(Client::<AccountToken>::config().with_base_url(base_url), AccountToken::new(token)?)?;
        return Ok((client, None));
    }
    let sandbox = wapio::sandbox::start().await?;
    println!("no WAPIO_TOKEN: using the sandbox at {}", sandbox.url());
    let config = Client::<AccountToken>::config().with_base_url(sandbox.url());
    Ok((Client::with_config(config, AccountToken::new("bps_pat_sandbox")?)?, Some(sandbox)))
}
