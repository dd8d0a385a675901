//! `cargo xtask diff`: what changed in the API between two versions of a spec, and whether it
//! breaks existing callers.
//!
//! Breaking is judged as Rust callers experience it: code that compiled against the crates
//! generated from the old spec does not compile against the new ones. Every generated type is
//! built with a builder or constructor and is `#[non_exhaustive]`, so an added optional field,
//! enum value, variant, operation or optional parameter is not breaking. Breaking are: a new
//! required field or parameter (its builder needs it, whichever way the type travels), a removed
//! or renamed anything, a type change, and a field that becomes required, or nullable or not
//! (its Rust type changes between `T` and `Option<T>`). A field that becomes optional breaks
//! code that reads it, so it is breaking in a response; in a request-only type it is not (its
//! builder setter still takes a `T`, and requests are built, not read). Where a change is
//! harmless in Rust but not on the wire (a new response variant that older clients cannot
//! decode), its detail says so. `tests/tests/api_compatibility.rs` checks this classification
//! against compiling code written before each kind of change.

mod document;
mod operations;
mod report;
mod schema;
mod workspace;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

pub use report::{Change, ChangeKind, EXIT_BREAKING, Report, Severity, summary};
pub use workspace::{Base, SpecReport, WorkspaceReport, diff_workspace, run};

use document::{Document, OperationKey, SchemaUse};
use operations::OperationDiff;
use schema::{Flow, SchemaDiff};

/// Which of the two specs could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Old,
    New,
}

/// A spec that is not a YAML (or JSON) mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffError {
    pub side: Side,
    pub message: String,
}

impl fmt::Display for DiffError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = match self.side {
            Side::Old => "old",
            Side::New => "new",
        };
        write!(f, "{side} spec: {}", self.message)
    }
}

impl std::error::Error for DiffError {}

/// Compares two spec texts (YAML or JSON). Neither has to pass the generator's checks.
pub fn diff_specs(old: &str, new: &str) -> Result<Report, DiffError> {
    let old = Document::parse(old).map_err(|message| DiffError { side: Side::Old, message })?;
    let new = Document::parse(new).map_err(|message| DiffError { side: Side::New, message })?;
    let mut changes = Vec::new();
    OperationDiff { old: &old, new: &new, changes: &mut changes }.compare_all();
    compare_components(&old, &new, &mut changes);
    compare_security_schemes(&old, &new, &mut changes);
    Ok(Report { changes })
}

/// Each component schema once, judged by how the operations of either version use it.
fn compare_components(old: &Document, new: &Document, changes: &mut Vec<Change>) {
    let (old_uses, new_uses) = (old.schema_uses(), new.schema_uses());
    let labels = operation_labels(old, new);
    let (old_schemas, new_schemas) = (old.schemas(), new.schemas());
    for (name, old_schema) in &old_schemas {
        let uses = [old_uses.get(*name), new_uses.get(*name)];
        let operations =
            affected(&labels, uses.into_iter().flatten().flat_map(|u| u.request.iter().chain(&u.response)));
        let Some(new_schema) = new_schemas.get(name) else {
            changes.push(Change {
                severity: Severity::Breaking,
                kind: ChangeKind::SchemaRemoved,
                target: name.to_string(),
                detail: String::new(),
                operations,
            });
            continue;
        };
        let flow = flow_of(uses.into_iter().flatten());
        SchemaDiff { old, new, flow, operations, changes }.compare(old_schema, new_schema, name);
    }
    for name in new_schemas.keys().filter(|name| !old_schemas.contains_key(*name)) {
        changes.push(Change {
            severity: Severity::NonBreaking,
            kind: ChangeKind::SchemaAdded,
            target: name.to_string(),
            detail: String::new(),
            operations: Vec::new(),
        });
    }
}

/// A scheme that changes what credential it takes (type, header, query name) breaks every caller.
fn compare_security_schemes(old: &Document, new: &Document, changes: &mut Vec<Change>) {
    let (old_schemes, new_schemes) = (old.security_schemes(), new.security_schemes());
    let users = scheme_users(old, new);
    for (name, old_scheme) in &old_schemes {
        let operations = users.get(*name).cloned().unwrap_or_default();
        let (severity, kind, detail) = match new_schemes.get(name) {
            None => (Severity::Breaking, ChangeKind::SecuritySchemeRemoved, String::new()),
            Some(new_scheme) if describe_scheme(old_scheme) != describe_scheme(new_scheme) => {
                let detail = format!("{} → {}", describe_scheme(old_scheme), describe_scheme(new_scheme));
                (Severity::Breaking, ChangeKind::SecuritySchemeChanged, detail)
            }
            Some(_) => continue,
        };
        changes.push(Change { severity, kind, target: name.to_string(), detail, operations });
    }
    for name in new_schemes.keys().filter(|name| !old_schemes.contains_key(*name)) {
        changes.push(Change {
            severity: Severity::NonBreaking,
            kind: ChangeKind::SecuritySchemeAdded,
            target: name.to_string(),
            detail: describe_scheme(new_schemes[name]),
            operations: users.get(*name).cloned().unwrap_or_default(),
        });
    }
}

/// The credential a scheme takes and where: `http bearer`, `apiKey in header X-Token`.
fn describe_scheme(scheme: &Value) -> String {
    let field = |name: &str| scheme.get(name).and_then(Value::as_str).unwrap_or("?");
    match field("type") {
        "http" => format!("http {}", field("scheme")),
        "apiKey" => format!("apiKey in {} `{}`", field("in"), field("name")),
        other => other.to_string(),
    }
}

/// Operation labels by key, the new version's name winning.
fn operation_labels(old: &Document, new: &Document) -> BTreeMap<OperationKey, String> {
    let mut labels: BTreeMap<OperationKey, String> =
        old.operations().into_iter().map(|(key, operation)| (key, operation.label())).collect();
    labels.extend(new.operations().into_iter().map(|(key, operation)| (key, operation.label())));
    labels
}

fn affected<'k>(labels: &BTreeMap<OperationKey, String>, keys: impl Iterator<Item = &'k OperationKey>) -> Vec<String> {
    let keys: BTreeSet<&OperationKey> = keys.collect();
    keys.into_iter().filter_map(|key| labels.get(key).cloned()).collect()
}

fn flow_of<'u>(uses: impl Iterator<Item = &'u SchemaUse>) -> Flow {
    let mut flow = Flow { request: false, response: false };
    for usage in uses {
        flow.request |= !usage.request.is_empty();
        flow.response |= !usage.response.is_empty();
    }
    if flow.request || flow.response { flow } else { Flow::BOTH }
}

/// For each security scheme, the operations (of either version) that accept it.
fn scheme_users(old: &Document, new: &Document) -> BTreeMap<String, Vec<String>> {
    let labels = operation_labels(old, new);
    let mut users: BTreeMap<String, BTreeSet<OperationKey>> = BTreeMap::new();
    for document in [old, new] {
        for (key, operation) in document.operations() {
            for scheme in operations::alternatives(document, &operation).into_iter().flatten() {
                users.entry(scheme).or_default().insert(key.clone());
            }
        }
    }
    users.into_iter().map(|(scheme, keys)| (scheme, affected(&labels, keys.iter()))).collect()
}
