//! One provider name everywhere: an error's `Display`, `Error::provider()`, the drift events of
//! a request and of a webhook delivery, and the `http_request` tracing span all say
//! `verloop-partner`, as the crate is named. Its own test binary: the subscriber is scoped to the
//! test's thread, and a test on another thread without one would disable the span's callsite.

use serde_json::{Value, json};
use verloop_partner::operations::PhoneNumberTokenOperations as _;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn serve(server: &MockServer, status: u16, body: &Value) {
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(server)
        .await;
}

/// Captures what the subscriber prints (JSON lines) on the test's thread.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn one_provider_name_in_display_provider_drift_and_tracing() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    serve(&server, 400, &json!({"error": "bad request", "surprise": 1})).await;
    let token = verloop_partner::PhoneNumberToken::new("verloop-names").unwrap();
    let config = verloop_partner::config().with_base_url(server.uri()).with_max_retries(0);
    let messaging = verloop_partner::Messaging::with_config(config.with_member_drift_sampling(1), token).unwrap();
    let request = verloop_partner::types::SendMessageRequest::builder().messages(Vec::new());
    let error = messaging.send_message(request).send().await.unwrap_err();
    assert_eq!(error.provider(), Some("verloop-partner"));
    assert!(error.to_string().starts_with("verloop-partner send_message: "), "{error}");
    assert_eq!(error.drift().len(), 1, "{:?}", error.drift());

    let key = verloop_partner::SystemUserToken::new("sut_names").unwrap();
    let delivery = br#"{"object":"whatsapp_business_account","entry":[],"surprise":1}"#;
    let mut headers = reqwest::header::HeaderMap::new();
    let signature = verloop_partner::webhook::sign(&key, delivery);
    headers.insert(verloop_partner::webhook::SIGNATURE_HEADER, signature.parse().unwrap());
    let verifier = verloop_partner::webhook::Verifier::new(key);
    let (_, drift) = verifier.verify_and_parse_with_drift(&headers, delivery).unwrap();
    assert_eq!(drift.len(), 1, "{drift:?}");

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = logs.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let drift_events: Vec<&Value> =
        lines.iter().filter(|line| line["target"] == verloop_partner::DRIFT_TARGET).collect();
    assert_eq!(drift_events.len(), 2, "a request's and a webhook's: {logs}");
    let request_spans: Vec<&Value> = lines.iter().filter(|line| line["span"]["name"] == "http_request").collect();
    assert!(!request_spans.is_empty(), "{logs}");
    assert!(request_spans.iter().all(|line| line["span"]["provider"] == "verloop-partner"), "{logs}");
    let names: std::collections::BTreeSet<&str> = lines
        .iter()
        .flat_map(|line| [&line["fields"]["provider"], &line["span"]["provider"]])
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(names, std::collections::BTreeSet::from(["verloop-partner"]), "{logs}");
}
