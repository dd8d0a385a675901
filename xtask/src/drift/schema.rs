//! Walking a spec's schemas along a JSON pointer into a body: `$ref` followed, `allOf`,
//! `oneOf` and `anyOf` opened into their parts, `items` taken for array indexes and
//! `additionalProperties` for members a map does not name.
//!
//! A walk may end at several schemas (the branches a member fits); callers pick among them.

use std::sync::LazyLock;

use serde_json::Value;

use super::pointer;

/// The schema below `additionalProperties: true`: anything.
static ANYTHING: LazyLock<Value> = LazyLock::new(|| Value::Object(serde_json::Map::new()));

/// The keywords that constrain a value; a schema with none of them admits anything.
const CONSTRAINTS: [&str; 10] =
    ["type", "properties", "items", "enum", "additionalProperties", "allOf", "oneOf", "anyOf", "not", "$ref"];

/// How many `$ref` hops or nested compositions are followed before giving up (a cycle).
const MAX_DEPTH: usize = 32;

/// A schema in the spec: where it is and its value.
#[derive(Debug, Clone, Copy)]
pub struct Node<'p, 'a> {
    pub pointer: &'p str,
    pub value: &'a Value,
}

/// A concrete schema (no `$ref`, no composition at the top) reached from a walk.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative<'a> {
    pub pointer: String,
    pub value: &'a Value,
    /// One part of an `allOf` (its members belong to one object with the other parts).
    pub all_of_part: bool,
    /// Reached through a `$ref`: a named component, which other schemas may share.
    pub referenced: bool,
}

impl<'a> Alternative<'a> {
    pub fn component_name(&self) -> Option<&str> {
        self.pointer.strip_prefix("/components/schemas/").filter(|name| !name.contains('/'))
    }

    pub fn properties(&self) -> Option<&'a serde_json::Map<String, Value>> {
        self.value.get("properties").and_then(Value::as_object)
    }

    pub fn declares(&self, member: &str) -> bool {
        self.properties().is_some_and(|p| p.contains_key(member))
    }

    /// `additionalProperties` admits any member name (`true`, `{}` or a schema).
    pub fn allows_any_member(&self) -> bool {
        match self.value.get("additionalProperties") {
            Some(Value::Bool(allowed)) => *allowed,
            Some(Value::Object(_)) => true,
            _ => false,
        }
    }

    /// No constraint at all (`{}`, or only a description): any value, any member fits.
    pub fn is_free_form(&self) -> bool {
        self.value.as_object().is_some_and(|schema| !CONSTRAINTS.iter().any(|k| schema.contains_key(*k)))
    }

    pub fn is_object(&self) -> bool {
        self.value.get("type").and_then(Value::as_str) == Some("object") || self.value.get("properties").is_some()
    }

    pub fn enum_values(&self) -> Option<&'a Vec<Value>> {
        self.value.get("enum").and_then(Value::as_array)
    }
}

/// The walker over one spec document.
#[derive(Debug, Clone, Copy)]
pub struct Schemas<'a> {
    pub document: &'a Value,
}

impl<'a> Schemas<'a> {
    /// Follows `$ref`s from `(pointer, value)` to a schema that is not one.
    fn dereference(&self, mut pointer: String, mut value: &'a Value) -> Result<(String, &'a Value, bool), String> {
        let mut referenced = false;
        for _ in 0..MAX_DEPTH {
            let Some(reference) = value.get("$ref") else { return Ok((pointer, value, referenced)) };
            let Some(target) = reference.as_str().and_then(|r| r.strip_prefix('#')) else {
                return Err(format!("{pointer}: only local `$ref`s (`#/…`) are followed, found {reference}"));
            };
            value =
                self.document.pointer(target).ok_or_else(|| format!("{pointer}: `$ref` {target} does not exist"))?;
            pointer = target.to_string();
            referenced = true;
        }
        Err(format!("{pointer}: `$ref` chain longer than {MAX_DEPTH} (a cycle?)"))
    }

