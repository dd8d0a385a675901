//! Merging findings: duplicates (same provider, operation, status, kind, resolved location and
//! value) count once, and findings that imply the same spec change become one edit.
//!
//! An unknown member seen with several JSON types gets one property: `null` makes it
//! `nullable`, `integer` with `number` makes it a `number`. Two other non-null types (a
//! `string` here, an `object` there) get no edit: the finding is left to a human with both
//! types named, since either choice would make the generated client reject the other shape.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::edits::{Change, Edit, HumanFinding, PropertySchema};
use super::event::{Event, JsonType, Kind};
use super::input::Origin;
use super::resolve::{Body, Proposal};

/// Everything the findings of all files come to.
#[derive(Debug, Default)]
pub struct Merged {
    /// Per provider, in a stable order (by the location they change).
    pub edits: BTreeMap<String, Vec<Edit>>,
    pub for_human: Vec<HumanFinding>,
    /// Distinct findings the spec already answers.
    pub documented: usize,
    /// Distinct findings (after merging duplicates).
    pub findings: usize,
}

/// Where a change goes; one edit per key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum EditKey {
    Property { object: String, member: String },
    Enum { schema: String },
    Response { responses: String, status: u16 },
}

/// What the findings of one edit key have seen so far.
#[derive(Debug)]
enum Seen {
    Property { types: Vec<JsonType>, null: bool, first: Event },
    Enum { values: Vec<Value> },
    Response { body: Option<Body> },
}

/// A finding's identity: two events with the same key are duplicates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct FindingKey {
    provider: String,
    operation: String,
    status: Option<u16>,
    kind: Kind,
    /// The resolved location (the schema and member an edit changes), or the event's path.
    location: String,
    value: Option<String>,
}

/// Collects resolved findings; [`Collector::finish`] merges them.
#[derive(Debug, Default)]
pub struct Collector {
    distinct: BTreeSet<FindingKey>,
    documented: BTreeSet<FindingKey>,
    edits: BTreeMap<(String, EditKey), (Seen, Vec<Origin>)>,
    /// Keyed by the finding (with its path as location) and the note.
    human: BTreeMap<(FindingKey, String), Vec<Origin>>,
}

impl Collector {
    pub fn add(&mut self, origin: Origin, event: &Event, proposal: Proposal) {
        let location = match &proposal {
            Proposal::Property { object, member, .. } => format!("{object} {member}"),
            Proposal::EnumValue { schema, .. } => schema.clone(),
            Proposal::Response { responses, .. } => responses.clone(),
            Proposal::Documented | Proposal::Human(_) => event.path.clone(),
        };
        let finding = FindingKey {
            provider: event.provider.clone(),
            operation: event.operation.clone(),
            status: event.status,
            kind: event.kind,
            location,
            value: event.value.clone(),
        };
        self.distinct.insert(finding.clone());
        let provider = event.provider.clone();
        match proposal {
            Proposal::Documented => {
                self.documented.insert(finding);
            }
            Proposal::Human(note) => self.human(event, note, vec![origin]),
            Proposal::Property { object, member, observed } => {
                let key = (provider, EditKey::Property { object, member });
                let seen = Seen::Property { types: Vec::new(), null: false, first: event.clone() };
                let (seen, origins) = self.edits.entry(key).or_insert((seen, Vec::new()));
                origins.push(origin);
                if let Seen::Property { types, null, .. } = seen {
                    match observed {
                        Some(JsonType::Null) => *null = true,
                        Some(ty) if !types.contains(&ty) => types.push(ty),
                        _ => {}
                    }
                }
            }
            Proposal::EnumValue { schema, value } => {
                let key = (provider, EditKey::Enum { schema });
                let (seen, origins) = self.edits.entry(key).or_insert((Seen::Enum { values: Vec::new() }, Vec::new()));
                origins.push(origin);
                if let Seen::Enum { values } = seen
                    && !values.contains(&value)
                {
                    values.push(value);
                }
            }
            Proposal::Response { responses, status, body } => {
                let key = (provider, EditKey::Response { responses, status });
                let (_, origins) = self.edits.entry(key).or_insert((Seen::Response { body }, Vec::new()));
                origins.push(origin);
            }
        }
    }

    fn human(&mut self, event: &Event, note: String, origins: Vec<Origin>) {
        let finding = FindingKey {
            provider: event.provider.clone(),
            operation: event.operation.clone(),
            status: event.status,
            kind: event.kind,
            location: event.path.clone(),
            value: event.value.clone(),
        };
        self.human.entry((finding, note)).or_default().extend(origins);
    }

    pub fn finish(mut self) -> Merged {
        let mut merged =
            Merged { documented: self.documented.len(), findings: self.distinct.len(), ..Merged::default() };
        for ((provider, key), (seen, mut origins)) in std::mem::take(&mut self.edits) {
            origins.sort();
            let change = match (key, seen) {
                (EditKey::Property { object, member }, Seen::Property { types, null, first }) => {
                    match property_schema(&types, null) {
                        Ok(schema) => Change::Property { object, member, schema },
                        Err(note) => {
                            let note = format!("{note}; no edit (choose the type of `{member}` in {object} by hand)");
                            let event = Event { value: Some(type_list(&types)), ..first };
                            self.human(&event, note, origins);
                            continue;
                        }
                    }
                }
                (EditKey::Enum { schema }, Seen::Enum { values }) => Change::EnumValues { schema, values },
                (EditKey::Response { responses, status }, Seen::Response { body }) => {
                    Change::Response { responses, status, body }
                }
                _ => unreachable!("each edit key is stored with its own kind of observations"),
            };
            merged.edits.entry(provider).or_default().push(Edit { change, origins });
        }
        merged.for_human = self
            .human
            .into_iter()
            .map(|((finding, note), mut origins)| {
                origins.sort();
                let FindingKey { provider, operation, status, kind, location: path, value } = finding;
                HumanFinding { provider, operation, status, kind, path, value, note, origins }
            })
            .collect();
        merged.for_human.sort_by(|a, b| a.origins.first().cmp(&b.origins.first()));
        merged
    }
}

/// One schema for every type seen, or why there is none.
fn property_schema(types: &[JsonType], nullable: bool) -> Result<PropertySchema, String> {
    let ty = match types {
        [] => None,
        [only] => Some(*only),
        [JsonType::Integer, JsonType::Number] | [JsonType::Number, JsonType::Integer] => Some(JsonType::Number),
        several => return Err(format!("seen as {}", type_list(several))),
    };
    Ok(PropertySchema { ty, nullable })
}

fn type_list(types: &[JsonType]) -> String {
    let names: Vec<String> = types.iter().map(|t| format!("`{}`", t.as_str())).collect();
    names.join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_merge_into_one_schema_or_none() {
        use JsonType::*;
        assert_eq!(property_schema(&[String], true), Ok(PropertySchema { ty: Some(String), nullable: true }));
        assert_eq!(
            property_schema(&[Integer, Number], false),
            Ok(PropertySchema { ty: Some(Number), nullable: false })
        );
        assert_eq!(property_schema(&[], true), Ok(PropertySchema { ty: None, nullable: true }));
        assert_eq!(property_schema(&[String, Object], false).unwrap_err(), "seen as `string` and `object`");
    }
}
