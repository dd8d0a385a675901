//! Helpers shared by the workspace's integration tests; a test file uses them with `mod support;`.
//!
//! Each test binary compiles its own copy and uses only part of it, hence `dead_code` is allowed.
#![allow(dead_code)]

pub mod postman;
pub mod prism;

use std::path::PathBuf;

/// The workspace root (the directory holding `specs/`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent directory").to_path_buf()
}

/// A URL-encoded text decoded; invalid UTF-8 is replaced rather than refused, so a test can
/// show what was sent.
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// `value` with every `null` object member removed, recursively: the generated types leave
/// `None` out when serializing, and the specs give `null` and an absent member one meaning.
pub fn without_nulls(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(members) => Value::Object(
            members.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), without_nulls(v))).collect(),
        ),
        Value::Array(elements) => Value::Array(elements.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}
