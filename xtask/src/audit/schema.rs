//! Reading JSON Schema nodes of a spec: `$ref`s, `allOf` (all apply), `oneOf`/`anyOf` (one
//! applies), `additionalProperties`. An object schema without `properties` accepts any member,
//! as its generated type is a map; one with `properties` and no `additionalProperties` keeps
//! only those (the generated struct drops others), so an unknown member is reported.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::spec::escape_token;

/// Follows `$ref`s (local, `#/…`) until a schema without one; an unresolvable one gives `null`.
pub fn resolve<'a>(document: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                schema = reference.strip_prefix('#').and_then(|p| document.pointer(p)).unwrap_or(&Value::Null)
            }
            None => return schema,
        }
    }
    &Value::Null
}

fn branches<'a>(schema: &'a Value, key: &str) -> &'a [Value] {
    schema.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// A schema that says nothing about the value (no type, properties, items or composition).
fn is_any(schema: &Value) -> bool {
    ["type", "properties", "items", "allOf", "oneOf", "anyOf", "enum"].iter().all(|key| schema.get(key).is_none())
}

/// Whether `path` (`a.b`, `list[].c`) names a field the schema has.
pub fn has_field(document: &Value, schema: &Value, path: &str) -> bool {
    let tokens: Vec<&str> = path_tokens(path);
    has_tokens(document, schema, &tokens)
}

fn path_tokens(path: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    for part in path.split('.') {
        let name = part.trim_end_matches("[]");
        if !name.is_empty() {
            tokens.push(name);
        }
        tokens.extend(std::iter::repeat_n("[]", (part.len() - name.len()) / 2));
    }
    tokens
}

fn has_tokens(document: &Value, schema: &Value, tokens: &[&str]) -> bool {
    let schema = resolve(document, schema);
    let Some((first, rest)) = tokens.split_first() else { return true };
    if ["allOf", "oneOf", "anyOf"]
        .iter()
        .any(|key| branches(schema, key).iter().any(|b| has_tokens(document, b, tokens)))
    {
        return true;
    }
    if is_any(schema) {
        return true;
    }
    if *first == "[]" {
        return schema.get("items").is_some_and(|items| has_tokens(document, items, rest));
    }
    if let Some(property) = schema.pointer(&format!("/properties/{}", escape_token(first))) {
        return has_tokens(document, property, rest);
    }
    match schema.get("additionalProperties") {
        Some(Value::Bool(open)) => *open,
        Some(additional) => has_tokens(document, additional, rest),
        None => schema.get("properties").is_none() && schema.get("type").and_then(Value::as_str) == Some("object"),
    }
}

/// The field paths an object schema declares, `[]` for array items (composition unioned).
pub fn field_paths(document: &Value, schema: &Value) -> BTreeSet<String> {
    fn walk(document: &Value, schema: &Value, prefix: &str, depth: usize, out: &mut BTreeSet<String>) {
        let schema = resolve(document, schema);
        if depth > 8 {
            return;
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            for branch in branches(schema, key) {
                walk(document, branch, prefix, depth + 1, out);
            }
        }
        if let Some(items) = schema.get("items") {
            walk(document, items, &format!("{prefix}[]"), depth + 1, out);
        }
        for (name, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
            out.insert(path.clone());
            walk(document, property, &path, depth + 1, out);
        }
    }
    let mut out = BTreeSet::new();
    walk(document, schema, "", 0, &mut out);
    out
}

/// What is wrong with one place of an example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issue {
    Type { pointer: String, expected: String, found: String },
    Enum { pointer: String, value: String },
    UnknownField { pointer: String },
}

impl Issue {
    pub fn pointer(&self) -> &str {
        match self {
            Issue::Type { pointer, .. } | Issue::Enum { pointer, .. } | Issue::UnknownField { pointer } => pointer,
        }
    }
}

/// Checks an example value against a schema. Placeholders (pointers) match anything.
pub fn check_example(document: &Value, schema: &Value, value: &Value, placeholders: &BTreeSet<String>) -> Vec<Issue> {
    let mut checker = ExampleChecker { document, placeholders, issues: Vec::new() };
    checker.check(schema, value, "", false);
    checker.issues
}

