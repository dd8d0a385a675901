//! The server's answers, taken from the `example`s of the specs' responses.

use bytes::Bytes;
use hyper::{Method, StatusCode};
use serde_json::Value;

use crate::common::{BoxError, pick, spec};
use crate::server::{Canned, Routes};

pub const WAPIO_TOKEN: &str = "bps_pat_bench-account-token";
pub const VERLOOP_TOKEN: &str = "bench-system-user-token";
pub const WOZTELL_TOKEN: &str = "bench-access-token";
pub const VERLOOP_CLIENT_ID: &str = "client-1";
pub const WOZTELL_WABA_ID: &str = "waba-1";
pub const WOZTELL_PAGE_SIZE: i64 = 50;
/// The Wapio sessions page holds this many sessions.
pub const SESSIONS_PER_PAGE: usize = 50;

const JSON_EXAMPLE: &str = "content/application~1json/example";

pub fn routes() -> Result<Routes, BoxError> {
    let wapio = spec("wapio.yaml")?;
    let verloop = spec("verloop-partner.yaml")?;
    let woztell = spec("woztell.yaml")?;
    let example = |document: &Value, path: &str, method: &str, status: &str| -> Result<Canned, BoxError> {
        let pointer = format!("/paths/{}/{method}/responses/{status}/{JSON_EXAMPLE}", path.replace('/', "~1"));
        let body = serde_json::to_vec(pick(document, &pointer)?)?;
        Ok(Canned { status: StatusCode::from_bytes(status.as_bytes())?, body: Bytes::from(body) })
    };
    let mut routes = Routes::new();
    routes.insert((Method::POST, "/api/send-message".into()), example(&wapio, "/api/send-message", "post", "202")?);
    routes.insert((Method::GET, "/v1/whatsapp-sessions".into()), sessions_page(&wapio)?);
    routes.insert(
        (Method::GET, "/whatsapp/list_templates".into()),
        example(&verloop, "/whatsapp/list_templates", "get", "200")?,
    );
    routes.insert(
        (Method::GET, "/whatsapp-message-templates".into()),
        example(&woztell, "/whatsapp-message-templates", "get", "200")?,
    );
    Ok(routes)
}

/// A page of [`SESSIONS_PER_PAGE`] sessions, each the documented session example with its own
/// id and label (the documented page holds two).
fn sessions_page(wapio: &Value) -> Result<Canned, BoxError> {
    let pointer = format!("/paths/~1v1~1whatsapp-sessions/get/responses/200/{JSON_EXAMPLE}");
    let page = pick(wapio, &pointer)?;
    let session = pick(page, "/data/0")?;
    let sessions: Vec<Value> = (0..SESSIONS_PER_PAGE)
        .map(|index| {
            let mut session = session.clone();
            session["session_id"] = format!("sess_{index:03}").into();
            session["label"] = format!("Bench session {index}").into();
            session
        })
        .collect();
    let body = serde_json::json!({"data": sessions, "next_cursor": format!("sess_{:03}", SESSIONS_PER_PAGE - 1)});
    Ok(Canned { status: StatusCode::OK, body: Bytes::from(serde_json::to_vec(&body)?) })
}

/// The message `send_message` sends: built afresh for every request on both sides, as a caller
/// would.
pub fn text_message() -> wapio::types::SendMessageRequest {
    wapio::types::SendMessageRequest::text("Hello from the benchmark").session_id("sess_000").to("15551234567").build()
}
