//! An API error's `Display` carries the provider's own message, whatever member the provider
//! documents it in: every documented error body of the three providers (the specs' examples of
//! error responses, and the upstream documents' error examples read by `xtask::audit`'s
//! readers) is served to one operation of its provider, and the error's one-line `Display`
//! must hold the text of the member(s) the spec's error schema names (`x-error-message`,
//! `x-error-code`). Bodies seen in traffic, which no document shows, are checked word for word.

use serde_json::{Value, json};
use verloop_partner::operations::PhoneNumberTokenOperations as _;
use wapio::operations::AccountTokenOperations as _;
use wiremock::{Mock, MockServer, ResponseTemplate};
use woztell::operations::AccessTokenOperations as _;
use xtask::audit::spec_model::SpecModel;
use xtask::audit::upstream::{self, ExampleBody};
use xtask::config;

/// The provider's spec, and every documented error body with where it is documented.
fn documented_error_bodies(provider: &str) -> (SpecModel, Vec<(String, Value)>) {
    let root = config::workspace_root().unwrap();
    let provider = config::providers(&root).unwrap().into_iter().find(|p| p.name == provider).unwrap();
    let spec = SpecModel::load(&provider.spec_path(&root)).unwrap();
    let mut bodies = Vec::new();
    for operation in &spec.operations {
        let statuses = spec.node(operation)["responses"].as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        for status in statuses.iter().filter(|status| !status.starts_with('2')) {
            let code = status.replace(['X', 'x'], "0").parse().unwrap();
            let Some((_, response)) = spec.response(operation, code) else { continue };
            let media = &response["content"]["application/json"];
            let named = media["examples"].as_object().into_iter().flatten().map(|(_, example)| &example["value"]);
            for example in media.get("example").into_iter().chain(named) {
                bodies.push((format!("spec: {} {status}", operation.operation_id), example.clone()));
            }
        }
    }
    let documented = upstream::load(&root.join("specs").join(provider.upstream.as_ref().unwrap())).unwrap();
    for operation in &documented.operations {
        for example in operation.examples.iter().filter(|example| example.status.is_some_and(|status| status >= 400)) {
            if let ExampleBody::Json { value, .. } = &example.body {
                bodies.push((format!("upstream: {} `{}`", operation.label, example.name), value.clone()));
            }
        }
    }
    (spec, bodies)
}

/// The text an error's message must show for `body`: the first member named by the error
/// schema's `x-error-message` that holds text, and the `x-error-code` member's, read from the spec.
fn human_readable(spec: &SpecModel, schema: &str, body: &Value) -> Vec<String> {
    let schema = &spec.document["components"]["schemas"][schema];
    let members: Vec<&str> = match &schema["x-error-message"] {
        Value::String(member) => vec![member],
        Value::Array(members) => members.iter().filter_map(Value::as_str).collect(),
        other => panic!("no x-error-message: {other}"),
    };
    let text = |member: &str| body[member].as_str().map(str::trim).filter(|text| !text.is_empty()).map(str::to_string);
    let message = members.into_iter().find_map(text);
    let code = schema["x-error-code"].as_str().and_then(text);
    code.into_iter().chain(message).collect()
}

async fn serve(server: &MockServer, status: u16, body: &Value) {
    server.reset().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(server)
        .await;
}

fn config(server: &MockServer) -> wapio::Config {
    wapio::config().with_base_url(server.uri()).with_max_retries(0)
}

async fn wapio_message(server: &MockServer, body: &Value) -> String {
    serve(server, 404, body).await;
    let client =
        wapio::Client::with_config(config(server), wapio::AccountToken::new("bps_pat_messages").unwrap()).unwrap();
    client.get_session("sess_1").send().await.unwrap_err().to_string()
}

async fn verloop_message(server: &MockServer, body: &Value) -> String {
    serve(server, 400, body).await;
    let token = verloop_partner::PhoneNumberToken::new("verloop-messages").unwrap();
    let messaging = verloop_partner::Messaging::with_config(config(server), token).unwrap();
    let request = verloop_partner::types::SendMessageRequest::builder().messages(Vec::new());
    messaging.send_message(request).send().await.unwrap_err().to_string()
}

