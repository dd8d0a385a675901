//! Spec drift, end to end: one operation of each provider (and a Verloop webhook delivery)
//! meets responses the spec does not describe (an extra member, an unknown enum value, an
//! undocumented status, another content type, a body that does not decode). Each finding is
//! captured as a `tracing` event and checked field by field; then `cargo xtask drift` turns the
//! capture into spec edits on a copy of the specs, the copy is regenerated, and a probe built
//! from the regenerated crates sends the same requests again: what the edits describe no longer
//! drifts.

use crate::support;

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use verloop_partner::operations::SystemUserTokenOperations as _;
use wapio::operations::AccountTokenOperations as _;
use wiremock::matchers::{path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};
use woztell::operations::AccessTokenOperations as _;

const WAPIO_TOKEN: &str = "bps_pat_drift_s3cret";
const VERLOOP_TOKEN: &str = "verloop-drift-s3cret";
const WOZTELL_TOKEN: &str = "woztell-drift-s3cret";

/// The responses each case gets: `(case, status, content type, body)`. The case name is the
/// session id (Wapio), the client id (Verloop) or the WABA id (WOZTELL) of its request.
fn responses() -> Vec<(&'static str, u16, &'static str, Value)> {
    vec![
        (
            "extra",
            200,
            "application/json",
            json!({"session_id": "s1", "status": "connected", "device_model": "Pixel 9"}),
        ),
        ("enum", 200, "application/json", json!({"session_id": "s1", "status": "hibernating"})),
        (
            "status",
            503,
            "application/json",
            json!({"success": false, "reason_code": "rate_limited", "message": "busy"}),
        ),
        ("type", 200, "text/plain", json!({"session_id": "s1", "status": "connected"})),
        ("broken", 200, "application/json", json!({"session_id": 5, "status": "connected"})),
    ]
}

fn verloop_responses() -> Vec<(&'static str, u16, &'static str, Value)> {
    let template = |extra: Value| {
        let mut summary =
            json!({"id": "t1", "name": "hello", "language": "en", "category": "UTILITY", "status": "APPROVED"});
        summary.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        json!({"Resp": {"data": [summary]}})
    };
    vec![
        ("extra", 200, "application/json", template(json!({"quality_rating": "GREEN"}))),
        ("enum", 200, "application/json", template(json!({"status": "UNDER_REVIEW"}))),
        ("status", 202, "application/json", template(json!({}))),
        ("type", 200, "text/html", template(json!({}))),
        ("broken", 200, "application/json", json!({"Resp": {"data": [{"id": 7}]}})),
    ]
}

fn woztell_responses() -> Vec<(&'static str, u16, &'static str, Value)> {
    let page = |extra: Value| {
        let mut template = json!({"id": "t1", "name": "hello", "category": "MARKETING"});
        template.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        json!({"ok": 1, "data": [template]})
    };
    vec![
        ("extra", 200, "application/json", page(json!({"previous_category": "OTP"}))),
        ("enum", 200, "application/json", page(json!({"category": "SERVICE_UPDATE"}))),
        ("status", 202, "application/json", page(json!({}))),
        ("type", 200, "text/plain", page(json!({}))),
        ("broken", 200, "application/json", json!({"ok": "yes", "data": []})),
    ]
}

/// A webhook delivery with a member and a message type the spec does not describe.
fn delivery() -> Value {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "waba-1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550000000", "phone_number_id": "p1", "region": "eu"},
            "messages": [{"from": "15551234567", "id": "wamid.1", "timestamp": "1700000000", "type": "hologram"}]
        }}]}]
    })
}

async fn serve() -> MockServer {
    let server = MockServer::start().await;
    let respond = |status: u16, content_type: &str, body: &Value| {
        ResponseTemplate::new(status).set_body_raw(body.to_string().into_bytes(), content_type)
    };
    for (case, status, content_type, body) in responses() {
        Mock::given(path(format!("/v1/whatsapp-sessions/{case}")))
            .respond_with(respond(status, content_type, &body))
            .mount(&server)
            .await;
    }
    for (case, status, content_type, body) in verloop_responses() {
        Mock::given(path("/whatsapp/list_templates"))
            .and(query_param("ClientID", case))
            .respond_with(respond(status, content_type, &body))
            .mount(&server)
            .await;
    }
    for (case, status, content_type, body) in woztell_responses() {
        Mock::given(path("/whatsapp-message-templates"))
            .and(query_param("wabaId", case))
            .respond_with(respond(status, content_type, &body))
            .mount(&server)
            .await;
    }
    server
}

