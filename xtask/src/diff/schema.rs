//! Comparing two versions of one schema: its type, enum values, fields and variants, recursively.
//!
//! A `$ref` to the same component on both sides stops the walk: each component is compared once,
//! on its own, and its changes list every operation that uses it.

use std::borrow::Cow;
use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::document::{Document, schema_ref_name};
use super::report::{Change, ChangeKind, Severity};
use crate::spec::escape_token;

/// Deepest `allOf` nesting merged before giving up (a loop of references is a spec bug, not a hang).
const MAX_ALL_OF_DEPTH: usize = 16;

/// Which way a schema's data travels. Severity is judged as Rust callers see it (every type has
/// a builder and is `#[non_exhaustive]`, so only added requirements, removals and type changes
/// break code); the flow only adds what the change means on the wire to a change's detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    pub request: bool,
    pub response: bool,
}

impl Flow {
    pub const REQUEST: Flow = Flow { request: true, response: false };
    pub const RESPONSE: Flow = Flow { request: false, response: true };
    /// For schemas no operation uses: they are still public Rust types.
    pub const BOTH: Flow = Flow { request: true, response: true };
}

/// Compares schemas of one context (a component, a parameter, a body) and records the changes.
pub struct SchemaDiff<'a> {
    pub old: &'a Document,
    pub new: &'a Document,
    pub flow: Flow,
    /// Labels of the operations the compared schema belongs to.
    pub operations: Vec<String>,
    pub changes: &'a mut Vec<Change>,
}