struct ExampleChecker<'a> {
    document: &'a Value,
    placeholders: &'a BTreeSet<String>,
    issues: Vec<Issue>,
}

impl ExampleChecker<'_> {
    /// `open`: unknown members are left to the caller (an `allOf` branch).
    fn check(&mut self, schema: &Value, value: &Value, pointer: &str, open: bool) {
        let schema = resolve(self.document, schema);
        if self.placeholders.contains(pointer) {
            return;
        }
        let all_of = branches(schema, "allOf");
        for branch in all_of {
            self.check(branch, value, pointer, true);
        }
        if !all_of.is_empty()
            && !open
            && let Value::Object(members) = value
        {
            let known = known_members(self.document, schema);
            for name in members.keys().filter(|name| known.as_ref().is_some_and(|k| !k.contains(*name))) {
                self.issues.push(Issue::UnknownField { pointer: format!("{pointer}/{}", escape_token(name)) });
            }
        }
        for key in ["oneOf", "anyOf"] {
            let variants = branches(schema, key);
            if variants.is_empty() {
                continue;
            }
            let outcomes = variants.iter().map(|variant| {
                let mut trial =
                    ExampleChecker { document: self.document, placeholders: self.placeholders, issues: Vec::new() };
                trial.check(variant, value, pointer, open);
                trial.issues
            });
            if let Some(best) = outcomes.min_by_key(Vec::len) {
                self.issues.extend(best);
            }
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !value.is_null()
            && !allowed.contains(value)
        {
            self.issues.push(Issue::Enum { pointer: pointer.to_string(), value: value.to_string() });
        }
        let declared = schema.get("type").and_then(Value::as_str);
        let expected = declared.or_else(|| {
            if schema.get("properties").is_some() {
                Some("object")
            } else if schema.get("items").is_some() {
                Some("array")
            } else {
                None
            }
        });
        let Some(expected) = expected else { return };
        let fits = match expected {
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => true,
        };
        let nullable = schema.get("nullable").and_then(Value::as_bool).unwrap_or(false);
        if value.is_null() && (nullable || pointer.is_empty()) {
            return;
        }
        if !fits {
            self.issues.push(Issue::Type {
                pointer: pointer.to_string(),
                expected: expected.to_string(),
                found: kind_of(value).to_string(),
            });
            return;
        }
        match value {
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (index, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &format!("{pointer}/{index}"), false);
                    }
                }
            }
            Value::Object(members) => self.check_members(schema, members, pointer, open || !all_of.is_empty()),
            _ => {}
        }
    }

    fn check_members(&mut self, schema: &Value, members: &serde_json::Map<String, Value>, pointer: &str, open: bool) {
        let properties = schema.get("properties").and_then(Value::as_object);
        let required: BTreeSet<&str> =
            schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        for (name, member) in members {
            let here = format!("{pointer}/{}", escape_token(name));
            match properties.and_then(|p| p.get(name)) {
                // An optional member may be null (the generated field is an `Option`).
                Some(_) if member.is_null() && !required.contains(name.as_str()) => {}
                Some(property) => self.check(property, member, &here, false),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(true)) => {}
                    Some(additional @ Value::Object(_)) => self.check(additional, member, &here, false),
                    _ if open || properties.is_none() => {}
                    _ => self.issues.push(Issue::UnknownField { pointer: here }),
                },
            }
        }
    }
}

