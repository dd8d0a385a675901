//! Verloop webhook verification and parsing: independent HMAC vectors, every failure case,
//! and every webhook example of the spec.

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use verloop_partner::SystemUserToken;
use verloop_partner::webhook::{
    Event, SIGNATURE_HEADER, Verifier, VerifyError, WebhookError, parse, sign, signed_request,
};

const KEY: &str = "sut_test_key_123";
const BODY: &[u8] = br#"{"object":"whatsapp_business_account","entry":[]}"#;
/// `printf '%s' "$BODY" | openssl dgst -sha256 -hmac sut_test_key_123`
const OPENSSL_DIGEST: &str = "f067829071a42fa03f75a4c1d13ede31dff088f1c0ebfba8aa2a7e3e69fc5345";

fn verifier(key: &str) -> Verifier {
    Verifier::new(SystemUserToken::new(key).unwrap())
}

#[test]
fn signature_matches_an_independent_vector() {
    let expected = format!("sha256={OPENSSL_DIGEST}");
    assert_eq!(sign(&SystemUserToken::new(KEY).unwrap(), BODY), expected);
    assert_eq!(verifier(KEY).verify(Some(&expected), BODY), Ok(()));
    let upper = format!("sha256={}", OPENSSL_DIGEST.to_uppercase());
    assert_eq!(verifier(KEY).verify(Some(&upper), BODY), Ok(()), "hex digits in either case");
}

#[test]
fn each_failure_is_a_distinct_error() {
    let good = format!("sha256={OPENSSL_DIGEST}");
    let v = verifier(KEY);
    assert_eq!(v.verify(None, BODY), Err(VerifyError::MissingHeader));
    assert_eq!(v.verify(Some(&format!("sha1={OPENSSL_DIGEST}")), BODY), Err(VerifyError::WrongPrefix));
    assert_eq!(v.verify(Some(OPENSSL_DIGEST), BODY), Err(VerifyError::WrongPrefix));
    assert_eq!(v.verify(Some(&format!("sha256={}", "zz".repeat(32))), BODY), Err(VerifyError::InvalidHex));
    assert_eq!(v.verify(Some(&good[..good.len() - 2]), BODY), Err(VerifyError::WrongLength(31)));
    assert_eq!(v.verify(Some(&format!("{good}00")), BODY), Err(VerifyError::WrongLength(33)));
    assert_eq!(v.verify(Some(&good[..good.len() - 1]), BODY), Err(VerifyError::WrongLength(31)));
    assert_eq!(v.verify(Some("sha256="), BODY), Err(VerifyError::WrongLength(0)));
    let tampered = br#"{"object":"whatsapp_business_account","entry":[{}]}"#;
    assert_eq!(v.verify(Some(&good), tampered), Err(VerifyError::Mismatch));
    assert_eq!(verifier("another-key").verify(Some(&good), BODY), Err(VerifyError::Mismatch));
}

#[test]
fn errors_never_show_the_expected_signature_or_key() {
    let v = verifier(KEY);
    let wrong = format!("sha256={}", "0".repeat(64));
    let error = v.verify(Some(&wrong), BODY).unwrap_err();
    let shown = format!("{error} {error:?} {v:?}");
    assert!(!shown.contains(OPENSSL_DIGEST) && !shown.contains(KEY), "{shown}");
}

#[test]
fn header_map_lookup_is_case_insensitive_and_rejects_non_text() {
    let v = verifier(KEY);
    let mut headers = HeaderMap::new();
    headers.insert("x-partner-signature-256", HeaderValue::from_str(&format!("sha256={OPENSSL_DIGEST}")).unwrap());
    assert_eq!(v.verify_headers(&headers, BODY), Ok(()));
    assert_eq!(v.verify_headers(&HeaderMap::new(), BODY), Err(VerifyError::MissingHeader));
    headers.insert(SIGNATURE_HEADER, HeaderValue::from_bytes(b"sha256=\xff").unwrap());
    assert_eq!(v.verify_headers(&headers, BODY), Err(VerifyError::InvalidHeader));
}

fn webhook_examples() -> Vec<(String, Value)> {
    let spec: Value = serde_yaml::from_str(
        &std::fs::read_to_string(xtask::config::workspace_root().unwrap().join("specs/verloop-partner.yaml")).unwrap(),
    )
    .unwrap();
    let examples = spec["x-webhook-examples"].as_object().expect("x-webhook-examples");
    examples.iter().map(|(name, entry)| (name.clone(), entry["example"].clone())).collect()
}