impl SchemaDiff<'_> {
    /// Compares `old` with `new`; `path` names the schema in the report (`SessionList.data[]`).
    pub fn compare(&mut self, old: &Value, new: &Value, path: &str) {
        let (old_ref, new_ref) = (ref_label(old), ref_label(new));
        if old_ref.is_some() || new_ref.is_some() {
            if old_ref != new_ref {
                self.type_changed(path, &shape(old), &shape(new));
            }
            return;
        }
        let old = flatten(self.old, old, 0);
        let new = flatten(self.new, new, 0);
        let (from, to) = (shape(&old), shape(&new));
        if from != to {
            self.type_changed(path, &from, &to);
            return;
        }
        self.compare_nullable(&old, &new, path);
        self.compare_enum(&old, &new, path);
        if let (Some(old_items), Some(new_items)) = (old.get("items"), new.get("items")) {
            self.compare(old_items, new_items, &format!("{path}[]"));
        }
        for keyword in ["oneOf", "anyOf"] {
            self.compare_variants(&old, &new, keyword, path);
        }
        self.compare_properties(&old, &new, path);
        if let (Some(old_values @ Value::Object(_)), Some(new_values @ Value::Object(_))) =
            (old.get("additionalProperties"), new.get("additionalProperties"))
        {
            self.compare(old_values, new_values, &format!("{path}{{}}"));
        }
    }

    fn push(&mut self, severity: Severity, kind: ChangeKind, target: &str, detail: String) {
        self.changes.push(Change {
            severity,
            kind,
            target: target.to_string(),
            detail,
            operations: self.operations.clone(),
        });
    }

    fn type_changed(&mut self, path: &str, from: &str, to: &str) {
        self.push(Severity::Breaking, ChangeKind::TypeChanged, path, format!("{from} → {to}"));
    }

    fn compare_nullable(&mut self, old: &Value, new: &Value, path: &str) {
        let nullable = |schema: &Value| schema.get("nullable").and_then(Value::as_bool).unwrap_or(false);
        match (nullable(old), nullable(new)) {
            // A required field's Rust type changes between `T` and `Option<T>`.
            (false, true) => self.push(Severity::Breaking, ChangeKind::NullableAdded, path, String::new()),
            (true, false) => self.push(Severity::Breaking, ChangeKind::NullableRemoved, path, String::new()),
            _ => {}
        }
    }

    /// Added values are harmless: the generated enums keep unknown values. Removed ones break,
    /// and so does a value added to an enum of one: the builders filled that one value in, and a
    /// required member of the type becomes a setter callers must call.
    fn compare_enum(&mut self, old: &Value, new: &Value, path: &str) {
        let values = |schema: &Value| -> Vec<String> {
            schema.get("enum").and_then(Value::as_array).map(|v| v.iter().map(enum_value).collect()).unwrap_or_default()
        };
        let (old_values, new_values) = (values(old), values(new));
        for value in old_values.iter().filter(|value| !new_values.contains(value)) {
            self.push(Severity::Breaking, ChangeKind::EnumValueRemoved, path, format!("`{value}`"));
        }
        let filled_in = old_values.len() == 1;
        for value in new_values.iter().filter(|value| !old_values.contains(value)) {
            if filled_in {
                let detail = format!("`{value}`; the enum had one value, which builders filled in");
                self.push(Severity::Breaking, ChangeKind::EnumValueAdded, path, detail);
            } else {
                self.push(Severity::NonBreaking, ChangeKind::EnumValueAdded, path, format!("`{value}`"));
            }
        }
    }

    fn compare_properties(&mut self, old: &Value, new: &Value, path: &str) {
        let empty = Map::new();
        let old_fields = old.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let new_fields = new.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let (old_required, new_required) = (required(old), required(new));
        for (name, old_field) in old_fields {
            let at = format!("{path}.{name}");
            let Some(new_field) = new_fields.get(name) else {
                self.push(Severity::Breaking, ChangeKind::FieldRemoved, &at, String::new());
                continue;
            };
            match (old_required.contains(name.as_str()), new_required.contains(name.as_str())) {
                (false, true) => {
                    let detail = "its Rust type changes from `Option<T>` to `T`, and its builder needs it";
                    self.push(Severity::Breaking, ChangeKind::FieldRequired, &at, detail.to_string());
                }
                (true, false) => {
                    // The field's Rust type becomes `Option<T>`: code that reads it breaks. Its
                    // builder setter still takes a `T`, so code that only builds a request
                    // still compiles.
                    let (severity, detail) = if self.flow.response {
                        (
                            Severity::Breaking,
                            "responses may leave it out; its Rust type changes from `T` to `Option<T>`",
                        )
                    } else {
                        (Severity::NonBreaking, "its builder still takes a `T`; reading it gives `Option<T>`")
                    };
                    self.push(severity, ChangeKind::FieldOptional, &at, detail.to_string());
                }
                _ => {}
            }
            self.compare(old_field, new_field, &at);
        }
        for name in new_fields.keys().filter(|name| !old_fields.contains_key(*name)) {
            let at = format!("{path}.{name}");
            if new_required.contains(name.as_str()) {
                // Code that builds the type (a request, or a response in a service's tests)
                // does not compile until it sets the field.
                self.push(Severity::Breaking, ChangeKind::FieldAdded, &at, "required".into());
            } else {
                self.push(Severity::NonBreaking, ChangeKind::FieldAdded, &at, "optional".into());
            }
        }
    }

    /// Variants are matched by title, discriminator value or `$ref`, falling back to position.
    /// Unlike string enums, a variant clients do not know cannot be decoded.
    fn compare_variants(&mut self, old: &Value, new: &Value, keyword: &str, path: &str) {
        let old_discriminator = old.pointer("/discriminator/propertyName").and_then(Value::as_str);
        let new_discriminator = new.pointer("/discriminator/propertyName").and_then(Value::as_str);
        if old_discriminator != new_discriminator {
            let shown = |name: Option<&str>| name.map_or("none".to_string(), |name| format!("`{name}`"));
            let detail = format!("discriminator {} → {}", shown(old_discriminator), shown(new_discriminator));
            self.push(Severity::Breaking, ChangeKind::TypeChanged, path, detail);
        }
        let old_variants = variants(self.old, old, keyword);
        let new_variants = variants(self.new, new, keyword);
        for (name, old_variant) in &old_variants {
            let at = format!("{path}.{keyword}[{name}]");
            match new_variants.iter().find(|(key, _)| key == name) {
                Some((_, new_variant)) => self.compare(old_variant, new_variant, &at),
                None => self.push(Severity::Breaking, ChangeKind::VariantRemoved, &at, String::new()),
            }
        }
        for (name, _) in new_variants.iter().filter(|(name, _)| !old_variants.iter().any(|(key, _)| key == name)) {
            let at = format!("{path}.{keyword}[{name}]");
            // The enum is `#[non_exhaustive]`: code compiles; clients before this version
            // cannot decode the new variant in a response.
            let detail = if self.flow.response { "clients before this version cannot decode it" } else { "" };
            self.push(Severity::NonBreaking, ChangeKind::VariantAdded, &at, detail.to_string());
        }
    }
}

