//! Facts in a spec that come from traffic, not from the provider's document: the nodes
//! `cargo xtask drift` adds, marked `x-observed: true`, and the enum values it lists in
//! `x-observed-values`. The audit lists them apart, so a reviewer sees which parts of a spec no
//! document backs.

use serde_json::Value;

use crate::spec;

/// One observed fact: where it is in the spec, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// JSON pointer into the spec.
    pub pointer: String,
    pub what: String,
}

/// Every observed fact of a spec document, in document order.
pub fn collect(document: &Value) -> Vec<Observed> {
    let mut found = Vec::new();
    walk(document, &mut Vec::new(), &mut found);
    found
}

fn walk(node: &Value, path: &mut Vec<String>, found: &mut Vec<Observed>) {
    match node {
        Value::Object(members) => {
            if members.get("x-observed") == Some(&Value::Bool(true)) {
                let what = match path.iter().rev().nth(1).map(String::as_str) {
                    Some("properties") => "property",
                    Some("responses") => "response",
                    _ => "node",
                };
                found.push(Observed { pointer: spec::pointer(path.iter()), what: what.to_string() });
            }
            if let Some(Value::Array(values)) = members.get("x-observed-values") {
                for value in values {
                    let value = value.as_str().map_or_else(|| value.to_string(), str::to_string);
                    found.push(Observed { pointer: spec::pointer(path.iter()), what: format!("enum value `{value}`") });
                }
            }
            for (key, member) in members {
                path.push(key.clone());
                walk(member, path, found);
                path.pop();
            }
        }
        Value::Array(elements) => {
            for (index, element) in elements.iter().enumerate() {
                path.push(index.to_string());
                walk(element, path, found);
                path.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn marked_properties_responses_and_enum_values_are_found() {
        let document = json!({
            "paths": {"/a": {"get": {"responses": {"503": {"x-observed": true, "description": "observed"}}}}},
            "components": {"schemas": {
                "Thing": {"properties": {"colour": {"type": "string", "x-observed": true}, "name": {"type": "string"}}},
                "Status": {"type": "string", "enum": ["on", "paused"], "x-observed-values": ["paused"]}
            }}
        });
        let found: Vec<(String, String)> = collect(&document).into_iter().map(|o| (o.pointer, o.what)).collect();
        assert_eq!(
            found,
            [
                ("/components/schemas/Status".to_string(), "enum value `paused`".to_string()),
                ("/components/schemas/Thing/properties/colour".to_string(), "property".to_string()),
                ("/paths/~1a/get/responses/503".to_string(), "response".to_string()),
            ]
        );
    }
}