/// Member names an `allOf` schema declares across its branches; `None` when any branch is open.
fn known_members(document: &Value, schema: &Value) -> Option<BTreeSet<String>> {
    let schema = resolve(document, schema);
    if schema.get("additionalProperties").is_some_and(|a| a != &Value::Bool(false)) {
        return None;
    }
    let mut known: BTreeSet<String> =
        schema.get("properties").and_then(Value::as_object).into_iter().flatten().map(|(k, _)| k.clone()).collect();
    let all_of = branches(schema, "allOf");
    if all_of.is_empty() && schema.get("properties").is_none() {
        return None;
    }
    for branch in all_of {
        known.extend(known_members(document, branch)?);
    }
    Some(known)
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The example with each placeholder at a number or boolean position replaced by `0` / `false`
/// (a placeholder's real value is unknown; this gives the generated type something to read).
pub fn conform_placeholders(document: &Value, schema: &Value, value: &Value, placeholders: &BTreeSet<String>) -> Value {
    let mut out = value.clone();
    for pointer in placeholders {
        let tokens: Vec<String> = pointer.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")).collect();
        let replacement = match type_at(document, schema, &tokens).as_deref() {
            Some("integer" | "number") => Value::from(0),
            Some("boolean") => Value::Bool(false),
            _ => continue,
        };
        if let Some(slot) = out.pointer_mut(pointer) {
            *slot = replacement;
        }
    }
    out
}

fn type_at(document: &Value, schema: &Value, tokens: &[String]) -> Option<String> {
    let schema = resolve(document, schema);
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(found) = branches(schema, key).iter().find_map(|b| type_at(document, b, tokens)) {
            return Some(found);
        }
    }
    let Some((first, rest)) = tokens.split_first() else {
        return schema.get("type").and_then(Value::as_str).map(str::to_string);
    };
    let next = if first.parse::<usize>().is_ok() && schema.get("items").is_some() {
        schema.get("items")
    } else {
        schema.pointer(&format!("/properties/{}", escape_token(first))).or_else(|| schema.get("additionalProperties"))
    }?;
    type_at(document, next, rest)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn document() -> Value {
        json!({"components": {"schemas": {
            "Base": {"type": "object", "properties": {"id": {"type": "integer"}}},
            "Thing": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {
                "kind": {"type": "string", "enum": ["a", "b"]},
                "tags": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
                "extra": {"type": "object", "additionalProperties": {"type": "boolean"}}
            }}]},
            "Either": {"oneOf": [
                {"type": "object", "required": ["x"], "properties": {"x": {"type": "string"}}},
                {"type": "object", "properties": {"y": {"type": "number"}}}
            ]}
        }}})
    }

    #[test]
    fn fields_are_found_through_refs_composition_and_arrays() {
        let doc = document();
        let thing = json!({"$ref": "#/components/schemas/Thing"});
        assert!(has_field(&doc, &thing, "id"));
        assert!(has_field(&doc, &thing, "tags[].name"));
        assert!(has_field(&doc, &thing, "extra.anything"));
        assert!(!has_field(&doc, &thing, "tags[].nope"));
        assert!(!has_field(&doc, &thing, "nope"));
        assert!(has_field(&doc, &json!({"$ref": "#/components/schemas/Either"}), "y"));
        assert_eq!(path_tokens("a[].b[][]"), ["a", "[]", "b", "[]", "[]"]);
    }

    #[test]
    fn examples_report_types_enums_and_unknown_members() {
        let doc = document();
        let thing = json!({"$ref": "#/components/schemas/Thing"});
        let example = json!({"id": "7", "kind": "c", "tags": [{"name": 1}], "extra": {"k": true}, "other": 1});
        let issues = check_example(&doc, &thing, &example, &BTreeSet::new());
        let pointers: Vec<&str> = issues.iter().map(Issue::pointer).collect();
        assert_eq!(pointers, ["/id", "/kind", "/tags/0/name", "/other"], "{issues:?}");
        let placeholders = ["/id".to_string()].into();
        assert_eq!(check_example(&doc, &thing, &json!({"id": "<ID>"}), &placeholders), []);
        assert_eq!(conform_placeholders(&doc, &thing, &json!({"id": "<ID>"}), &placeholders), json!({"id": 0}));
        let either = json!({"$ref": "#/components/schemas/Either"});
        assert_eq!(check_example(&doc, &either, &json!({"y": 2.5}), &BTreeSet::new()), []);
        assert_eq!(check_example(&doc, &either, &json!({"y": "s"}), &BTreeSet::new()).len(), 1);
    }
}
