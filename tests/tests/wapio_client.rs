//! Behaviour of the `wapio` client beyond the wire contract: pagination, idempotent retries,
//! credential types, tolerant enums, error decoding and secret hygiene.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::TryStreamExt;
use serde_json::json;
use wapio::prelude::*;
use wapio::types::{ReasonCode, SendMessageRequest, SessionStatus};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const PAT: &str = "bps_pat_s3cr3t-account-token";
const KEY: &str = "bps_sk_s3cr3t-session-key";

fn client(server: &MockServer, max_retries: u32) -> Client<AccountToken> {
    let config = wapio::config().with_base_url(server.uri()).with_max_retries(max_retries).with_retry_policy(
        wapio::RetryPolicy::default()
            .with_max_retries(max_retries)
            .with_base_delay(std::time::Duration::from_millis(1))
            .with_max_delay(std::time::Duration::from_millis(5)),
    );
    Client::with_config(config, AccountToken::new(PAT).unwrap()).unwrap()
}

fn session(id: &str, status: &str) -> serde_json::Value {
    json!({"session_id": id, "account_id": "acc_1", "status": status, "label": id})
}

#[tokio::test]
async fn sessions_stream_follows_next_cursor_through_three_pages() {
    let server = MockServer::start().await;
    let pages = [
        (None, json!({"data": [session("s5", "connected"), session("s4", "connecting")], "next_cursor": "s4"})),
        (Some("s4"), json!({"data": [session("s3", "pending"), session("s2", "connected")], "next_cursor": "s2"})),
        (Some("s2"), json!({"data": [session("s1", "disconnected")], "next_cursor": null})),
    ];
    for (cursor, body) in pages {
        let mock = Mock::given(method("GET")).and(path("/v1/whatsapp-sessions")).and(query_param("limit", "2"));
        let mock = match cursor {
            Some(cursor) => mock.and(query_param("before_id", cursor)),
            None => mock.and(query_param_is_missing("before_id")),
        };
        mock.respond_with(ResponseTemplate::new(200).set_body_json(body)).expect(1).mount(&server).await;
    }
    let client = client(&server, 0);
    let sessions: Vec<_> = client.sessions(|list| list.limit(2)).try_collect().await.unwrap();
    let ids: Vec<_> = sessions.iter().map(|s| s.session_id.clone()).collect();
    assert_eq!(ids, ["s5", "s4", "s3", "s2", "s1"]);
    assert_eq!(sessions[2].status, SessionStatus::Pending);
}

#[tokio::test]
async fn sessions_stream_passes_the_status_filter_and_surfaces_errors() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/whatsapp-sessions"))
        .and(query_param("status", "pending_deletion"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"success": false, "message": "bad token"})))
        .mount(&server)
        .await;
    let client = client(&server, 0);
    let result: Result<Vec<_>, _> =
        client.sessions(|list| list.status(SessionStatus::PendingDeletion)).try_collect().await;
    let error = result.unwrap_err();
    assert_eq!(error.status(), Some(reqwest::StatusCode::UNAUTHORIZED));
}

fn text_message() -> SendMessageRequest {
    SendMessageRequest::text("hello").session_id("sess_1").to("15551234567").build()
}

/// 503, then 429 with `Retry-After: 0`, then 202.
struct FlakyThenAccepted(Arc<AtomicUsize>);

impl Respond for FlakyThenAccepted {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        match self.0.fetch_add(1, Ordering::SeqCst) {
            0 => ResponseTemplate::new(503),
            1 => ResponseTemplate::new(429)
                .insert_header("retry-after", "0")
                .set_body_json(json!({"reason_code": "rate_limited"})),
            _ => ResponseTemplate::new(202)
                .set_body_json(json!({"msgId": "wamid.1", "jid": "15551234567@s.whatsapp.net", "status": "queued"})),
        }
    }
}

#[tokio::test]
async fn send_message_keeps_one_idempotency_key_across_retries() {
    let server = MockServer::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path("/api/send-message"))
        .respond_with(FlakyThenAccepted(calls.clone()))
        .mount(&server)
        .await;
    let accepted = client(&server, 3).send_message(text_message()).send().await.unwrap();
    assert_eq!(accepted.status(), 202);
    assert_eq!(accepted.into_inner().msg_id.as_deref(), Some("wamid.1"));

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    let keys: Vec<_> = requests.iter().map(|r| r.headers.get("idempotency-key").unwrap().to_str().unwrap()).collect();
    assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
    assert_eq!(uuid_version(keys[0]), Some(4), "{}", keys[0]);
    let bodies: Vec<serde_json::Value> = requests.iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect();
    assert!(
        bodies
            .iter()
            .all(|b| *b == json!({"kind": "text", "session_id": "sess_1", "to": "15551234567", "text": "hello"}))
    );
}