/// A `tracing` writer into a shared buffer, for the JSON formatter.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

/// Every request of every case, through the client crates; returns how many findings each
/// response carried (`drift()` on the value or the error), by `provider/case`.
async fn drive(base: &str) -> Vec<(String, Vec<String>)> {
    // Every response is checked for unknown members (by default, a sample is).
    let config = |base: &str| whatsapp_sdk_runtime::Config::new(base).with_max_retries(0).with_member_drift_sampling(1);
    let wapio = wapio::Client::with_config(config(base), wapio::AccountToken::new(WAPIO_TOKEN).unwrap()).unwrap();
    let verloop = verloop_partner::Management::with_config(
        config(base),
        verloop_partner::SystemUserToken::new(VERLOOP_TOKEN).unwrap(),
    )
    .unwrap();
    let woztell =
        woztell::Client::with_config(config(base), woztell::AccessToken::new(WOZTELL_TOKEN).unwrap()).unwrap();
    let kinds = |drift: &[whatsapp_sdk_runtime::Drift]| drift.iter().map(|d| d.kind.as_str().to_string()).collect();
    let mut seen = Vec::new();
    for (case, ..) in responses() {
        let drift = match wapio.get_session(case).send().await {
            Ok(response) => kinds(response.drift()),
            Err(error) => kinds(error.drift()),
        };
        seen.push((format!("wapio/{case}"), drift));
    }
    for (case, ..) in verloop_responses() {
        let drift = match verloop.list_templates().client_id(case).send().await {
            Ok(response) => kinds(response.drift()),
            Err(error) => kinds(error.drift()),
        };
        seen.push((format!("verloop-partner/{case}"), drift));
    }
    for (case, ..) in woztell_responses() {
        let drift = match woztell.list_templates().waba_id(case).first(10).send().await {
            Ok(response) => kinds(response.drift()),
            Err(error) => kinds(error.drift()),
        };
        seen.push((format!("woztell/{case}"), drift));
    }
    let token = verloop_partner::SystemUserToken::new(VERLOOP_TOKEN).unwrap();
    let body = delivery().to_string();
    let request = verloop_partner::webhook::signed_request(&token, "http://localhost/hook", body).unwrap();
    let verifier = verloop_partner::webhook::Verifier::new(token);
    let (_, drift) = verifier.verify_and_parse_with_drift(request.headers(), request.body()).unwrap();
    seen.push(("verloop-partner/webhook".into(), kinds(&drift)));
    seen
}

/// The drift events in a capture, as JSON objects of their fields.
fn events(capture: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(capture)
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("each line is JSON"))
        .filter(|line| line["target"] == "whatsapp_sdk::drift")
        .map(|line| line["fields"].clone())
        .collect()
}

fn find<'a>(events: &'a [Value], provider: &str, operation: &str, kind: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|event| event["provider"] == provider && event["operation"] == operation && event["kind"] == kind)
        .collect()
}

