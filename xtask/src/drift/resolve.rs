//! One finding against its provider's spec: the operation and response it is in, the schema
//! its path leads to, and the spec change it implies (or why there is none).

use serde_json::Value;

use super::event::{Event, JsonType, Kind, WEBHOOK};
use super::pointer;
use super::schema::{Alternative, Node, Schemas};
use crate::spec::Operation;

/// The runtime caps an enum value at this many characters; one this long may be cut short.
pub const VALUE_LIMIT: usize = 64;

/// A response schema to reuse: the media type and where its `schema` node is in the spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Body {
    pub media_type: String,
    /// JSON pointer of the `schema` node copied into the new response.
    pub schema: String,
}

/// What one finding asks of the spec.
#[derive(Debug, Clone, PartialEq)]
pub enum Proposal {
    /// A new optional member of the object schema at `object`.
    Property { object: String, member: String, observed: Option<JsonType> },
    /// A new value of the enum schema at `schema`, typed like the enum.
    EnumValue { schema: String, value: Value },
    /// A new response under the `responses` object at `responses`.
    Response { responses: String, status: u16, body: Option<Body> },
    /// The spec already has what the finding reports missing (e.g. after an earlier `--write`).
    Documented,
    /// No automatic edit; a human reads the finding. The text says why.
    Human(String),
}

/// One spec, ready to resolve findings against.
#[derive(Debug, Clone, Copy)]
pub struct SpecView<'a> {
    pub document: &'a Value,
    pub operations: &'a [Operation],
}

/// What a finding is about: an operation's response, or a webhook delivery.
enum Subject<'a> {
    Operation(&'a Operation),
    Webhook,
}

const WEBHOOK_SCHEMA: &str = "/components/schemas/WebhookEvent";
const NEW_MEMBER_HINT: &str = "name the component in the event's `schema` to choose";

