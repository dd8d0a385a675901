//! Spec drift: what a response shows that the spec does not. A member the schema does not
//! declare, an enum value it does not list, a status the operation does not document, another
//! content type, a body that does not decode.
//!
//! Each finding is one `tracing` event (target [`TARGET`], level WARN, message `spec drift`,
//! fields `provider`, `operation`, `kind`, `status`, `path`, `schema`, `value`) and is kept on
//! the response ([`Response::drift`](crate::Response::drift)) or the error
//! ([`Error::drift`](crate::Error::drift)). `cargo xtask drift` turns captured events into spec
//! edits.
//!
//! Unknown enum values are found in every body, by the generated tolerant enums, which report
//! to a recorder kept for the decode on this thread ([`unknown_enum_value`]); locating one (its
//! JSON pointer) decodes the body again, once per value, only when there is one. Unknown members
//! are found by `serde_ignored`, which costs a quarter of a decode: on the first response of
//! each operation and then one in `Config::with_member_drift_sampling` (256 by default).

use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::DeserializeOwned;

use crate::json_pointer;
use crate::redact::looks_secret;

/// The `tracing` target of drift events: `whatsapp_sdk::drift=warn` captures them.
pub const TARGET: &str = "whatsapp_sdk::drift";

/// The longest enum value a finding shows.
const VALUE_LIMIT: usize = 64;

/// One thing a response showed that the spec does not describe.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Drift {
    /// What was found.
    pub kind: DriftKind,
    /// A JSON pointer into the body (`/data/0/quality_score/reason`); empty for the whole
    /// response (a status or content type).
    pub path: String,
    /// The spec component, when known (an enum's schema name).
    pub schema: Option<&'static str>,
    /// For an unknown member its type as a JSON Schema `type` names it, ready to paste into a
    /// spec: `null`, `boolean`, `integer` (a number without a fraction or exponent), `number`
    /// (any other), `string`, `array` or `object`. For an enum value the value (at most 64
    /// characters), for a status the number, for a content type the type received. `None` when
    /// it could be a secret (the member's name looks secret, or it equals a credential).
    pub value: Option<String>,
}

/// The kinds of drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DriftKind {
    /// An object member the schema does not declare.
    UnknownField,
    /// An enum value the spec does not list.
    UnknownEnumValue,
    /// A status the operation does not document.
    UndocumentedStatus,
    /// A content type other than the documented one.
    UnexpectedContentType,
    /// A body that does not decode into the documented schema.
    InvalidBody,
}

impl DriftKind {
    /// The name in drift events: `unknown_field`, `unknown_enum_value`, `undocumented_status`,
    /// `unexpected_content_type`, `invalid_body`.
    pub fn as_str(self) -> &'static str {
        match self {
            DriftKind::UnknownField => "unknown_field",
            DriftKind::UnknownEnumValue => "unknown_enum_value",
            DriftKind::UndocumentedStatus => "undocumented_status",
            DriftKind::UnexpectedContentType => "unexpected_content_type",
            DriftKind::InvalidBody => "invalid_body",
        }
    }
}

impl fmt::Display for DriftKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Drift {
    pub(crate) fn new(kind: DriftKind, path: String, schema: Option<&'static str>, value: Option<String>) -> Self {
        Self { kind, path, schema, value }
    }

    /// The finding without a value that could be a secret: the member's name looks secret, or
    /// the value equals (or holds) one of `secrets`.
    pub(crate) fn without_secrets(mut self, secrets: &[String]) -> Self {
        let member = self.path.rsplit('/').next().unwrap_or_default();
        let holds_secret = self.value.as_deref().is_some_and(|value| {
            secrets.iter().any(|secret| !secret.is_empty() && (value == secret || value.contains(secret.as_str())))
        });
        if looks_secret(member) || holds_secret {
            self.value = None;
        }
        self
    }
}

/// Logs each finding as a drift event.
pub(crate) fn emit(provider: &str, operation: &str, status: Option<u16>, findings: &[Drift]) {
    for drift in findings {
        tracing::warn!(
            target: TARGET,
            provider,
            operation,
            kind = drift.kind.as_str(),
            status,
            path = drift.path.as_str(),
            schema = drift.schema,
            value = drift.value.as_deref(),
            "spec drift"
        );
    }
}