#[test]
fn every_spec_webhook_example_verifies_parses_and_round_trips() {
    let examples = webhook_examples();
    assert_eq!(examples.len(), 6);
    let key = SystemUserToken::new(KEY).unwrap();
    let mut kinds = Vec::new();
    for (name, example) in examples {
        let body = serde_json::to_vec(&example).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(SIGNATURE_HEADER, HeaderValue::from_str(&sign(&key, &body)).unwrap());
        let events = verifier(KEY).verify_and_parse(&headers, &body).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!events.is_empty(), "{name}");
        for event in &events {
            match event {
                Event::Message { message, .. } => {
                    assert!(message.from.is_some(), "{name}");
                    kinds.push("message");
                }
                Event::Status { status, .. } => {
                    assert!(status.id.is_some(), "{name}");
                    kinds.push("status");
                }
                Event::TemplateStatus { update, .. } => {
                    assert!(update.event.is_some(), "{name}");
                    kinds.push("template");
                }
                other => panic!("{name}: documented example parsed as {other:?}"),
            }
        }
        // The typed envelope keeps every documented field.
        let typed: verloop_partner::types::WebhookEvent = serde_json::from_value(example.clone()).unwrap();
        assert_eq!(strip_nulls(serde_json::to_value(typed).unwrap()), strip_nulls(example), "{name}");
    }
    assert!(kinds.contains(&"message") && kinds.contains(&"status") && kinds.contains(&"template"), "{kinds:?}");
}

fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, strip_nulls(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

#[test]
fn unknown_message_types_and_fields_keep_their_raw_json() {
    let body = json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "waba-1", "changes": [
            {"field": "messages", "value": {"messages": [
                {"from": "1555", "id": "m1", "type": "hologram", "hologram": {"depth": 3}},
                {"from": "1555", "id": "m2", "type": "text", "text": {"body": "hi"}}
            ]}},
            {"field": "account_alerts", "value": {"alert": "x"}}
        ]}]
    });
    let events = parse(&serde_json::to_vec(&body).unwrap()).unwrap();
    assert_eq!(events.len(), 3);
    assert!(
        matches!(&events[0], Event::Unknown { field, value, .. } if field == "messages" && value["hologram"]["depth"] == 3)
    );
    assert!(
        matches!(&events[1], Event::Message { waba_id: Some(id), message, .. } if id == "waba-1" && message.id.as_deref() == Some("m2"))
    );
    assert!(
        matches!(&events[2], Event::Unknown { field, value, .. } if field == "account_alerts" && value["alert"] == "x")
    );
}

/// The delivery is read in one pass, so a change's `field` may come after its value, and what
/// does not match its schema is still an unknown event of its own: a malformed message beside
/// a good one, a `messages` member that is not an array, a value that is not an object.
#[test]
fn malformed_parts_of_a_delivery_become_unknown_events_on_their_own() {
    let body = br#"{"entry": [{"changes": [
        {"value": {"messages": [{"id": 7, "type": "text"}, {"id": "m2", "type": "text", "text": {"body": "hi"}}]},
         "field": "messages"},
        {"value": {"messages": {"id": "m3"}, "metadata": {"phone_number_id": "p1"}}, "field": "messages"},
        {"value": ["not", "an", "object"], "field": "messages"},
        {"value": {"event": 12}, "field": "message_template_status_update"}
    ], "id": "waba-2"}]}"#;
    let events = parse(body).unwrap();
    let unknown = |event: &Event| match event {
        Event::Unknown { waba_id, field, value } if waba_id.as_deref() == Some("waba-2") => {
            Some((field.clone(), value.clone()))
        }
        _ => None,
    };
    assert_eq!(events.len(), 5, "{events:#?}");
    assert_eq!(unknown(&events[0]), Some(("messages".into(), json!({"id": 7, "type": "text"}))));
    assert!(matches!(&events[1], Event::Message { message, .. } if message.id.as_deref() == Some("m2")));
    let whole = json!({"messages": {"id": "m3"}, "metadata": {"phone_number_id": "p1"}});
    assert_eq!(unknown(&events[2]), Some(("messages".into(), whole)));
    assert_eq!(unknown(&events[3]), Some(("messages".into(), json!(["not", "an", "object"]))));
    assert_eq!(unknown(&events[4]), Some(("message_template_status_update".into(), json!({"event": 12}))));
}

#[test]
fn malformed_bodies_are_typed_errors() {
    let key = SystemUserToken::new(KEY).unwrap();
    for body in [&b"not json"[..], b"{\"entry\": 5}", b"[", b""] {
        let mut headers = HeaderMap::new();
        headers.insert(SIGNATURE_HEADER, HeaderValue::from_str(&sign(&key, body)).unwrap());
        let error = verifier(KEY).verify_and_parse(&headers, body).unwrap_err();
        assert!(matches!(error, WebhookError::Body(_)), "{error:?}");
    }
}

#[test]
fn signed_requests_carry_the_independent_signature_and_verify() {
    let key = SystemUserToken::new(KEY).unwrap();
    let request = signed_request(&key, "https://service.example/webhooks/verloop", BODY).unwrap();
    assert_eq!(request.method(), "POST");
    assert_eq!(request.uri(), "https://service.example/webhooks/verloop");
    assert_eq!(request.headers()["content-type"], "application/json");
    assert_eq!(request.headers()[SIGNATURE_HEADER], format!("sha256={OPENSSL_DIGEST}").as_str());
    assert_eq!(request.body().as_ref(), BODY);
    assert_eq!(verifier(KEY).verify_and_parse(request.headers(), request.body()).unwrap(), Vec::<Event>::new());
    assert!(signed_request(&key, "not a uri", BODY).is_err(), "a bad URI is an error, not a panic");
}