    /// The concrete schemas `node` stands for.
    pub fn alternatives(&self, node: Node<'_, 'a>) -> Result<Vec<Alternative<'a>>, String> {
        let mut out = Vec::new();
        self.collect(node.pointer.to_string(), node.value, false, 0, &mut out)?;
        Ok(out)
    }

    fn collect(
        &self,
        pointer: String,
        value: &'a Value,
        all_of_part: bool,
        depth: usize,
        out: &mut Vec<Alternative<'a>>,
    ) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("{pointer}: compositions nested deeper than {MAX_DEPTH} (a cycle?)"));
        }
        let (pointer, value, referenced) = self.dereference(pointer, value)?;
        let mut composed = false;
        for keyword in ["allOf", "oneOf", "anyOf"] {
            let Some(parts) = value.get(keyword).and_then(Value::as_array) else { continue };
            composed = true;
            for (index, part) in parts.iter().enumerate() {
                let at = pointer::join(&pointer, [keyword, &index.to_string()]);
                self.collect(at, part, keyword == "allOf" || all_of_part, depth + 1, out)?;
            }
        }
        // A composed schema counts itself only when it has a shape of its own beside its parts
        // (members next to an `allOf` belong to the same object as the parts).
        let own_shape = ["properties", "items", "enum", "additionalProperties"].iter().any(|k| value.get(k).is_some());
        if !composed || own_shape {
            let all_of_part = all_of_part || value.get("allOf").is_some();
            let alternative = Alternative { pointer, value, all_of_part, referenced };
            if !out.contains(&alternative) {
                out.push(alternative);
            }
        }
        Ok(())
    }

    /// The schemas of `token` (a member name or an array index) inside `alternatives`.
    fn step(alternatives: &[Alternative<'a>], token: &str) -> Vec<(String, &'a Value)> {
        let mut next = Vec::new();
        for alternative in alternatives {
            let value = alternative.value;
            let child = if let Some(schema) = alternative.properties().and_then(|p| p.get(token)) {
                Some((pointer::join(&alternative.pointer, ["properties", token]), schema))
            } else if let (true, Some(items)) = (pointer::is_index(token), value.get("items")) {
                Some((pointer::join(&alternative.pointer, ["items"]), items))
            } else if let Some(map @ Value::Object(_)) = value.get("additionalProperties") {
                Some((pointer::join(&alternative.pointer, ["additionalProperties"]), map))
            } else if value.get("additionalProperties") == Some(&Value::Bool(true)) {
                Some((pointer::join(&alternative.pointer, ["additionalProperties"]), &*ANYTHING))
            } else if alternative.is_free_form() {
                // Below a schema that admits anything, everything is admitted.
                Some((alternative.pointer.clone(), alternative.value))
            } else {
                None
            };
            if let Some(child) = child
                && !next.iter().any(|(p, _)| *p == child.0)
            {
                next.push(child);
            }
        }
        next
    }

    /// The concrete schemas at `tokens` below `start`. `Err` names the first token no schema
    /// declares.
    pub fn walk(&self, start: Node<'_, 'a>, tokens: &[String]) -> Result<Vec<Alternative<'a>>, String> {
        let mut current = self.alternatives(start)?;
        for (depth, token) in tokens.iter().enumerate() {
            let next = Self::step(&current, token);
            if next.is_empty() {
                let at = crate::spec::pointer(&tokens[..depth]);
                let at = if at.is_empty() { "the body".to_string() } else { format!("`{at}`") };
                let schemas: Vec<&str> = current.iter().map(|a| a.pointer.as_str()).collect();
                return Err(format!(
                    "`{token}` in {at} does not resolve to a schema (looked in {})",
                    if schemas.is_empty() { "nothing".to_string() } else { schemas.join(", ") }
                ));
            }
            let mut alternatives = Vec::new();
            for (pointer, value) in next {
                for alternative in self.alternatives(Node { pointer: &pointer, value })? {
                    if !alternatives.contains(&alternative) {
                        alternatives.push(alternative);
                    }
                }
            }
            current = alternatives;
        }
        Ok(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(alternatives: &[Alternative<'_>]) -> Vec<String> {
        alternatives.iter().map(|a| a.pointer.clone()).collect()
    }

    #[test]
    fn refs_items_compositions_and_maps_are_followed() {
        let document = json!({"components": {"schemas": {
            "List": {"type": "object", "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}}},
            "Item": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {"extra": {"type": "string"}}}]},
            "Base": {"type": "object", "properties": {"kind": {"$ref": "#/components/schemas/Kind"}, "tags": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Kind"}}}},
            "Kind": {"type": "string", "enum": ["a", "b"]},
            "Loop": {"$ref": "#/components/schemas/Loop"}
        }}});
        let schemas = Schemas { document: &document };
        let list = Node { pointer: "/components/schemas/List", value: &document["components"]["schemas"]["List"] };
        let walk = |path: &[&str]| schemas.walk(list, &path.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(names(&walk(&["data", "3", "kind"]).unwrap()), ["/components/schemas/Kind"]);
        assert_eq!(names(&walk(&["data", "0", "tags", "any"]).unwrap()), ["/components/schemas/Kind"]);
        let item = walk(&["data", "0"]).unwrap();
        assert_eq!(names(&item), ["/components/schemas/Base", "/components/schemas/Item/allOf/1"]);
        assert!(item.iter().all(|a| a.all_of_part));
        assert!(walk(&["data", "0", "missing"]).unwrap_err().starts_with("`missing` in `/data/0` does not resolve"));
        let looping = Node { pointer: "/components/schemas/Loop", value: &document["components"]["schemas"]["Loop"] };
        assert!(schemas.walk(looping, &[]).unwrap_err().contains("cycle"));
    }
}
