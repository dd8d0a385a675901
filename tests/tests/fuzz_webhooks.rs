//! Property test of Verloop webhook verification: arbitrary and near-miss signature headers,
//! mutated and arbitrary bodies. Every input ends in events or a typed error, never a panic,
//! and only the exact signature of the exact bytes is accepted.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;
use verloop_partner::SystemUserToken;
use verloop_partner::webhook::{SIGNATURE_HEADER, Verifier, VerifyError, WebhookError, sign};

use crate::support;

const CASES: u32 = 10_000;
const KEY: &str = "sut-fuzz-key";

fn webhook_bodies() -> Vec<Vec<u8>> {
    let text = std::fs::read_to_string(support::workspace_root().join("specs/verloop-partner.yaml")).unwrap();
    let spec: Value = serde_yaml::from_str(&text).unwrap();
    let examples = spec["x-webhook-examples"].as_object().expect("the spec lists webhook examples");
    examples.values().map(|entry| serde_json::to_vec(&entry["example"]).unwrap()).collect()
}

/// A body: a documented delivery with bytes flipped, cut or inserted, or arbitrary bytes.
fn body(documented: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let edited = (0..documented.len(), prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 0..6)).prop_map(
        move |(index, edits)| {
            let mut body = documented[index].clone();
            for (at, byte, kind) in edits {
                let at = at % (body.len() + 1);
                match kind {
                    0 if at < body.len() => body[at] = byte,
                    1 => body.truncate(at),
                    _ => body.insert(at, byte),
                }
            }
            body
        },
    );
    prop_oneof![4 => edited, 1 => prop::collection::vec(any::<u8>(), 0..512)]
}

/// A header value: arbitrary bytes, or near misses of the right form.
fn signature() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..90),
        "sha256=[0-9a-fA-F]{0,80}".prop_map(String::into_bytes),
        "(sha256|SHA256|sha1)[=:]?[0-9a-z]{64}".prop_map(String::into_bytes),
        "sha256=.{0,70}".prop_map(String::into_bytes),
    ]
}

#[test]
fn arbitrary_headers_and_bodies_are_refused_with_typed_errors() {
    let verifier = Verifier::new(SystemUserToken::new(KEY).unwrap());
    let key = SystemUserToken::new(KEY).unwrap();
    let config = ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() };
    let refused_for = RefCell::new(BTreeMap::<String, usize>::new());
    TestRunner::new(config)
        .run(&(body(webhook_bodies()), signature()), |(body, signature)| {
            let mut headers = HeaderMap::new();
            if let Ok(value) = HeaderValue::from_bytes(&signature) {
                headers.insert(SIGNATURE_HEADER, value);
            }
            let result = verifier.verify_and_parse(&headers, &body);
            let exact = headers.get(SIGNATURE_HEADER).is_some_and(|v| v.as_bytes() == sign(&key, &body).as_bytes());
            match result {
                Err(WebhookError::Signature(error)) => {
                    prop_assert!(!exact, "the exact signature was refused: {error}");
                    let shown = format!("{error} {error:?}");
                    prop_assert!(!shown.contains(&sign(&key, &body)[7..]), "the expected digest leaked");
                    let kind = format!("{error:?}");
                    *refused_for.borrow_mut().entry(kind.split('(').next().unwrap().to_string()).or_default() += 1;
                }
                Err(WebhookError::Body(_)) | Ok(_) => prop_assert!(exact, "accepted a signature that is not exact"),
            }
            Ok(())
        })
        .unwrap();
    let refused_for = refused_for.into_inner();
    println!("refusals by kind over {CASES} cases: {refused_for:?}");
    for kind in ["MissingHeader", "InvalidHeader", "WrongPrefix", "InvalidHex", "WrongLength", "Mismatch"] {
        assert!(refused_for.contains_key(kind), "no case reached {kind}: {refused_for:?}");
    }
}

#[test]
fn correctly_signed_mutated_bodies_parse_or_fail_as_body_errors() {
    let key = SystemUserToken::new(KEY).unwrap();
    let verifier = Verifier::new(key.clone());
    let documented = webhook_bodies();
    let config = ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() };
    let (parsed, malformed) = (Cell::new(0usize), Cell::new(0usize));
    TestRunner::new(config)
        .run(&(body(documented.clone()), 0..documented.len()), |(body, original)| {
            let mut headers = HeaderMap::new();
            headers.insert(SIGNATURE_HEADER, HeaderValue::from_str(&sign(&key, &body)).unwrap());
            match verifier.verify_and_parse(&headers, &body) {
                Ok(_) => parsed.set(parsed.get() + 1),
                Err(WebhookError::Body(_)) => malformed.set(malformed.get() + 1),
                Err(other) => return Err(TestCaseError::fail(format!("a correct signature was refused: {other}"))),
            }
            // The signature of another delivery never verifies this one.
            let stale = sign(&key, &documented[original]);
            if documented[original] != body {
                prop_assert_eq!(verifier.verify(Some(&stale), &body), Err(VerifyError::Mismatch));
            }
            Ok(())
        })
        .unwrap();
    let (parsed, malformed) = (parsed.get(), malformed.get());
    println!("{parsed} mutated deliveries parsed, {malformed} refused as malformed");
    assert!(parsed > 0 && malformed > 0, "both outcomes exercised ({parsed} parsed, {malformed} malformed)");
}
