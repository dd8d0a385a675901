//! The runtime's `tracing` output: one span per request with method, path template, status,
//! attempts and duration, and never a token, access token, password or signature.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;
use wapio::operations::AccountTokenOperations as _;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use woztell::prelude::*;

const ACCESS_TOKEN: &str = "woz-s3cret-access-token";
const SIGNATURE: &str = "sig-s3cret";
const PAT: &str = "bps_pat_s3cret-account-token";
const PASSWORD: &str = "pw-s3cret";

/// Everything the subscriber writes, for the test to search.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Installs a subscriber at the most verbose level for the current thread (tokio tests run on
/// one thread), with span close events so the span's recorded fields are printed.
fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

/// One policy type serves all three clients: they share the runtime.
fn fast_retries(max_retries: u32) -> woztell::RetryPolicy {
    woztell::RetryPolicy::default()
        .with_max_retries(max_retries)
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(2))
}

fn assert_no_secret(logs: &str) {
    for secret in [ACCESS_TOKEN, SIGNATURE, PAT, PASSWORD] {
        assert!(!logs.contains(secret), "`{secret}` reached the logs:\n{logs}");
    }
}

#[tokio::test]
async fn a_retried_read_is_one_span_with_status_attempts_and_duration() {
    let server = MockServer::start().await;
    Mock::given(path("/waba-info"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/waba-info"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": 1, "data": {}})))
        .mount(&server)
        .await;
    let config = woztell::config().with_base_url(server.uri()).with_retry_policy(fast_retries(2));
    let client = woztell::Client::with_config(config, woztell::AccessToken::new(ACCESS_TOKEN).unwrap()).unwrap();

    let (captured, _guard) = capture();
    client.get_waba_info().waba_id("w1").send().await.unwrap();
    let logs = captured.text();

    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 2, "one 503, one retry");
    assert!(sent[0].url.query().unwrap().contains(ACCESS_TOKEN), "the token did travel in the query");
    let close = logs.lines().find(|line| line.contains("close")).unwrap_or_else(|| panic!("no span closed:\n{logs}"));
    for field in [
        "http_request{",
        "operation=\"get_waba_info\"",
        "method=GET",
        "path=\"/waba-info\"",
        "status=200",
        "attempts=2",
    ] {
        assert!(close.contains(field), "the span lacks `{field}`: {close}");
    }
    assert!(logs.contains("duration_ms="), "no duration recorded:\n{logs}");
    assert_eq!(logs.matches("retrying").count(), 1, "one retry event:\n{logs}");
    assert!(logs.contains("status=503"), "the failed attempt is logged:\n{logs}");
    assert_no_secret(&logs);
}

#[tokio::test]
async fn transport_failures_log_no_url_and_no_token() {
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config =
        woztell::config().with_base_url(format!("http://127.0.0.1:{closed_port}")).with_retry_policy(fast_retries(1));
    let client = woztell::Client::with_config(config, woztell::AccessToken::new(ACCESS_TOKEN).unwrap()).unwrap();
    let signed =
        client.signed(woztell::SignedContext::new(SIGNATURE, "app-1", "integration-1", "channel-1").unwrap()).unwrap();

    let (captured, _guard) = capture();
    let read = client.get_waba_info().waba_id("w1").send().await.unwrap_err();
    let signed_read = signed.list_catalogs().send().await.unwrap_err();
    let logs = captured.text();

    assert_eq!(logs.matches("connect failed").count(), 4, "two attempts per call:\n{logs}");
    assert!(!logs.contains("accessToken="), "a URL reached the logs:\n{logs}");
    assert_no_secret(&logs);
    assert_no_secret(&format!("{read} {read:?} {signed_read} {signed_read:?}"));
}

#[tokio::test]
async fn bearer_tokens_and_login_passwords_stay_out_of_the_logs() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/send-message"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0").set_body_json(json!({
            "success": false, "message": "slow down", "reason_code": "rate_limited"
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/auth"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"Success": false, "Message": "bad credentials"})))
        .mount(&server)
        .await;
    let wapio_config = wapio::config().with_base_url(server.uri()).with_retry_policy(fast_retries(1));
    let wapio = wapio::Client::with_config(wapio_config, wapio::AccountToken::new(PAT).unwrap()).unwrap();
    let text = wapio::types::SendMessageRequest::text("hello").session_id("sess_1").to("15551234567").build();

    let (captured, _guard) = capture();
    let send = wapio.send_message(text).send().await.unwrap_err();
    let login = verloop_partner::Management::login_with_config(
        verloop_partner::config().with_base_url(server.uri()).with_max_retries(0),
        "partner@example.com",
        PASSWORD,
    )
    .await
    .unwrap_err();
    let logs = captured.text();

    assert!(logs.contains("operation=\"send_message\""), "{logs}");
    assert!(logs.contains("status=429"), "{logs}");
    assert!(logs.contains("operation=\"login\""), "{logs}");
    assert!(logs.contains("status=401"), "{logs}");
    assert_no_secret(&logs);
    assert_no_secret(&format!("{send} {send:?} {login} {login:?}"));
}