#[tokio::test]
async fn drift_is_reported_and_turned_into_spec_edits_that_end_it() {
    let server = serve().await;
    let capture = Capture::default();
    let subscriber =
        tracing_subscriber::fmt().json().with_writer(capture.clone()).with_max_level(tracing::Level::WARN).finish();
    let seen = {
        let _default = tracing::subscriber::set_default(subscriber);
        drive(&server.uri()).await
    };
    let captured = capture.0.lock().unwrap().clone();
    let events = events(&captured);

    // Every field of every kind, for each provider.
    let check = |provider: &str, operation: &str, kind: &str, status: u64, path: &str, value: Option<&str>| {
        let found = find(&events, provider, operation, kind);
        let event = found
            .iter()
            .find(|event| event["path"] == path)
            .unwrap_or_else(|| panic!("no {kind} event at `{path}` for {provider} {operation}: {events:#?}"));
        assert_eq!(event["message"], "spec drift");
        if status > 0 {
            assert_eq!(event["status"], status, "{event}");
        }
        assert_eq!(event["value"].as_str(), value, "{event}");
    };
    check("wapio", "get_session", "unknown_field", 200, "/device_model", Some("string"));
    check("wapio", "get_session", "unknown_enum_value", 200, "/status", Some("hibernating"));
    check("wapio", "get_session", "undocumented_status", 503, "", Some("503"));
    check("wapio", "get_session", "unexpected_content_type", 200, "", Some("text/plain"));
    check("wapio", "get_session", "invalid_body", 200, "/session_id", None);
    check("verloop-partner", "list_templates", "unknown_field", 200, "/Resp/data/0/quality_rating", Some("string"));
    check("verloop-partner", "list_templates", "unknown_enum_value", 200, "/Resp/data/0/status", Some("UNDER_REVIEW"));
    check("verloop-partner", "list_templates", "undocumented_status", 202, "", Some("202"));
    check("verloop-partner", "list_templates", "unexpected_content_type", 200, "", Some("text/html"));
    check("verloop-partner", "list_templates", "invalid_body", 200, "/Resp/data/0/id", None);
    check("woztell", "list_templates", "unknown_field", 200, "/data/0/previous_category", Some("string"));
    check("woztell", "list_templates", "unknown_enum_value", 200, "/data/0/category", Some("SERVICE_UPDATE"));
    check("woztell", "list_templates", "undocumented_status", 202, "", Some("202"));
    check("woztell", "list_templates", "unexpected_content_type", 200, "", Some("text/plain"));
    check("woztell", "list_templates", "invalid_body", 200, "/ok", None);
    check("verloop-partner", "webhook", "unknown_field", 0, "/entry/0/changes/0/value/metadata/region", Some("string"));
    check(
        "verloop-partner",
        "webhook",
        "unknown_enum_value",
        0,
        "/entry/0/changes/0/value/messages/0/type",
        Some("hologram"),
    );
    let enum_event = &find(&events, "woztell", "list_templates", "unknown_enum_value")[0];
    assert_eq!(enum_event["schema"], "TemplateCategory", "{enum_event}");
    for secret in [WAPIO_TOKEN, VERLOOP_TOKEN, WOZTELL_TOKEN] {
        assert!(!String::from_utf8_lossy(&captured).contains(secret), "a credential reached the drift log");
    }
    // The same findings without tracing: on the response or the error.
    for (case, kinds) in &seen {
        assert!(!kinds.is_empty(), "{case}: no drift on the response or error");
    }

    // `cargo xtask drift --write` on a copy of the specs, then regenerate the copy.
    let workspace = support::scratch_dir("drift");
    let log = workspace.join("drift.log");
    std::fs::write(&log, &captured).unwrap();
    scratch_workspace(&workspace);
    let specs = workspace.join("specs");
    let status = xtask::drift::run(
        &support::workspace_root(),
        &["--write".to_string(), "--specs".to_string(), specs.display().to_string(), log.display().to_string()],
    )
    .unwrap();
    assert_eq!(status, std::process::ExitCode::SUCCESS, "every event of the capture applies");
    let report = xtask::regen::regen(&workspace, &[], false).unwrap();
    assert!(report.errors.is_empty(), "the edited specs generate: {:?}", report.errors);
    for krate in ["wapio-api", "verloop-partner-api", "woztell-api"] {
        let generated =
            |root: &Path| std::fs::read_to_string(root.join("generated").join(krate).join("src/generated.rs")).unwrap();
        assert_ne!(generated(&workspace), generated(&support::workspace_root()), "{krate}: the edits change its code");
    }

    // The same responses again, through the regenerated crates.
    let after = probe(&workspace, &server.uri());
    for (case, kinds) in after {
        let (_, before) = seen.iter().find(|(seen_case, _)| *seen_case == case).expect("a case seen before");
        let expected: Vec<&str> = match case.rsplit('/').next().unwrap() {
            // What the edits describe no longer drifts.
            "extra" | "enum" | "status" | "webhook" => vec![],
            // Reported for a person to look at; the xtask proposes no edit.
            _ => before.iter().map(String::as_str).collect(),
        };
        assert_eq!(kinds, expected, "{case} after the spec edits");
    }
}

