//! What an upstream document says about an API, whatever its format: the common model the
//! readers ([`super::postman`], [`super::transcription`]) produce and the checks compare with a
//! spec. It depends on no reader.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

use super::lenient_json;

/// Everything one upstream document documents.
#[derive(Debug, Clone, Default)]
pub struct Upstream {
    pub operations: Vec<UpstreamOperation>,
    /// Webhook payload examples (Verloop's webhook page).
    pub webhook_examples: Vec<Example>,
}

/// One documented operation (several upstream requests on one method + path are merged).
#[derive(Debug, Clone)]
pub struct UpstreamOperation {
    /// The upstream names of the merged requests, for messages.
    pub label: String,
    /// `GET`, `POST`, … (upper case).
    pub method: String,
    /// Path segments relative to the base URL.
    pub path: Vec<Segment>,
    pub query: Vec<Param>,
    pub headers: Vec<Param>,
    /// JSON body fields as dotted paths (`profile.about`, `messages[].to`).
    pub body_fields: BTreeSet<String>,
    pub multipart_parts: BTreeSet<String>,
    /// The document says the success response is a file's bytes.
    pub binary_response: bool,
    /// The credentials sent together; `None` when the document does not say.
    pub auth: Option<BTreeSet<Credential>>,
    pub examples: Vec<Example>,
}

impl UpstreamOperation {
    /// `GET /v1/things/{id}`, as the document writes it.
    pub fn route(&self) -> String {
        format!("{} {}", self.method, path_string(&self.path))
    }

    /// Adds another request on the same method + path: parameters, fields and examples join.
    pub fn merge(&mut self, other: UpstreamOperation) {
        self.label = format!("{} + {}", self.label, other.label);
        for (mine, theirs) in [(&mut self.query, other.query), (&mut self.headers, other.headers)] {
            for param in theirs {
                match mine.iter_mut().find(|p| p.name == param.name) {
                    Some(known) => known.required = known.required.or(param.required),
                    None => mine.push(param),
                }
            }
        }
        self.body_fields.extend(other.body_fields);
        self.multipart_parts.extend(other.multipart_parts);
        self.binary_response |= other.binary_response;
        self.auth = self.auth.take().or(other.auth);
        self.examples.extend(other.examples);
    }
}

/// A path segment: literal text or a variable (`:id`, `{{id}}`, `{id}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Literal(String),
    Variable(String),
}

pub fn path_string(path: &[Segment]) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|segment| match segment {
            Segment::Literal(text) => text.clone(),
            Segment::Variable(name) => format!("{{{name}}}"),
        })
        .collect();
    format!("/{}", parts.join("/"))
}

/// Reads one path segment as written upstream.
pub fn segment(text: &str) -> Segment {
    let variable = text
        .strip_prefix(':')
        .or_else(|| text.strip_prefix("{{").and_then(|t| t.strip_suffix("}}")))
        .or_else(|| text.strip_prefix('{').and_then(|t| t.strip_suffix('}')));
    match variable {
        Some(name) => Segment::Variable(name.trim().to_string()),
        None => Segment::Literal(text.to_string()),
    }
}

/// A query or header parameter; `required` is `None` when the document does not say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub required: Option<bool>,
}

/// One credential placement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Credential {
    /// `Authorization: Bearer …`
    Bearer,
    /// A raw value in this header.
    Header(String),
    /// A query parameter.
    Query(String),
    /// A field of the JSON body.
    BodyField(String),
}

impl fmt::Display for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Bearer => write!(f, "bearer"),
            Credential::Header(name) => write!(f, "header {name}"),
            Credential::Query(name) => write!(f, "query {name}"),
            Credential::BodyField(name) => write!(f, "body field {name}"),
        }
    }
}

pub fn credentials_string(credentials: &BTreeSet<Credential>) -> String {
    if credentials.is_empty() {
        return "none".into();
    }
    credentials.iter().map(ToString::to_string).collect::<Vec<_>>().join(" + ")
}

/// A documented response example.
#[derive(Debug, Clone)]
pub struct Example {
    pub name: String,
    /// `None` when the document gives no status (read as the operation's success).
    pub status: Option<u16>,
    pub body: ExampleBody,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExampleBody {
    Empty,
    /// The body, repaired where needed; `placeholders` are pointers of unquoted placeholders.
    Json {
        value: Value,
        placeholders: BTreeSet<String>,
    },
    /// Text that could not be read even tolerantly, with the reason.
    Unreadable(String),
}

impl ExampleBody {
    /// Reads a body as written (JSON, or tolerantly repaired).
    pub fn read(text: &str) -> Self {
        if text.trim().is_empty() {
            return ExampleBody::Empty;
        }
        if let Ok(value) = serde_json::from_str(text) {
            return ExampleBody::Json { value, placeholders: BTreeSet::new() };
        }
        match lenient_json::parse(text) {
            Ok(read) => ExampleBody::Json { value: read.value, placeholders: read.placeholders },
            Err(reason) => ExampleBody::Unreadable(reason),
        }
    }
}

/// Body field paths of a JSON value: every object key, nested ones dotted, array items `[]`.
pub fn field_paths(value: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
        match value {
            Value::Object(members) => {
                for (key, member) in members {
                    let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                    out.insert(path.clone());
                    walk(member, &path, out);
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, &format!("{prefix}[]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(value, "", &mut out);
    out
}

/// Merges operations on the same method + path, keeping first-seen order.
pub fn merge_by_route(operations: Vec<UpstreamOperation>) -> Vec<UpstreamOperation> {
    let mut merged: Vec<UpstreamOperation> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for operation in operations {
        let key = format!("{} {}", operation.method, normalized_route(&operation.path));
        match index.get(&key) {
            Some(&at) => merged[at].merge(operation),
            None => {
                index.insert(key, merged.len());
                merged.push(operation);
            }
        }
    }
    merged
}

fn normalized_route(path: &[Segment]) -> String {
    path.iter()
        .map(|s| match s {
            Segment::Literal(text) => text.as_str(),
            Segment::Variable(_) => "{}",
        })
        .collect::<Vec<_>>()
        .join("/")
}