impl<'a> SpecView<'a> {
    fn schemas(&self) -> Schemas<'a> {
        Schemas { document: self.document }
    }

    /// The spec change `event` implies; `Err` says why the finding cannot be placed.
    pub fn resolve(&self, event: &Event) -> Result<Proposal, String> {
        let subject = self.subject(&event.operation)?;
        // A response finding names its status; an undocumented_status one may give it as `value`.
        let needs_status = matches!(subject, Subject::Operation(_)) && event.kind != Kind::UndocumentedStatus;
        if needs_status && event.status.is_none() {
            return Err("drift event without `status`".into());
        }
        match event.kind {
            Kind::UnexpectedContentType => Ok(Proposal::Human(match &event.value {
                Some(content_type) => format!("content type `{content_type}`"),
                None => "content type withheld".into(),
            })),
            Kind::InvalidBody => Ok(Proposal::Human("the body does not match the spec".into())),
            Kind::UndocumentedStatus => match subject {
                Subject::Webhook => Err("a webhook delivery has no response status".into()),
                Subject::Operation(operation) => {
                    let status = event.undocumented_status().ok_or("drift event without `status`")?;
                    self.undocumented_status(operation, status)
                }
            },
            Kind::UnknownField => {
                let body = self.body(&subject, event.status)?;
                self.unknown_field(body, event)
            }
            Kind::UnknownEnumValue => {
                let Some(value) = &event.value else {
                    return Ok(Proposal::Human("the value was withheld as secret".into()));
                };
                if value.chars().count() >= VALUE_LIMIT {
                    return Ok(Proposal::Human(format!(
                        "the value is {VALUE_LIMIT} characters long, the runtime's limit: it may be cut short"
                    )));
                }
                self.unknown_enum_value(&subject, event, value)
            }
        }
    }

    fn subject(&self, operation: &str) -> Result<Subject<'a>, String> {
        if let Some(found) = self.operations.iter().find(|o| o.operation_id == operation) {
            return Ok(Subject::Operation(found));
        }
        if operation == WEBHOOK {
            return match self.document.pointer(WEBHOOK_SCHEMA) {
                Some(_) => Ok(Subject::Webhook),
                None => Err(format!("unknown operation `{WEBHOOK}`: this spec has no {WEBHOOK_SCHEMA}")),
            };
        }
        Err(format!("unknown operation `{operation}`"))
    }

    /// The body schema a finding's path starts from.
    fn body(&self, subject: &Subject<'a>, status: Option<u16>) -> Result<(String, &'a Value), String> {
        let operation = match subject {
            Subject::Webhook => {
                let value = self.document.pointer(WEBHOOK_SCHEMA).ok_or("no webhook schema")?;
                return Ok((WEBHOOK_SCHEMA.to_string(), value));
            }
            Subject::Operation(operation) => operation,
        };
        let status = status.ok_or("drift event without `status`")?;
        let responses = self.responses(operation)?;
        let found = response_key(responses, status).map(str::to_string);
        let body = match found {
            Some(key) => {
                let at = pointer::join(&operation.pointer(), ["responses", key.as_str()]);
                self.response_body(&at, &responses[&key])?
                    .ok_or_else(|| format!("response {key} of `{}` has no body schema", operation.operation_id))?
            }
            // Not documented: the schema of the status's class, the one an undocumented_status
            // edit documents for it.
            None => self.class_body(operation, status)?.ok_or_else(|| {
                format!(
                    "status {status} of `{}` is not documented and has no schema to fall back on",
                    operation.operation_id
                )
            })?,
        };
        let value = self.document.pointer(&body.schema).ok_or("response schema vanished")?;
        Ok((body.schema, value))
    }

    fn responses(&self, operation: &Operation) -> Result<&'a serde_json::Map<String, Value>, String> {
        self.document
            .pointer(&pointer::join(&operation.pointer(), ["responses"]))
            .and_then(Value::as_object)
            .ok_or_else(|| format!("`{}` has no responses", operation.operation_id))
    }

    /// The media type and schema of a response (following a `$ref` to components/responses).
    fn response_body(&self, at: &str, response: &'a Value) -> Result<Option<Body>, String> {
        let (at, response) = match response.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let target = reference.strip_prefix('#').ok_or_else(|| format!("{at}: non-local `$ref`"))?;
                let value =
                    self.document.pointer(target).ok_or_else(|| format!("{at}: `$ref` {reference} does not exist"))?;
                (target.to_string(), value)
            }
            None => (at.to_string(), response),
        };
        let Some(content) = response.get("content").and_then(Value::as_object) else { return Ok(None) };
        let media_type = content
            .keys()
            .find(|m| *m == "application/json")
            .or_else(|| content.keys().find(|m| m.ends_with("+json")))
            .or_else(|| content.keys().next());
        Ok(media_type.and_then(|media_type| {
            content[media_type].get("schema")?;
            Some(Body {
                media_type: media_type.clone(),
                schema: pointer::join(&at, ["content", media_type.as_str(), "schema"]),
            })
        }))
    }

    /// The documented body of `status`'s class: the success schema for a 2xx, the error schema
    /// (same class first) for a 4xx or 5xx, none for other statuses.
    fn class_body(&self, operation: &Operation, status: u16) -> Result<Option<Body>, String> {
        let responses = self.responses(operation)?;
        let class = status / 100;
        let order: &[&str] = match class {
            2 => &["2"],
            4 => &["4", "5", "default"],
            5 => &["5", "4", "default"],
            // 1xx and 3xx: the runtime reads no body there.
            _ => &[],
        };
        for prefix in order {
            for (key, response) in responses {
                let matches = if *prefix == "default" { key == "default" } else { key.starts_with(prefix) };
                if !matches {
                    continue;
                }
                let at = pointer::join(&operation.pointer(), ["responses", key.as_str()]);
                if let Some(body) = self.response_body(&at, response)? {
                    return Ok(Some(body));
                }
            }
        }
        Ok(None)
    }

    fn undocumented_status(&self, operation: &Operation, status: u16) -> Result<Proposal, String> {
        let responses = self.responses(operation)?;
        if response_key(responses, status).is_some_and(|key| key != "default") {
            return Ok(Proposal::Documented);
        }
        if !matches!(status / 100, 2 | 4 | 5) {
            return Ok(Proposal::Human(format!(
                "status {status} is neither a success nor an error; document it by hand if it is meant"
            )));
        }
        Ok(Proposal::Response {
            responses: pointer::join(&operation.pointer(), ["responses"]),
            status,
            body: self.class_body(operation, status)?,
        })
    }

    fn unknown_field(&self, (at, body): (String, &'a Value), event: &Event) -> Result<Proposal, String> {
        let mut tokens = pointer::tokens(&event.path)?;
        let member = tokens.pop().ok_or("an unknown_field finding needs the `path` of the member")?;
        let alternatives = self.schemas().walk(Node { pointer: &at, value: body }, &tokens)?;
        if alternatives.iter().any(|a| a.declares(&member) || a.allows_any_member() || a.is_free_form()) {
            return Ok(Proposal::Documented);
        }
        let objects: Vec<&Alternative<'_>> = alternatives.iter().filter(|a| a.is_object()).collect();
        let parent = crate::spec::pointer(&tokens);
        let parent = if parent.is_empty() { "the body".to_string() } else { format!("`{parent}`") };
        let target = match objects.as_slice() {
            [] => return Err(format!("{parent} is not an object schema in the spec ({})", list(&alternatives))),
            [only] => *only,
            several => choose(several, event.schema.as_deref())
                .ok_or_else(|| format!("`{member}` could go in {}; {NEW_MEMBER_HINT}", list_refs(several)))?,
        };
        Ok(Proposal::Property { object: target.pointer.clone(), member, observed: event.observed_type() })
    }

    fn unknown_enum_value(&self, subject: &Subject<'a>, event: &Event, value: &str) -> Result<Proposal, String> {
        let named = match &event.schema {
            Some(name) => match self.document.pointer(&pointer::join("/components/schemas", [name])) {
                Some(component) => {
                    let at = pointer::join("/components/schemas", [name]);
                    let found = self.schemas().alternatives(Node { pointer: &at, value: component })?;
                    found.into_iter().filter(|a| a.enum_values().is_some()).collect()
                }
                None => Vec::new(),
            },
            None => Vec::new(),
        };
        let enums = if named.len() == 1 {
            named
        } else {
            let body = self.body(subject, event.status)?;
            let tokens = pointer::tokens(&event.path)?;
            let found = self.schemas().walk(Node { pointer: &body.0, value: body.1 }, &tokens)?;
            let enums: Vec<Alternative<'_>> = found.iter().filter(|a| a.enum_values().is_some()).cloned().collect();
            if enums.is_empty() && found.iter().any(Alternative::is_free_form) {
                return Ok(Proposal::Documented);
            }
            if enums.is_empty() {
                let at = if event.path.is_empty() { "the body" } else { event.path.as_str() };
                return Err(format!("{at} is not an enum in the spec ({})", list(&found)));
            }
            enums
        };
        if enums.iter().any(|a| a.enum_values().is_some_and(|values| contains(values, value))) {
            return Ok(Proposal::Documented);
        }
        let target = match enums.as_slice() {
            [only] => only,
            several => {
                let refs: Vec<&Alternative<'_>> = several.iter().collect();
                choose(&refs, event.schema.as_deref())
                    .ok_or_else(|| format!("the value could belong to {}; {NEW_MEMBER_HINT}", list_refs(&refs)))?
            }
        };
        Ok(Proposal::EnumValue { schema: target.pointer.clone(), value: typed_value(target.value, value)? })
    }
}

