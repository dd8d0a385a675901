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
    let to = std::env::var("WAPIO_TO").unwrap_or_else(|_| "15551234567".into());

    let created =
        client.create_session(CreateSessionRequest::builder().label("sdk example")).send().await?.into_inner();
    let session_id = created.session.map(|s| s.session_id).filter(|id| !id.is_empty());
    println!("session {session_id:?} created; scan its QR code before sending on the real API");

    let media = |name: &str| format!("https://example.com/media/{name}");
    let location = LocationPayload::builder().latitude(52.52).longitude(13.405).name("Berlin");
    let contact = ContactCard::builder().full_name("Ada Lovelace").phone_number("15557654321");
    let poll =
        PollPayload::builder().question("Lunch?").options(vec!["Pizza".into(), "Sushi".into()]).multi_select(false);
    // Each constructor takes the variant's required value; the rest are named setters.
    let messages = [
        SendMessageRequest::text("Hello from Rust").maybe_session_id(session_id.clone()).to(&to).build(),
        SendMessageRequest::image(media("photo.jpg"))
            .maybe_session_id(session_id.clone())
            .to(&to)
            .caption("A photo")
            .view_once(true)
            .build(),
        SendMessageRequest::video(media("clip.mp4")).maybe_session_id(session_id.clone()).to(&to).build(),
        SendMessageRequest::document(media("invoice.pdf"))
            .maybe_session_id(session_id.clone())
            .to(&to)
            .file_name("invoice.pdf")
            .mime_type("application/pdf")
            .build(),
        SendMessageRequest::audio(media("note.ogg")).maybe_session_id(session_id.clone()).to(&to).build(),
        SendMessageRequest::sticker(media("sticker.webp")).maybe_session_id(session_id.clone()).to(&to).build(),
        SendMessageRequest::location(location).maybe_session_id(session_id.clone()).to(&to).build(),
        SendMessageRequest::contact(contact).maybe_session_id(session_id.clone()).to(&to).build(),
        SendMessageRequest::poll(poll).maybe_session_id(session_id.clone()).to(&to).build(),
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
        let client = Client::with_config(wapio::config().with_base_url(base_url), AccountToken::new(token)?)?;
        return Ok((client, None));
    }
    let sandbox = wapio::sandbox::start().await?;
    println!("no WAPIO_TOKEN: using the sandbox at {}", sandbox.url());
    let config = wapio::config().with_base_url(sandbox.url());
    Ok((Client::with_config(config, AccountToken::new("bps_pat_sandbox")?)?, Some(sandbox)))
}