/// The name a `$ref` points at: the component name, or the reference itself if not a component.
fn ref_label(schema: &Value) -> Option<String> {
    let reference = schema.get("$ref")?.as_str()?;
    Some(schema_ref_name(reference).unwrap_or_else(|| reference.to_string()))
}

/// What Rust type a schema becomes, coarsely: a difference here is a type change.
fn shape(schema: &Value) -> String {
    if let Some(name) = ref_label(schema) {
        return name;
    }
    for (keyword, shown) in [("oneOf", "one of"), ("anyOf", "any of"), ("allOf", "all of")] {
        if schema.get(keyword).is_some() {
            return shown.to_string();
        }
    }
    let has = |keyword: &str| schema.get(keyword).is_some();
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => "array".to_string(),
        Some("object") | None if has("properties") || has("additionalProperties") => {
            let map_values = matches!(schema.get("additionalProperties"), Some(Value::Object(_) | Value::Bool(true)));
            if map_values && !has("properties") { "map".to_string() } else { "object".to_string() }
        }
        Some("object") => "object".to_string(),
        None => "any".to_string(),
        Some(scalar) => {
            let mut shown = scalar.to_string();
            if let Some(format) = schema.get("format").and_then(Value::as_str) {
                shown = format!("{shown} ({format})");
            }
            if has("enum") {
                shown.push_str(" enum");
            }
            shown
        }
    }
}

/// Merges an `allOf` of objects into one object, so that splitting a schema into parts (or
/// joining them) is judged by the fields that result.
fn flatten<'v>(document: &'v Document, schema: &'v Value, depth: usize) -> Cow<'v, Value> {
    let Some(members) = schema.get("allOf").and_then(Value::as_array) else { return Cow::Borrowed(schema) };
    if depth >= MAX_ALL_OF_DEPTH {
        return Cow::Borrowed(schema);
    }
    let mut merged = schema.as_object().cloned().unwrap_or_default();
    merged.remove("allOf");
    let mut properties = Map::new();
    let mut required_fields = BTreeSet::new();
    for member in members {
        let Some(member) = document.resolve(member) else { return Cow::Borrowed(schema) };
        let member = flatten(document, member, depth + 1);
        if member.get("allOf").is_some() || !matches!(shape(&member).as_str(), "object" | "any") {
            return Cow::Borrowed(schema);
        }
        if let Some(fields) = member.get("properties").and_then(Value::as_object) {
            properties.extend(fields.clone());
        }
        required_fields.extend(required(&member).into_iter().map(str::to_string));
    }
    merged.insert("type".into(), "object".into());
    merged.insert("properties".into(), Value::Object(properties));
    merged.insert("required".into(), required_fields.into_iter().map(Value::String).collect());
    Cow::Owned(Value::Object(merged))
}

fn required(schema: &Value) -> BTreeSet<&str> {
    schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect()
}

/// The variants of a `oneOf`/`anyOf`, each with the name it is matched by.
fn variants<'v>(document: &'v Document, schema: &'v Value, keyword: &str) -> Vec<(String, &'v Value)> {
    let discriminator = schema.pointer("/discriminator/propertyName").and_then(Value::as_str);
    let members = schema.get(keyword).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    members
        .iter()
        .enumerate()
        .map(|(index, member)| {
            let resolved = document.resolve(member).unwrap_or(member);
            let title = resolved.get("title").and_then(Value::as_str).map(str::to_string);
            let tag = discriminator
                .and_then(|property| resolved.pointer(&format!("/properties/{}/enum/0", escape_token(property))))
                .map(enum_value);
            let name = title.or(tag).or_else(|| ref_label(member)).unwrap_or_else(|| format!("#{index}"));
            (name, member)
        })
        .collect()
}

fn enum_value(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