/// The response entry documenting `status`: the code itself, its class range (`4XX`), or
/// `default`.
fn response_key(responses: &serde_json::Map<String, Value>, status: u16) -> Option<&str> {
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    responses
        .keys()
        .find(|k| **k == exact)
        .or_else(|| responses.keys().find(|k| k.eq_ignore_ascii_case(&range)))
        .or_else(|| responses.keys().find(|k| *k == "default"))
        .map(String::as_str)
}

/// Among several candidate schemas, the one the event names, or else the only one of an
/// `allOf`'s parts written inline (not a shared component).
fn choose<'x, 'a>(candidates: &[&'x Alternative<'a>], named: Option<&str>) -> Option<&'x Alternative<'a>> {
    if let Some(name) = named {
        let by_name: Vec<_> = candidates.iter().filter(|a| a.component_name() == Some(name)).collect();
        if let [only] = by_name.as_slice() {
            return Some(only);
        }
    }
    if candidates.iter().all(|a| a.all_of_part) {
        let inline: Vec<_> = candidates.iter().filter(|a| !a.referenced).collect();
        if let [only] = inline.as_slice() {
            return Some(only);
        }
    }
    None
}

fn list(alternatives: &[Alternative<'_>]) -> String {
    let refs: Vec<&Alternative<'_>> = alternatives.iter().collect();
    list_refs(&refs)
}

fn list_refs(alternatives: &[&Alternative<'_>]) -> String {
    if alternatives.is_empty() {
        return "no schema".into();
    }
    alternatives.iter().map(|a| a.pointer.as_str()).collect::<Vec<_>>().join(", ")
}

fn contains(values: &[Value], raw: &str) -> bool {
    values.iter().any(|value| same_value(value, raw))
}

/// Whether the enum entry `value` is the observed text `raw` (`3` is the number 3).
pub fn same_value(value: &Value, raw: &str) -> bool {
    match value {
        Value::String(text) => text == raw,
        Value::Number(number) => raw.parse::<serde_json::Number>().is_ok_and(|parsed| parsed == *number),
        Value::Bool(flag) => raw.parse::<bool>() == Ok(*flag),
        _ => false,
    }
}

/// The observed text as a value of the enum's type (`type: integer` → a number, …).
fn typed_value(schema: &Value, raw: &str) -> Result<Value, String> {
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("string");
    let typed = match kind {
        "integer" => raw.parse::<i64>().ok().map(Value::from),
        "number" => raw.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number),
        "boolean" => raw.parse::<bool>().ok().map(Value::Bool),
        _ => Some(Value::String(raw.to_string())),
    };
    typed.ok_or_else(|| format!("value `{raw}` is not a {kind}, the type of the enum"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ranges_and_default_document_a_status() {
        let responses = json!({"200": {}, "4XX": {}, "default": {}});
        let responses = responses.as_object().unwrap();
        assert_eq!(response_key(responses, 200), Some("200"));
        assert_eq!(response_key(responses, 404), Some("4XX"));
        assert_eq!(response_key(responses, 503), Some("default"));
    }

    #[test]
    fn values_take_the_enum_type() {
        assert_eq!(typed_value(&json!({"type": "integer"}), "3"), Ok(json!(3)));
        assert_eq!(typed_value(&json!({"type": "string"}), "3"), Ok(json!("3")));
        assert!(typed_value(&json!({"type": "integer"}), "x").is_err());
        assert!(contains(&[json!(3)], "3") && contains(&[json!("a")], "a") && !contains(&[json!("a")], "b"));
    }
}
