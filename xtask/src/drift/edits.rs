//! The spec edits the findings imply, and the findings left to a human, after merging.

use std::fmt;

use serde_json::Value;

use super::event::{JsonType, Kind};
use super::input::Origin;
use super::resolve::Body;

/// The schema of a new property, inferred from the JSON types it was seen with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropertySchema {
    /// `None`: only seen as `null`, or the type was withheld; the property is left untyped.
    pub ty: Option<JsonType>,
    pub nullable: bool,
}

impl fmt::Display for PropertySchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.ty.map_or("untyped", JsonType::as_str))?;
        if self.nullable { f.write_str(", nullable") } else { Ok(()) }
    }
}

/// One change to a spec, located by JSON pointers into it.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A new optional member `member` of the object schema at `object`, marked `x-observed`.
    Property { object: String, member: String, schema: PropertySchema },
    /// Values appended to the enum schema at `schema`, and listed in its `x-observed-values`.
    EnumValues { schema: String, values: Vec<Value> },
    /// A new response for `status` under the `responses` object at `responses`, marked
    /// `x-observed`, with a copy of `body`'s schema (no example).
    Response { responses: String, status: u16, body: Option<Body> },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Property { object, member, schema } => write!(f, "property `{member}` ({schema}) in {object}"),
            Change::EnumValues { schema, values } => {
                let values: Vec<String> = values.iter().map(Value::to_string).collect();
                write!(f, "enum value(s) {} in {schema}", values.join(", "))
            }
            Change::Response { responses, status, body } => {
                write!(f, "response {status} in {responses}")?;
                match body {
                    Some(body) => write!(f, " (schema of {})", body.schema),
                    None => f.write_str(" (no body)"),
                }
            }
        }
    }
}

/// A change with the findings that imply it.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub change: Change,
    pub origins: Vec<Origin>,
}

/// A finding (merged with its duplicates) that gets no automatic edit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct HumanFinding {
    pub provider: String,
    pub operation: String,
    pub status: Option<u16>,
    pub kind: Kind,
    pub path: String,
    pub value: Option<String>,
    /// Why there is no edit, or what was seen.
    pub note: String,
    pub origins: Vec<Origin>,
}

impl fmt::Display for HumanFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.provider, self.operation)?;
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        write!(f, " {}", self.kind)?;
        if !self.path.is_empty() {
            write!(f, " at {}", self.path)?;
        }
        write!(f, ": {} — {}", self.note, origins(&self.origins))
    }
}

/// `3 events: a.jsonl:4, a.jsonl:9, b.jsonl:1` (at most five places).
pub fn origins(origins: &[Origin]) -> String {
    const SHOWN: usize = 5;
    let count = origins.len();
    let noun = if count == 1 { "event" } else { "events" };
    let mut places: Vec<String> = origins.iter().take(SHOWN).map(Origin::to_string).collect();
    if count > SHOWN {
        places.push("…".into());
    }
    format!("{count} {noun}: {}", places.join(", "))
}
