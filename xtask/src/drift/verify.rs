//! Checking an edited spec before it is shown or written: it still parses, still passes the
//! xtask's spec checks, and holds what the change added, with its `x-observed` marker.

use std::path::Path;

use serde_json::Value;

use super::edits::Change;
use super::pointer;

pub fn verify(file: &Path, text: &str, change: &Change) -> Result<(), String> {
    let document: Value = serde_yaml::from_str(text).map_err(|e| format!("the edited spec is not valid YAML: {e}"))?;
    if let Err(errors) = crate::spec::check(file, document.clone()) {
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return Err(format!("the edited spec fails the spec checks: {}", errors.join("; ")));
    }
    let found = |at: String| document.pointer(&at).cloned();
    let marked = |node: Option<Value>| node.is_some_and(|n| n.get("x-observed") == Some(&Value::Bool(true)));
    let present = match change {
        Change::Property { object, member, .. } => marked(found(pointer::join(object, ["properties", member]))),
        Change::EnumValues { schema, values } => {
            let holds = |key: &str| {
                found(pointer::join(schema, [key]))
                    .and_then(|list| list.as_array().cloned())
                    .is_some_and(|list| values.iter().all(|v| list.contains(v)))
            };
            holds("enum") && holds("x-observed-values")
        }
        Change::Response { responses, status, .. } => marked(found(pointer::join(responses, [status.to_string()]))),
    };
    if present { Ok(()) } else { Err(format!("the edited spec does not read back with the {change}")) }
}