/// A workspace holding a copy of the specs and the provider list, whose crates depend on this
/// workspace's runtime by path.
fn scratch_workspace(dir: &Path) {
    let root = support::workspace_root();
    copy_dir(&root.join("specs"), &dir.join("specs"));
    support::scratch_workspace_manifest(dir, &["generated/*-api", "probe"]);
    std::fs::create_dir_all(dir.join("probe/src")).unwrap();
    std::fs::write(
        dir.join("probe/Cargo.toml"),
        "[package]\nname = \"probe\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n\
         reqwest.workspace = true\nserde_json.workspace = true\ntokio = { workspace = true, features = [\"macros\", \"rt\"] }\nwhatsapp-sdk-runtime.workspace = true\n\
         wapio-api = { path = \"../generated/wapio-api\" }\nverloop-partner-api = { path = \"../generated/verloop-partner-api\" }\n\
         woztell-api = { path = \"../generated/woztell-api\" }\n",
    )
    .unwrap();
    std::fs::write(dir.join("probe/src/main.rs"), PROBE).unwrap();
}

/// Sends each case's request through the regenerated crates and prints `case kind kind …` per line.
const PROBE: &str = r#"
use whatsapp_sdk_runtime::{Authorize, Config, CredentialError, Drift, OperationSpec, Runtime};

#[derive(Debug)]
struct Anyone;
impl Authorize for Anyone {
    fn authorize(&self, _: &mut reqwest::Request, _: &OperationSpec) -> Result<(), CredentialError> { Ok(()) }
}

struct Raw<C>(C);
impl wapio_api::operations::AccountTokenOperations for Raw<wapio_api::Client> { fn raw_client(&self) -> &wapio_api::Client { &self.0 } }
impl verloop_partner_api::operations::SystemUserTokenOperations for Raw<verloop_partner_api::Client> { fn raw_client(&self) -> &verloop_partner_api::Client { &self.0 } }
impl woztell_api::operations::AccessTokenOperations for Raw<woztell_api::Client> { fn raw_client(&self) -> &woztell_api::Client { &self.0 } }

fn kinds(drift: &[Drift]) -> String { drift.iter().map(|d| d.kind.as_str()).collect::<Vec<_>>().join(" ") }

#[tokio::main(flavor = "current_thread")]
async fn main() {
    use wapio_api::operations::AccountTokenOperations;
    use verloop_partner_api::operations::SystemUserTokenOperations;
    use woztell_api::operations::AccessTokenOperations;
    let mut args = std::env::args().skip(1);
    let base = args.next().expect("base URL");
    let delivery = args.next().expect("webhook delivery");
    let config = Config::new(base.clone()).with_max_retries(0);
    let runtime = || Runtime::new(Anyone, &config);
    let http = reqwest::Client::new();
    let wapio = Raw(wapio_api::Client::new_with_client(&base, http.clone(), runtime()));
    let verloop = Raw(verloop_partner_api::Client::new_with_client(&base, http.clone(), runtime()));
    let woztell = Raw(woztell_api::Client::new_with_client(&base, http.clone(), runtime()));
    for case in ["extra", "enum", "status", "type", "broken"] {
        let found = match wapio.get_session(case).send().await { Ok(r) => kinds(r.drift()), Err(e) => kinds(e.drift()) };
        println!("wapio/{case} {found}");
        let found = match verloop.list_templates().client_id(case).send().await { Ok(r) => kinds(r.drift()), Err(e) => kinds(e.drift()) };
        println!("verloop-partner/{case} {found}");
        let found = match woztell.list_templates().waba_id(case).first(10).send().await { Ok(r) => kinds(r.drift()), Err(e) => kinds(e.drift()) };
        println!("woztell/{case} {found}");
    }
    let found = whatsapp_sdk_runtime::drift::check_body::<verloop_partner_api::types::WebhookEvent>("verloop-partner", "webhook", delivery.as_bytes(), &[]);
    println!("verloop-partner/webhook {}", kinds(&found));
}
"#;

/// Builds (in the workspace's target directory, reusing its dependencies) and runs the probe;
/// returns the drift kinds of each case.
fn probe(dir: &Path, base: &str) -> Vec<(String, Vec<String>)> {
    let target = support::target_dir();
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["run", "--quiet", "--offline", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .args(["-p", "probe", "--"])
        .arg(base)
        .arg(delivery().to_string())
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "the probe failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let mut words = line.split_whitespace().map(str::to_string);
            (words.next().unwrap_or_default(), words.collect())
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