/// The drift of a body the client did not request (a webhook delivery) against `T`, its
/// schema: unknown members and enum values, or where it does not decode. Each finding is logged
/// as a drift event of `provider`'s operation `operation` (`webhook`); values that could be
/// secret (secret-looking names, or equal to one of `secrets`) are left out.
pub fn check_body<T: DeserializeOwned>(provider: &str, operation: &str, body: &[u8], secrets: &[String]) -> Vec<Drift> {
    let (decoded, mut findings) = decode_tracking::<T>(body, true);
    if decoded.is_err() {
        let (path, _) = json_pointer::locate_mismatch::<T>(body);
        findings.push(Drift::new(DriftKind::InvalidBody, path, None, None));
    }
    let findings: Vec<Drift> = findings.into_iter().map(|finding| finding.without_secrets(secrets)).collect();
    emit(provider, operation, None, &findings);
    findings
}

/// Runs `parse` (a decoding of `body` of the caller's own) and checks `body` for drift against
/// `T` when it needs to: always when `parse` met an unknown enum value (to locate it), and when
/// `check_members` says this body is one of the sample checked for unknown members. Otherwise
/// it costs only the recorder around `parse`.
pub fn check_parsed<T: DeserializeOwned, R>(
    provider: &str,
    operation: &str,
    body: &[u8],
    secrets: &[String],
    check_members: bool,
    parse: impl FnOnce() -> R,
) -> (R, Vec<Drift>) {
    let (parsed, enum_values) = recording(None, parse);
    if enum_values.is_empty() && !check_members {
        return (parsed, Vec::new());
    }
    (parsed, check_body::<T>(provider, operation, body, secrets))
}

/// Whether a decode on this thread is tracking unknown enum values, and how. `Copy`, in a
/// `Cell`: installing and removing it costs a few instructions on every response, and the
/// values themselves are stored (in `VALUES`) only when there are some.
#[derive(Clone, Copy)]
struct Tracking {
    active: bool,
    /// Locating: the (1-based) unknown value whose decode fails, so that its path is known.
    fail_at: Option<usize>,
    seen: usize,
}

const IDLE: Tracking = Tracking { active: false, fail_at: None, seen: 0 };

