//! Behaviour of the `verloop-partner` client: login, cached phone tokens, the two token
//! handles, the hand-written multipart upload, streamed downloads, errors and secrets.

use futures::StreamExt;
use serde_json::json;
use verloop_partner::prelude::*;
use verloop_partner::types::{OutgoingMessage, SendMessageRequest};
use verloop_partner::{Config, MediaUpload};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SYSTEM_TOKEN: &str = "sut-s3cret-system";
const PHONE_TOKEN: &str = "pnt-s3cret-phone";

fn config(server: &MockServer) -> Config {
    verloop_partner::config().with_base_url(server.uri()).with_max_retries(0)
}

fn text(to: &str) -> SendMessageRequest {
    let message: OutgoingMessage = serde_json::from_value(json!({
        "type": "text", "messaging_product": "whatsapp", "to": to, "text": {"body": "hi"}
    }))
    .unwrap();
    SendMessageRequest::builder().messages(vec![message]).build()
}

#[tokio::test]
async fn login_then_cached_phone_token_then_send() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth"))
        .and(body_json(json!({"username": "partner@example.com", "password": "pw-s3cret"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"system_user_token": SYSTEM_TOKEN})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/whatsapp/get_phone_token"))
        .and(query_param("client_id", "client-1"))
        .and(query_param("phone_id", "phone-1"))
        .and(header("authorization", SYSTEM_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"token": PHONE_TOKEN})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/whatsapp/send_message"))
        .and(header("authorization", PHONE_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"SuccessMessages": [], "ErrorMessages": []})))
        .expect(2)
        .mount(&server)
        .await;

    let management = Management::login_with_config(config(&server), "partner@example.com", "pw-s3cret").await.unwrap();
    for to in ["15550001", "15550002"] {
        let messaging = management.phone_token("client-1", "phone-1").await.unwrap();
        messaging.send_message(text(to)).send().await.unwrap();
    }
    let login = &server.received_requests().await.unwrap()[0];
    assert!(login.headers.get("authorization").is_none(), "login is public");
    // The `expect` counts are verified when the server drops: one login, one token fetch, two sends.
}

#[tokio::test]
async fn forgetting_a_phone_token_fetches_it_again() {
    let server = MockServer::start().await;
    Mock::given(path("/whatsapp/get_phone_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"token": PHONE_TOKEN})))
        .expect(2)
        .mount(&server)
        .await;
    let management = Management::with_config(config(&server), SystemUserToken::new(SYSTEM_TOKEN).unwrap()).unwrap();
    management.phone_token("c", "p").await.unwrap();
    management.phone_token("c", "p").await.unwrap();
    management.forget_phone_token("c", "p").await;
    management.phone_token("c", "p").await.unwrap();
}

#[tokio::test]
async fn upload_media_sends_every_multipart_part_with_the_system_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/whatsapp/upload_media"))
        .and(header("authorization", SYSTEM_TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"message": "Media uploaded successfully", "asset_handle": "H1"})),
        )
        .mount(&server)
        .await;
    let management = Management::with_config(config(&server), SystemUserToken::new(SYSTEM_TOKEN).unwrap()).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("card.png");
    std::fs::write(&file, b"\x89PNG-bytes").unwrap();
    let upload = MediaUpload::from_path(&file).await.unwrap().file_type("image/png");
    let uploaded = management.upload_media("client-1", upload).await.unwrap().into_inner();
    assert_eq!(uploaded.asset_handle.as_deref(), Some("H1"));

    let request = &server.received_requests().await.unwrap()[0];
    let content_type = request.headers.get("content-type").unwrap().to_str().unwrap().to_string();
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect("multipart");
    let parts = multipart_parts(&request.body, boundary);
    let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["client_id", "file", "file_name", "file_type"]);
    assert_eq!(parts[0].body, b"client-1");
    assert_eq!(parts[1].body, b"\x89PNG-bytes");
    assert!(
        parts[1].headers.contains("filename=\"card.png\"") && parts[1].headers.contains("image/png"),
        "{}",
        parts[1].headers
    );
    assert_eq!(parts[2].body, b"card.png");
    assert_eq!(parts[3].body, b"image/png");
}

#[tokio::test]
async fn upload_media_decodes_the_documented_error() {
    let server = MockServer::start().await;
    Mock::given(path("/whatsapp/upload_media"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "invalid file type"})))
        .mount(&server)
        .await;
    let management = Management::with_config(config(&server), SystemUserToken::new(SYSTEM_TOKEN).unwrap()).unwrap();
    let error = management.upload_media("c", MediaUpload::from_bytes(&b"x"[..])).await.unwrap_err();
    assert_eq!(error.status(), Some(reqwest::StatusCode::BAD_REQUEST));
    assert_eq!(error.body().and_then(|b| b.error.as_deref()), Some("invalid file type"));
}

struct Part {
    name: String,
    headers: String,
    body: Vec<u8>,
}

