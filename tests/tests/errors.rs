//! What a failed call says: one line naming the provider's operation and the cause, the cause
//! kept in `source()`, accessors that classify it, and never a credential: for a timeout, a
//! refused connection, a failed DNS lookup, an untrusted TLS certificate (and the same one
//! trusted through `Config::with_root_certificate`), a body that does not match the spec, and
//! each provider's documented error body. Also which failures are retried.

use crate::support;

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use verloop_partner::operations::PhoneNumberTokenOperations as _;
use wapio::operations::AccountTokenOperations as _;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use woztell::operations::AccessTokenOperations as _;

const WAPIO_TOKEN: &str = "bps_pat_errors_s3cret";
const VERLOOP_TOKEN: &str = "verloop-errors-s3cret";
const WOZTELL_TOKEN: &str = "woztell-errors-s3cret";
const SECRETS: [&str; 3] = [WAPIO_TOKEN, VERLOOP_TOKEN, WOZTELL_TOKEN];

fn config(base_url: impl Into<String>) -> whatsapp_sdk_runtime::Config {
    whatsapp_sdk_runtime::Config::new(base_url).with_max_retries(0)
}

fn wapio(config: whatsapp_sdk_runtime::Config) -> wapio::Client {
    wapio::Client::with_config(config, wapio::AccountToken::new(WAPIO_TOKEN).unwrap()).unwrap()
}

fn verloop(config: whatsapp_sdk_runtime::Config) -> verloop_partner::Messaging {
    let token = verloop_partner::PhoneNumberToken::new(VERLOOP_TOKEN).unwrap();
    verloop_partner::Messaging::with_config(config, token).unwrap()
}

fn woztell(config: whatsapp_sdk_runtime::Config) -> woztell::Client {
    woztell::Client::with_config(config, woztell::AccessToken::new(WOZTELL_TOKEN).unwrap()).unwrap()
}

fn verloop_body() -> verloop_partner::types::SendMessageRequest {
    serde_json::from_value(json!({"messages": []})).unwrap()
}

/// Everything an error shows: `Display`, `{:#}`-style chain, `Debug`, and the accessors' text.
fn everything_shown<E: std::fmt::Debug>(error: &whatsapp_sdk_runtime::Error<E>) -> String {
    let mut shown = format!("{error}\n{error:?}\n{:?} {:?} {:?}", error.operation(), error.status(), error.meta());
    let mut source = error.source();
    while let Some(cause) = source {
        shown.push_str(&format!("\n{cause}\n{cause:?}"));
        source = cause.source();
    }
    shown
}

fn assert_no_secret(shown: &str) {
    for secret in SECRETS {
        assert!(!shown.contains(secret), "a credential was shown: {shown}");
    }
    assert!(!shown.contains("http://127.0.0.1") && !shown.contains("https://"), "a URL was shown: {shown}");
}

/// A port on 127.0.0.1 that nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn a_timeout_names_the_operation_and_the_limit() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = verloop(config(server.uri()).with_timeout(Duration::from_millis(300)));
    let error = client.send_message(verloop_body()).send().await.unwrap_err();
    assert_eq!(error.to_string(), "verloop-partner send_message: timed out after 300 ms");
    assert!(error.is_timeout() && !error.is_connect(), "{error:?}");
    assert_eq!((error.provider(), error.operation()), (Some("verloop-partner"), Some("send_message")));
    // A keyless POST may have been processed: a timeout of it is not retried.
    assert!(!error.is_retryable());
    // The cause below the message: reqwest's error and its own chain, nothing repeated.
    let cause = error.source().expect("the transport error is kept");
    assert!(cause.source().is_some(), "reqwest's own chain is kept: {cause:?}");
    assert!(!cause.to_string().contains("timed out after"), "{cause}");
    assert_no_secret(&everything_shown(&error));
}