thread_local! {
    static TRACKING: Cell<Tracking> = const { Cell::new(IDLE) };
    static VALUES: RefCell<Vec<(&'static str, String)>> = const { RefCell::new(Vec::new()) };
}

/// Called by a generated tolerant enum when it reads a value its schema does not list. Records
/// it while a decode is tracking drift; fails the decode when it is the value being located.
#[doc(hidden)]
pub fn unknown_enum_value<E: serde::de::Error>(schema: &'static str, value: &str) -> Result<(), E> {
    let mut tracking = TRACKING.get();
    if !tracking.active {
        return Ok(());
    }
    tracking.seen += 1;
    TRACKING.set(tracking);
    match tracking.fail_at {
        Some(nth) if nth == tracking.seen => Err(E::custom("the unknown enum value being located")),
        Some(_) => Ok(()),
        None => {
            VALUES.with_borrow_mut(|values| values.push((schema, value.to_string())));
            Ok(())
        }
    }
}

/// Tracks unknown enum values for the duration of `decode`, and returns those it saw.
fn recording<R>(fail_at: Option<usize>, decode: impl FnOnce() -> R) -> (R, Vec<(&'static str, String)>) {
    let previous = TRACKING.replace(Tracking { active: true, fail_at, seen: 0 });
    // Values of an enclosing decode stay where they are.
    let start = if previous.active { VALUES.with_borrow(Vec::len) } else { 0 };
    let result = decode();
    let tracked = TRACKING.replace(previous);
    let recorded = if tracked.seen == 0 || fail_at.is_some() {
        Vec::new()
    } else {
        VALUES.with_borrow_mut(|values| values.split_off(start))
    };
    (result, recorded)
}

/// Decodes `body` as `T` and lists its unknown enum values and, with `members`, its unknown
/// members (with their paths). Looking for members costs about a quarter of the decode's
/// instructions (`serde_ignored` copies every key), so the runtime does it on a sample of
/// responses; enum values cost nothing until one is unknown.
pub(crate) fn decode_tracking<T: DeserializeOwned>(body: &[u8], members: bool) -> (serde_json::Result<T>, Vec<Drift>) {
    let mut unknown_members = Vec::new();
    let (result, enum_values) = recording(None, || {
        if !members {
            return serde_json::from_slice(body);
        }
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let value = serde_ignored::deserialize(&mut deserializer, |path| {
            unknown_members.push(json_pointer::from_ignored_path(&path))
        })?;
        deserializer.end()?;
        Ok(value)
    });
    if unknown_members.is_empty() && enum_values.is_empty() {
        return (result, Vec::new());
    }
    let document: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let mut findings: Vec<Drift> = unknown_members
        .into_iter()
        .map(|path| {
            let json_type = document.as_ref().and_then(|d| d.pointer(&path)).map(json_type);
            Drift::new(DriftKind::UnknownField, path, None, json_type.map(str::to_string))
        })
        .collect();
    for (index, (schema, value)) in enum_values.into_iter().enumerate() {
        let path = locate_enum_value::<T>(body, index + 1);
        let value: String = value.chars().take(VALUE_LIMIT).collect();
        findings.push(Drift::new(DriftKind::UnknownEnumValue, path, Some(schema), Some(value)));
    }
    (result, findings)
}

/// The JSON pointer of the `nth` unknown enum value: the body decoded again, failing there.
fn locate_enum_value<T: DeserializeOwned>(body: &[u8], nth: usize) -> String {
    let (located, _) = recording(Some(nth), || {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        serde_path_to_error::deserialize::<_, T>(&mut deserializer)
            .err()
            .map(|error| json_pointer::from_error_path(error.path()))
    });
    located.unwrap_or_default()
}

/// The JSON Schema `type` of a value (the vocabulary of [`Drift::value`]: `integer` is kept apart
/// from `number` because a spec tells them apart).
fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(number) if number.is_f64() => "number",
        serde_json::Value::Number(_) => "integer",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in for a generated tolerant enum.
    #[derive(Debug, PartialEq)]
    enum Status {
        Active,
        Unknown(String),
    }

    impl<'de> serde::Deserialize<'de> for Status {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let value = String::deserialize(deserializer)?;
            if value == "active" {
                return Ok(Status::Active);
            }
            unknown_enum_value::<D::Error>("Status", &value)?;
            Ok(Status::Unknown(value))
        }
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Page {
        data: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        status: Status,
    }

    #[test]
    fn unknown_members_and_enum_values_are_found_with_their_paths() {
        let body = br#"{"data":[{"status":"active"},{"status":"paused","note":null},{"status":"gone","x":{"y":1}}],"more":1.5}"#;
        let (page, findings) = decode_tracking::<Page>(body, true);
        let page = page.unwrap();
        assert_eq!(page.data[1].status, Status::Unknown("paused".into()), "decoding is as tolerant as before");
        let found: Vec<(&str, &str, Option<&str>, Option<&str>)> =
            findings.iter().map(|d| (d.kind.as_str(), d.path.as_str(), d.schema, d.value.as_deref())).collect();
        assert_eq!(
            found,
            [
                ("unknown_field", "/data/1/note", None, Some("null")),
                ("unknown_field", "/data/2/x", None, Some("object")),
                ("unknown_field", "/more", None, Some("number")),
                ("unknown_enum_value", "/data/1/status", Some("Status"), Some("paused")),
                ("unknown_enum_value", "/data/2/status", Some("Status"), Some("gone")),
            ]
        );
        let (_, none) = decode_tracking::<Page>(br#"{"data":[{"status":"active"}]}"#, true);
        assert!(none.is_empty());
        // Outside a tracking decode the enum records nothing and never fails.
        let plain: Page = serde_json::from_slice(br#"{"data":[{"status":"odd"}]}"#).unwrap();
        assert_eq!(plain.data[0].status, Status::Unknown("odd".into()));
    }

    #[test]
    fn secret_looking_or_credential_values_are_not_kept() {
        let secrets = vec!["tok_s3cret".to_string()];
        let named = Drift::new(DriftKind::UnknownEnumValue, "/auth/api_key".into(), None, Some("x".into()));
        assert_eq!(named.without_secrets(&secrets).value, None);
        let echoed = Drift::new(DriftKind::UnknownEnumValue, "/status".into(), None, Some("tok_s3cret".into()));
        assert_eq!(echoed.without_secrets(&secrets).value, None);
        let plain = Drift::new(DriftKind::UnknownEnumValue, "/status".into(), None, Some("paused".into()));
        assert_eq!(plain.without_secrets(&secrets).value.as_deref(), Some("paused"));
    }
}