#[tokio::test]
async fn each_send_gets_its_own_key_and_a_caller_key_is_kept() {
    let server = MockServer::start().await;
    Mock::given(path("/api/send-message"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({})))
        .mount(&server)
        .await;
    let client = client(&server, 0);
    client.send_message(text_message()).send().await.unwrap();
    client.send_message(text_message()).send().await.unwrap();
    client.send_message(text_message()).idempotency_key("order-42").send().await.unwrap();
    let keys: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.headers.get("idempotency-key").unwrap().to_str().unwrap().to_string())
        .collect();
    assert_ne!(keys[0], keys[1]);
    assert_eq!(keys[2], "order-42");
}

fn uuid_version(text: &str) -> Option<u32> {
    let hex: String = text.chars().filter(|c| *c != '-').collect();
    (text.len() == 36 && hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| hex[12..13].parse::<u32>().ok())
        .flatten()
}

#[test]
fn credentials_are_checked_by_prefix() {
    assert!(AccountToken::new("bps_pat_abc").is_ok());
    assert!(SessionKey::new("bps_sk_abc").is_ok());
    let wrong = AccountToken::new("bps_sk_abc").unwrap_err().to_string();
    assert!(wrong.contains("bps_pat_") && !wrong.contains("bps_sk_abc"), "{wrong}");
    assert!(SessionKey::new("bps_pat_abc").is_err());
    assert!(SessionKey::new("bps_sk_").is_err());
    assert!(AccountToken::new("bps_pat_a\nb").is_err());
}

#[tokio::test]
async fn session_key_client_calls_session_routes_with_its_key() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/whatsapp-sessions/s1"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-ratelimit-remaining", "41")
                .insert_header("x-request-id", "req-ok")
                .set_body_json(session("s1", "connected")),
        )
        .mount(&server)
        .await;
    let config = wapio::config().with_base_url(server.uri());
    let client = Client::with_config(config, SessionKey::new(KEY).unwrap()).unwrap();
    // `client.create_session()` does not compile for `Client<SessionKey>` (see the doctest on
    // `wapio::Client`); the session routes do.
    let response = client.get_session("s1").send().await.unwrap();
    let meta = response.meta();
    assert_eq!((meta.rate_limit_remaining, meta.request_id.as_deref()), (Some(41), Some("req-ok")));
    assert_eq!(response.into_inner().status, SessionStatus::Connected);
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(request.headers.get("authorization").unwrap(), &format!("Bearer {KEY}"));
}

#[tokio::test]
async fn unknown_enum_values_are_kept() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/whatsapp-sessions/s1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(session("s1", "hibernating")))
        .mount(&server)
        .await;
    Mock::given(path("/api/send-message"))
        .respond_with(
            ResponseTemplate::new(422).set_body_json(json!({"success": false, "reason_code": "quota_exhausted"})),
        )
        .mount(&server)
        .await;
    let client = client(&server, 0);
    let session = client.get_session("s1").send().await.unwrap().into_inner();
    let status = session.status.clone();
    assert_eq!(status, SessionStatus::Unknown("hibernating".into()));
    assert!(status.is_unknown());
    assert_eq!(serde_json::to_value(&session).unwrap()["status"], "hibernating");

    let error: wapio::Error = client.send_message(text_message()).send().await.unwrap_err();
    assert_eq!(error.reason_code(), Some(&ReasonCode::Unknown("quota_exhausted".into())));
}

#[tokio::test]
async fn documented_error_envelope_is_matchable() {
    let server = MockServer::start().await;
    Mock::given(path("/api/send-message"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "30")
                .insert_header("x-request-id", "req-9")
                .set_body_json(
                    json!({"success": false, "message": "slow down", "reason_code": "rate_limited", "errors": {}}),
                ),
        )
        .mount(&server)
        .await;
    let client = client(&server, 0);
    let error: wapio::Error = client.send_message(text_message()).send().await.unwrap_err();
    assert!(error.is_rate_limited());
    assert_eq!(error.reason_code(), Some(&ReasonCode::RateLimited));
    assert_eq!(error.headers().unwrap()["x-request-id"], "req-9");
    let meta = error.meta().unwrap();
    assert_eq!(meta.request_id.as_deref(), Some("req-9"));
    assert_eq!(meta.retry_after, Some(std::time::Duration::from_secs(30)));
    assert_eq!(error.message(), Some("slow down"));
    let wapio::ErrorKind::Api(api) = error.kind() else { panic!("expected an API error, got {error:?}") };
    assert_eq!(api.body.errors.len(), 0);
    assert_eq!(api.status, 429);
    assert_eq!((error.operation(), error.provider()), (Some("send_message"), Some("wapio")));
    assert_eq!(error.to_string(), "wapio send_message: HTTP 429 rate_limited: slow down");
}