#[tokio::test]
async fn a_refused_connection_says_so() {
    let client = woztell(config(format!("http://127.0.0.1:{}", closed_port())));
    let error = client.list_templates().waba_id("waba-1").first(10).send().await.unwrap_err();
    assert_eq!(error.to_string(), "woztell list_templates: connection refused");
    assert!(error.is_connect() && error.is_retryable() && !error.is_timeout(), "{error:?}");
    assert!(error.status().is_none() && error.retry_after().is_none());
    // As `anyhow` prints it (`{:#}`): the message, then the causes below it, none repeated.
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    assert!(chain.starts_with("woztell list_templates: connection refused: error sending request"), "{chain}");
    assert_eq!(chain.matches("connection refused").count(), 1, "{chain}");
    // The query carried the access token: no part of the URL is shown.
    assert_no_secret(&everything_shown(&error));
}

/// A resolver that knows no name, standing in for a failed DNS lookup without sending one.
struct NoNames;

impl reqwest::dns::Resolve for NoNames {
    fn resolve(&self, _: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async {
            Err::<reqwest::dns::Addrs, _>(
                std::io::Error::new(std::io::ErrorKind::NotFound, "failed to lookup address information").into(),
            )
        })
    }
}

#[tokio::test]
async fn a_failed_dns_lookup_says_so() {
    let config = config("http://api.wapio.invalid");
    let http = config.http_client_builder().unwrap().dns_resolver(Arc::new(NoNames)).build().unwrap();
    let client = wapio(config.with_http_client(http));
    let error = client.get_session("sess_1").send().await.unwrap_err();
    assert_eq!(error.to_string(), "wapio get_session: DNS lookup failed: failed to lookup address information");
    assert!(error.is_connect() && error.is_retryable(), "{error:?}");
    assert_no_secret(&everything_shown(&error));
}

#[tokio::test]
async fn an_untrusted_certificate_fails_the_tls_handshake() {
    let server = support::tls::TlsServer::start().await;
    let client = verloop(config(server.url()));
    let error = client.send_message(verloop_body()).send().await.unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with("verloop-partner send_message: TLS handshake failed: "), "{message}");
    assert!(message.contains("certificate"), "the cause names the certificate: {message}");
    assert!(error.is_connect(), "{error:?}");
    assert_no_secret(&everything_shown(&error));
}

#[tokio::test]
async fn a_root_added_to_the_config_makes_the_certificate_trusted() {
    let server = support::tls::TlsServer::start().await;
    let config = config(server.url()).with_root_certificate(server.certificate_pem.as_bytes()).unwrap();
    // The server answers `200 {"ok":1}` to anything: a status back means the handshake passed.
    if let Err(error) = verloop(config).send_message(verloop_body()).send().await {
        assert_eq!(error.status().map(|status| status.as_u16()), Some(200), "{error}");
    }
}

