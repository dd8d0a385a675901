//! One captured log line: a `whatsapp_sdk::drift` event as tracing-subscriber's JSON formatter
//! writes it, with its fields nested under `fields` (the default) or at the top level
//! (`.flatten_event(true)`).

use std::fmt;

use serde_json::{Map, Value};

/// The tracing target the runtime emits drift findings on.
pub const TARGET: &str = "whatsapp_sdk::drift";
/// The message of every drift finding.
pub const MESSAGE: &str = "spec drift";
/// The operation name of a Verloop webhook delivery (no operationId; schema `WebhookEvent`).
pub const WEBHOOK: &str = "webhook";

/// What the runtime found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    UnknownField,
    UnknownEnumValue,
    UndocumentedStatus,
    UnexpectedContentType,
    InvalidBody,
}

impl Kind {
    pub fn parse(text: &str) -> Option<Kind> {
        Some(match text {
            "unknown_field" => Kind::UnknownField,
            "unknown_enum_value" => Kind::UnknownEnumValue,
            "undocumented_status" => Kind::UndocumentedStatus,
            "unexpected_content_type" => Kind::UnexpectedContentType,
            "invalid_body" => Kind::InvalidBody,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::UnknownField => "unknown_field",
            Kind::UnknownEnumValue => "unknown_enum_value",
            Kind::UndocumentedStatus => "undocumented_status",
            Kind::UnexpectedContentType => "unexpected_content_type",
            Kind::InvalidBody => "invalid_body",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON type of an unknown member, as the runtime names it in `value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Object,
    Array,
    Null,
}

impl JsonType {
    pub fn parse(text: &str) -> Option<JsonType> {
        Some(match text {
            "string" => JsonType::String,
            "number" => JsonType::Number,
            "integer" => JsonType::Integer,
            "boolean" => JsonType::Boolean,
            "object" => JsonType::Object,
            "array" => JsonType::Array,
            "null" => JsonType::Null,
            _ => return None,
        })
    }

    /// The OpenAPI `type` (the same word; `null` has none in OpenAPI 3.0).
    pub fn as_str(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Number => "number",
            JsonType::Integer => "integer",
            JsonType::Boolean => "boolean",
            JsonType::Object => "object",
            JsonType::Array => "array",
            JsonType::Null => "null",
        }
    }
}

/// One drift finding, validated field by field (not yet against a spec).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub provider: String,
    pub operation: String,
    pub kind: Kind,
    /// The response's HTTP status; `None` for a webhook.
    pub status: Option<u16>,
    /// JSON pointer into the body; empty for a status or content-type finding.
    pub path: String,
    /// The spec component, when the runtime knows it.
    pub schema: Option<String>,
    /// The observed value (a JSON type name, an enum value, a status, a content type); `None`
    /// when the runtime withheld it as secret.
    pub value: Option<String>,
}

impl Event {
    /// The observed JSON type of an unknown member (`None`: withheld).
    pub fn observed_type(&self) -> Option<JsonType> {
        self.value.as_deref().and_then(JsonType::parse)
    }

    /// The status an `undocumented_status` finding is about.
    pub fn undocumented_status(&self) -> Option<u16> {
        self.status.or_else(|| self.value.as_deref().and_then(parse_status_text))
    }
}

/// Reads one line. `Ok(None)`: not a drift finding (blank, another target, another message of
/// the drift target), to be ignored silently. `Err`: why the line cannot be used.
pub fn parse_line(line: &str) -> Result<Option<Event>, String> {
    let line = line.trim();
    if line.is_empty() {
        return Ok(None);
    }
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not a JSON log line: {e}"))?;
    let Value::Object(object) = value else { return Err("not a JSON object".into()) };
    if object.get("target").and_then(Value::as_str) != Some(TARGET) {
        return Ok(None);
    }
    let fields = match object.get("fields") {
        Some(Value::Object(fields)) => fields,
        _ => &object,
    };
    match fields.get("message") {
        Some(Value::String(message)) if message != MESSAGE => return Ok(None),
        _ => {}
    }
    parse_fields(fields).map(Some)
}

fn parse_fields(fields: &Map<String, Value>) -> Result<Event, String> {
    let provider = required_text(fields, "provider")?;
    let operation = required_text(fields, "operation")?;
    let kind_text = required_text(fields, "kind")?;
    let kind = Kind::parse(&kind_text).ok_or_else(|| format!("unknown drift kind `{kind_text}`"))?;
    let status = match fields.get("status") {
        None | Some(Value::Null) => None,
        Some(status) => Some(parse_status(status).ok_or_else(|| format!("`status` {status} is not an HTTP status"))?),
    };
    let path = optional_text(fields, "path")?.unwrap_or_default();
    if !path.is_empty() && !path.starts_with('/') {
        return Err(format!("`path` `{path}` is not a JSON pointer (it must be empty or start with `/`)"));
    }
    let schema = optional_text(fields, "schema")?.filter(|s| !s.is_empty());
    let value = match fields.get("value") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(Value::Number(number)) => Some(number.to_string()),
        Some(Value::Bool(flag)) => Some(flag.to_string()),
        Some(other) => return Err(format!("`value` must be a string, number or boolean, found {other}")),
    };
    let event = Event { provider, operation, kind, status, path, schema, value };
    check_kind_fields(&event)?;
    Ok(event)
}

/// The fields each kind needs, beyond the common ones.
fn check_kind_fields(event: &Event) -> Result<(), String> {
    match event.kind {
        Kind::UnknownField => {
            if event.path.is_empty() {
                return Err("an unknown_field finding needs the `path` of the member".into());
            }
            if let Some(value) = &event.value
                && JsonType::parse(value).is_none()
            {
                return Err(format!("`value` of an unknown_field finding must be a JSON type name, found `{value}`"));
            }
        }
        Kind::UndocumentedStatus => {
            if event.undocumented_status().is_none() {
                return Err("an undocumented_status finding needs the `status` (or the status as `value`)".into());
            }
        }
        Kind::UnknownEnumValue | Kind::UnexpectedContentType | Kind::InvalidBody => {}
    }
    Ok(())
}

fn required_text(fields: &Map<String, Value>, name: &str) -> Result<String, String> {
    match optional_text(fields, name)? {
        Some(text) if !text.is_empty() => Ok(text),
        _ => Err(format!("drift event without `{name}`")),
    }
}

fn optional_text(fields: &Map<String, Value>, name: &str) -> Result<Option<String>, String> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(format!("`{name}` must be a string, found {other}")),
    }
}

/// A status as a number, or as text when the field was recorded with `%`/`?`.
fn parse_status(value: &Value) -> Option<u16> {
    match value {
        Value::Number(number) => number.as_u64().and_then(|n| u16::try_from(n).ok()).filter(|n| valid_status(*n)),
        Value::String(text) => parse_status_text(text),
        _ => None,
    }
}

fn parse_status_text(text: &str) -> Option<u16> {
    text.trim().parse().ok().filter(|n| valid_status(*n))
}

fn valid_status(status: u16) -> bool {
    (100..=599).contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NESTED: &str = r#"{"timestamp":"2026-12-02T10:00:00.000000Z","level":"WARN","fields":{"message":"spec drift","provider":"woztell","operation":"list_templates","kind":"unknown_enum_value","status":200,"path":"/data/0/category","schema":"TemplateCategory","value":"TICKET_UPDATE"},"target":"whatsapp_sdk::drift"}"#;

    #[test]
    fn nested_and_flattened_lines_read_alike() {
        let nested = parse_line(NESTED).unwrap().unwrap();
        let flat = r#"{"level":"WARN","message":"spec drift","provider":"woztell","operation":"list_templates","kind":"unknown_enum_value","status":200,"path":"/data/0/category","schema":"TemplateCategory","value":"TICKET_UPDATE","target":"whatsapp_sdk::drift"}"#;
        assert_eq!(parse_line(flat).unwrap().unwrap(), nested);
        assert_eq!(nested.status, Some(200));
        assert_eq!(nested.schema.as_deref(), Some("TemplateCategory"));
    }

    #[test]
    fn other_targets_and_blank_lines_are_ignored() {
        assert_eq!(parse_line("   "), Ok(None));
        assert_eq!(parse_line(r#"{"target":"hyper::proto","fields":{"message":"x"}}"#), Ok(None));
        assert_eq!(parse_line(r#"{"target":"whatsapp_sdk::drift","fields":{"message":"other"}}"#), Ok(None));
    }

    #[test]
    fn bad_lines_say_why() {
        assert!(parse_line("not json").unwrap_err().starts_with("not a JSON log line"));
        let no_provider = NESTED.replace(r#""provider":"woztell","#, "");
        assert_eq!(parse_line(&no_provider).unwrap_err(), "drift event without `provider`");
        let bad_kind = NESTED.replace("unknown_enum_value", "surprise");
        assert_eq!(parse_line(&bad_kind).unwrap_err(), "unknown drift kind `surprise`");
        let bad_status = NESTED.replace("200", "42");
        assert!(parse_line(&bad_status).unwrap_err().contains("not an HTTP status"));
    }

    /// Lines written by tracing-subscriber's JSON formatter, default and flattened, for an
    /// event recorded the way the runtime records it (`Option` fields absent when `None`).
    #[test]
    fn lines_of_the_real_json_formatter_are_read() {
        use std::sync::{Arc, Mutex};

        #[derive(Clone, Default)]
        struct Buffer(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buffer {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }

        let emit = || {
            let (status, schema, value): (Option<u16>, Option<&str>, Option<&str>) =
                (Some(200), Some("TemplateCategory"), Some("TICKET_UPDATE"));
            tracing::warn!(target: TARGET, provider = "woztell", operation = "list_templates",
                kind = "unknown_enum_value", status, path = "/data/0/category", schema, value, "spec drift");
            let (status, schema, value): (Option<u16>, Option<&str>, Option<&str>) = (None, None, None);
            tracing::warn!(target: TARGET, provider = "verloop-partner", operation = WEBHOOK,
                kind = "invalid_body", status, path = "/entry/0", schema, value, "spec drift");
            tracing::info!(target: "other", "not a drift event");
        };
        for flatten in [false, true] {
            let buffer = Buffer::default();
            let writer = buffer.clone();
            let subscriber =
                tracing_subscriber::fmt().json().flatten_event(flatten).with_writer(move || writer.clone()).finish();
            tracing::subscriber::with_default(subscriber, emit);
            let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
            let events: Vec<Event> = text.lines().filter_map(|line| parse_line(line).unwrap()).collect();
            assert_eq!(events.len(), 2, "flatten_event({flatten}):\n{text}");
            assert_eq!(events[0], parse_line(NESTED).unwrap().unwrap(), "flatten_event({flatten})");
            let webhook = &events[1];
            assert_eq!((webhook.status, &webhook.schema, &webhook.value), (None, &None, &None));
            assert_eq!((webhook.kind, webhook.path.as_str()), (Kind::InvalidBody, "/entry/0"));
        }
    }

    #[test]
    fn status_as_text_and_status_in_value() {
        let line = r#"{"target":"whatsapp_sdk::drift","message":"spec drift","provider":"wapio","operation":"get_session","kind":"undocumented_status","status":"500","path":"","value":500}"#;
        let event = parse_line(line).unwrap().unwrap();
        assert_eq!(event.undocumented_status(), Some(500));
    }
}