#[tokio::test]
async fn non_json_error_bodies_keep_their_status() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/whatsapp-sessions/gone"))
        .respond_with(ResponseTemplate::new(404).set_body_string("<html>Not Found</html>"))
        .mount(&server)
        .await;
    Mock::given(path("/v1/whatsapp-sessions/down"))
        .respond_with(ResponseTemplate::new(502).set_body_string("Bad Gateway"))
        .mount(&server)
        .await;
    let client = client(&server, 0);
    for (id, status, body) in [("gone", 404, "<html>Not Found</html>"), ("down", 502, "Bad Gateway")] {
        let error: wapio::Error = client.get_session(id).send().await.unwrap_err();
        let wapio::ErrorKind::UnexpectedResponse(raw) = error.kind() else { panic!("{id}: {error:?}") };
        assert_eq!(raw.status, status);
        assert_eq!(raw.body, body.as_bytes());
        assert!(error.to_string().contains(&status.to_string()) && error.to_string().contains(body), "{error}");
    }
}

#[tokio::test]
async fn malformed_success_body_is_a_typed_error() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/whatsapp-sessions/s1"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"session_id\": 7"))
        .mount(&server)
        .await;
    let error: wapio::Error = client(&server, 0).get_session("s1").send().await.unwrap_err();
    let wapio::ErrorKind::InvalidResponse(invalid) = error.kind() else { panic!("{error:?}") };
    assert_eq!(invalid.path(), "/session_id", "{error}");
}

#[tokio::test]
async fn secrets_stay_out_of_debug_and_errors() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/whatsapp-sessions/s1"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "invalid token"})))
        .mount(&server)
        .await;
    let client = client(&server, 0);
    let api_error: wapio::Error = client.get_session("s1").send().await.unwrap_err();

    let closed_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = wapio::config().with_base_url(format!("http://127.0.0.1:{closed_port}")).with_max_retries(0);
    let offline = Client::with_config(config, AccountToken::new(PAT).unwrap()).unwrap();
    let transport_error: wapio::Error = offline.get_session("s1").send().await.unwrap_err();
    assert!(matches!(transport_error.kind(), wapio::ErrorKind::Transport(_)), "{transport_error:?}");
    assert!(transport_error.is_connect(), "{transport_error:?}");

    let session_key = SessionKey::new(KEY).unwrap();
    let shown = [
        format!("{client:?}"),
        format!("{:?}", AccountToken::new(PAT).unwrap()),
        format!("{session_key:?}"),
        format!("{api_error} {api_error:?}"),
        format!("{transport_error} {transport_error:?}"),
    ];
    for text in shown {
        assert!(!text.contains("s3cr3t"), "secret leaked: {text}");
    }
}

/// A missing path parameter or body no longer reaches run time: `client.get_session()` and
/// `client.send_message()` do not compile (the `compile_fail` doctests on the `wapio` crate).
/// What can still fail before sending is a value that cannot be encoded, such as a header
/// parameter with a line break: a typed error, and nothing is sent.
#[tokio::test]
async fn an_unencodable_parameter_is_a_typed_error_and_sends_nothing() {
    let server = MockServer::start().await;
    let client = client(&server, 0);
    let error =
        client.send_message(text_message()).idempotency_key("order-42\r\nx-injected: 1").send().await.unwrap_err();
    assert!(
        matches!(error.kind(), wapio::ErrorKind::InvalidRequest(message) if message.contains("header")),
        "{error:?}"
    );
    assert_eq!(error.operation(), Some("send_message"));
    assert!(!error.to_string().contains("x-injected"), "{error}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn send_does_nothing_until_polled() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/send-message"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"msg_id": "wamid.1"})))
        .mount(&server)
        .await;
    let client = client(&server, 0);
    let dropped = client.send_message(text_message()).send();
    let pending = client.send_message(text_message()).send();
    drop(dropped);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(server.received_requests().await.unwrap().is_empty());
    assert_eq!(pending.await.unwrap().status(), 202);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn operation_futures_can_be_spawned_on_a_multi_threaded_runtime() {
    fn is_send<T: Send>(_: &T) {}
    let server = MockServer::start().await;
    let client = client(&server, 0);
    is_send(&client.send_message(text_message()).send());
    is_send(&client.list_sessions().send());
    is_send(&client.delete_session("s1").send());
}

/// The size of the future `send` returns, found from the closure's type: the closure is not
/// called, so its request values need not be valid.
fn future_size<F: Future>(_: impl FnOnce() -> F) -> usize {
    std::mem::size_of::<F>()
}

/// Every request's future is moved (into the executor, through combinators): what it holds is
/// copied each time. The operation with the largest parameters bounds them all; retry and
/// tracing state are boxed, the parameters held once.
#[test]
fn the_largest_operations_future_stays_small() {
    let client = Client::with_config(wapio::config(), AccountToken::new(PAT).unwrap()).unwrap();
    let update_session = future_size(|| {
        client
            .update_session("s1", serde_json::from_value::<wapio::types::UpdateSessionRequest>(json!({})).unwrap())
            .send()
    });
    let send_message = future_size(|| client.send_message(text_message()).send());
    let list_sessions = future_size(|| client.list_sessions().send());
    eprintln!(
        "future sizes: update_session {update_session}, send_message {send_message}, list_sessions {list_sessions} bytes"
    );
    assert!(update_session <= 768, "update_session's future has {update_session} bytes");
    assert!(send_message <= update_session && list_sessions <= update_session);
}