#[tokio::test]
async fn a_body_that_does_not_match_the_spec_names_status_and_path() {
    let server = MockServer::start().await;
    // `data[1].name` must be a string; the echoed token must not be shown.
    let body = json!({
        "ok": 1,
        "data": [
            {"id": "t0", "name": "first", "status": "APPROVED", "language": "en", "category": "UTILITY"},
            {"id": "t1", "name": 42, "status": "APPROVED", "language": "en", "category": "UTILITY",
             "note": format!("echoed {WOZTELL_TOKEN}")}
        ]
    });
    Mock::given(path("/whatsapp-message-templates"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let client = woztell(config(server.uri()));
    let error = client.list_templates().waba_id("waba-1").first(10).send().await.unwrap_err();
    let woztell::ErrorKind::InvalidResponse(invalid) = error.kind() else { panic!("{error:?}") };
    assert_eq!(invalid.status.as_u16(), 200);
    assert_eq!(invalid.path(), "/data/1/name");
    assert!(invalid.snippet().len() <= 512 && invalid.snippet().contains("<redacted>"), "{}", invalid.snippet());
    assert!(
        error
            .to_string()
            .starts_with("woztell list_templates: HTTP 200 body does not match the spec at /data/1/name: invalid type"),
        "{error}"
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
    assert!(!error.is_retryable());
    assert_no_secret(&everything_shown(&error));
}

#[tokio::test]
async fn each_documented_error_body_is_summarised() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/whatsapp-sessions/missing"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "success": false, "reason_code": "not_found", "message": "Session not found"
        })))
        .mount(&server)
        .await;
    Mock::given(path("/whatsapp/send_message"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "phone number is not registered"})))
        .mount(&server)
        .await;
    Mock::given(path("/whatsapp-message-templates"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "120")
                .set_body_json(json!({"ok": 0, "message": format!("rate limited for token {WOZTELL_TOKEN}")})),
        )
        .mount(&server)
        .await;

    let error = wapio(config(server.uri())).get_session("missing").send().await.unwrap_err();
    assert_eq!(error.to_string(), "wapio get_session: HTTP 404 not_found: Session not found");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert!(!error.is_retryable() && !error.is_rate_limited());
    use wapio::WapioErrorExt;
    assert_eq!(error.message(), Some("Session not found"));

    let error = verloop(config(server.uri())).send_message(verloop_body()).send().await.unwrap_err();
    assert_eq!(error.to_string(), "verloop-partner send_message: HTTP 400 phone number is not registered");
    assert_eq!(error.body().and_then(|body| body.error.as_deref()), Some("phone number is not registered"));

    let error = woztell(config(server.uri())).list_templates().waba_id("w").first(1).send().await.unwrap_err();
    assert_eq!(error.to_string(), "woztell list_templates: HTTP 429 rate limited for token <redacted>");
    assert!(error.is_rate_limited() && error.is_retryable());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
    assert_no_secret(&everything_shown(&error));
}

#[tokio::test]
async fn an_undocumented_answer_keeps_its_status_and_a_redacted_snippet() {
    let server = MockServer::start().await;
    let page = format!("<html>\n<body>Bad gateway; accessToken={WOZTELL_TOKEN}</body>\n</html>{}", "x".repeat(2000));
    Mock::given(path("/v1/whatsapp-sessions/sess_1"))
        .respond_with(ResponseTemplate::new(502).set_body_string(page))
        .mount(&server)
        .await;
    let error = wapio(config(server.uri())).get_session("sess_1").send().await.unwrap_err();
    let wapio::ErrorKind::UnexpectedResponse(raw) = error.kind() else { panic!("{error:?}") };
    assert_eq!(raw.status.as_u16(), 502);
    assert!(raw.snippet().len() <= 512 && !raw.snippet().contains('\n'), "{}", raw.snippet());
    let message = error.to_string();
    assert!(
        message.starts_with("wapio get_session: unexpected HTTP 502 Bad Gateway: <html> <body>Bad gateway;"),
        "{message}"
    );
    assert!(!message.contains('\n'), "one line: {message}");
    // GET is safe to repeat: a 502 would have been retried.
    assert!(error.is_retryable());
    assert_no_secret(&everything_shown(&error));
}

#[tokio::test]
async fn a_keyless_post_is_repeated_after_a_429_but_not_after_a_503() {
    let server = MockServer::start().await;
    let accepted = json!({"results": []});
    Mock::given(path("/whatsapp/send_message"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/whatsapp/send_message"))
        .respond_with(ResponseTemplate::new(200).set_body_json(accepted))
        .mount(&server)
        .await;
    let retrying = whatsapp_sdk_runtime::Config::new(server.uri()).with_max_retries(2);
    verloop(retrying.clone()).send_message(verloop_body()).send().await.expect("the 429 is retried");
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 2, "the keyless POST was sent again after the 429");
    assert!(sent[0].headers.get("idempotency-key").is_none(), "Verloop's send takes no idempotency key");

    let server = MockServer::start().await;
    Mock::given(path("/whatsapp/send_message")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let error = verloop(retrying.with_base_url(server.uri())).send_message(verloop_body()).send().await.unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "a keyless POST is not repeated after a 503");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert!(!error.is_retryable());
}