async fn woztell_message(server: &MockServer, body: &Value) -> String {
    serve(server, 400, body).await;
    let client =
        woztell::Client::with_config(config(server), woztell::AccessToken::new("woztell-messages").unwrap()).unwrap();
    client.list_templates().waba_id("waba_1").first(1).send().await.unwrap_err().to_string()
}

/// Every documented body gives a one-line message with its human-readable text; returns how many
/// held text.
async fn check_documented<F, Fut>(provider: &str, schema: &str, message_of: F) -> usize
where
    F: Fn(Value) -> Fut,
    Fut: Future<Output = String>,
{
    let (spec, bodies) = documented_error_bodies(provider);
    let mut with_text = 0;
    for (label, body) in bodies {
        let message = message_of(body.clone()).await;
        assert!(!message.contains('\n'), "{label}: not one line: {message}");
        assert!(message.starts_with(&format!("{provider} ")), "{label}: {message}");
        let expected = human_readable(&spec, schema, &body);
        with_text += usize::from(!expected.is_empty());
        for text in expected {
            assert!(message.contains(&text), "{label}: `{message}` lacks `{text}` of {body}");
        }
    }
    with_text
}

#[tokio::test]
async fn every_documented_wapio_error_body_shows_its_message() {
    let server = MockServer::start().await;
    let with_text = check_documented("wapio", "ErrorEnvelope", |body| {
        let server = &server;
        async move { wapio_message(server, &body).await }
    })
    .await;
    assert!(with_text >= 3, "the spec's error examples hold a message: {with_text}");
    let body = json!({"success": false, "reason_code": "validation_error", "message": "Validation failed"});
    assert_eq!(wapio_message(&server, &body).await, "wapio get_session: HTTP 404 validation_error: Validation failed");
}

#[tokio::test]
async fn every_documented_verloop_error_body_shows_its_message() {
    let server = MockServer::start().await;
    let with_text = check_documented("verloop-partner", "ErrorResponse", |body| {
        let server = &server;
        async move { verloop_message(server, &body).await }
    })
    .await;
    assert!(with_text >= 2, "the upload's two documented error bodies: {with_text}");
    let expired = json!({"error": "unauthorized", "message": "token expired"});
    assert_eq!(verloop_message(&server, &expired).await, "verloop-partner send_message: HTTP 400 token expired");
    let upload = json!({"error": "invalid file type"});
    assert_eq!(verloop_message(&server, &upload).await, "verloop-partner send_message: HTTP 400 invalid file type");
}

#[tokio::test]
async fn every_woztell_error_body_shows_its_message() {
    let server = MockServer::start().await;
    // WOZTELL documents no error body: the bodies below are the shapes its schema assumes.
    check_documented("woztell", "ErrorResponse", |body| {
        let server = &server;
        async move { woztell_message(server, &body).await }
    })
    .await;
    for (body, shown) in [
        (json!({"ok": 0, "err": "invalid token"}), "invalid token"),
        (json!({"ok": 0, "error": "waba not found"}), "waba not found"),
        (json!({"ok": 0, "message": "rate limited"}), "rate limited"),
        (json!({"ok": 0, "err": "", "message": "first non-empty wins"}), "first non-empty wins"),
        (json!({"ok": 0, "err": {"code": 190}}), "Bad Request"),
    ] {
        assert_eq!(
            woztell_message(&server, &body).await,
            format!("woztell list_templates: HTTP 400 {shown}"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_message_spread_over_lines_is_shown_on_one() {
    let server = MockServer::start().await;
    let body = json!({"error": "upload failed:\n  file too large\r\n"});
    assert_eq!(
        verloop_message(&server, &body).await,
        "verloop-partner send_message: HTTP 400 upload failed: file too large"
    );
}