/// A minimal multipart/form-data reader, enough to check what the client sent.
fn multipart_parts(body: &[u8], boundary: &str) -> Vec<Part> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let rest_after_crlf = &rest[2..];
        let header_end = find(rest_after_crlf, b"\r\n\r\n").unwrap();
        let headers = String::from_utf8_lossy(&rest_after_crlf[..header_end]).to_string();
        let content = &rest_after_crlf[header_end + 4..];
        let end = find(content, format!("\r\n{delimiter}").as_bytes()).unwrap();
        let name = headers.split("name=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        parts.push(Part { name, headers, body: content[..end].to_vec() });
        rest = &content[end + 2..];
    }
    parts
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[tokio::test]
async fn media_download_is_streamed_in_chunks() {
    let server = MockServer::start().await;
    let file: Vec<u8> = (0..4 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    Mock::given(method("GET"))
        .and(path("/whatsapp/get_media"))
        .and(query_param("client_id", "c"))
        .and(query_param("id", "media-1"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(file.clone(), "application/octet-stream"))
        .mount(&server)
        .await;
    let management = Management::with_config(config(&server), SystemUserToken::new(SYSTEM_TOKEN).unwrap()).unwrap();
    let mut stream =
        management.get_media().client_id("c").id("media-1").send().await.unwrap().into_inner().into_inner();
    let mut received = Vec::new();
    let mut chunks = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        assert!(chunk.len() < file.len(), "the body arrives in pieces, not buffered whole");
        received.extend_from_slice(&chunk);
        chunks += 1;
    }
    assert!(chunks > 1);
    assert_eq!(received, file);
}

#[tokio::test]
async fn errors_decode_and_hold_no_secret() {
    let server = MockServer::start().await;
    Mock::given(path("/whatsapp/list_templates"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "token expired"})))
        .mount(&server)
        .await;
    Mock::given(path("/whatsapp/list_clients"))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream down"))
        .mount(&server)
        .await;
    let management = Management::with_config(config(&server), SystemUserToken::new(SYSTEM_TOKEN).unwrap()).unwrap();
    let api: verloop_partner::Error = management.list_templates().client_id("c").send().await.unwrap_err();
    assert_eq!(api.body().and_then(|b| b.error.as_deref()), Some("token expired"));
    let raw: verloop_partner::Error = management.list_clients().send().await.unwrap_err();
    let verloop_partner::ErrorKind::UnexpectedResponse(response) = raw.kind() else { panic!("{raw:?}") };
    assert_eq!((response.status.as_u16(), &response.body[..]), (503, &b"upstream down"[..]));

    let messaging = management.clone();
    let shown = format!("{api} {api:?} {raw} {raw:?} {management:?} {messaging:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
}

/// A send has no idempotency key, so once it may have reached the server it is never repeated:
/// not after a 503, and not after the connection drops without an answer.
#[tokio::test]
async fn send_message_is_not_retried_once_it_may_have_reached_the_server() {
    let retrying = |base_url: String| {
        let policy = verloop_partner::RetryPolicy::default()
            .with_max_retries(3)
            .with_base_delay(std::time::Duration::from_millis(1))
            .with_max_delay(std::time::Duration::from_millis(2));
        let config = verloop_partner::config().with_base_url(base_url).with_retry_policy(policy);
        Messaging::with_config(config, PhoneNumberToken::new(PHONE_TOKEN).unwrap()).unwrap()
    };

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/whatsapp/send_message"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "0"))
        .expect(1)
        .mount(&server)
        .await;
    let error = retrying(server.uri()).send_message(text("15550001")).send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));

    // A server that reads each request and hangs up without answering.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = requests.clone();
    tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = [0u8; 4096];
            if socket.read(&mut buffer).await.unwrap_or(0) > 0 {
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
    });
    let error = retrying(format!("http://{address}")).send_message(text("15550002")).send().await.unwrap_err();
    assert!(matches!(error.kind(), verloop_partner::ErrorKind::Transport(_)), "{error:?}");
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 1, "the dropped send was repeated");
}

#[tokio::test]
async fn operation_futures_can_be_spawned_on_a_multi_threaded_runtime() {
    fn is_send<T: Send>(_: &T) {}
    let server = MockServer::start().await;
    let management = verloop_partner::Management::with_config(
        config(&server),
        verloop_partner::SystemUserToken::new("t0ken").unwrap(),
    )
    .unwrap();
    is_send(&management.list_templates().client_id("c1").send());
}

/// The size of the future `send` returns, found from the closure's type: the closure is not
/// called, so its request values need not be valid.
fn future_size<F: Future>(_: impl FnOnce() -> F) -> usize {
    std::mem::size_of::<F>()
}

/// Every request's future is moved (into the executor, through combinators): what it holds is
/// copied each time. The operation with the largest parameters (`create_template`) bounds them
/// all; retry and tracing state are boxed, the parameters held once.
#[test]
fn the_largest_operations_future_stays_small() {
    let management =
        Management::with_config(verloop_partner::config(), SystemUserToken::new(SYSTEM_TOKEN).unwrap()).unwrap();
    let create_template = future_size(|| {
        management
            .create_template(
                serde_json::from_value::<verloop_partner::types::CreateTemplateRequest>(json!({})).unwrap(),
            )
            .send()
    });
    let list_templates = future_size(|| management.list_templates().client_id("c1").send());
    eprintln!("future sizes: create_template {create_template}, list_templates {list_templates} bytes");
    assert!(create_template <= 640, "create_template's future has {create_template} bytes");
    assert!(list_templates <= create_template);
}
