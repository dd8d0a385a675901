//! A spec as the diff reads it: the raw JSON value, its operations, `$ref` lookups, and which
//! operations read or write each component schema.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::spec::HTTP_METHODS;

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Longest `$ref` chain followed before giving up (a loop of references is a spec bug, not a hang).
const MAX_REF_HOPS: usize = 16;

/// An operation's place in the spec: it is matched across versions by method and path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct OperationKey {
    pub path: String,
    pub method: String,
}

/// One operation of a spec.
pub struct Operation<'d> {
    pub key: OperationKey,
    pub id: Option<&'d str>,
    /// The operation object itself.
    pub node: &'d Value,
    /// The path item holding it (for path-level parameters).
    pub item: &'d Value,
}

impl Operation<'_> {
    /// How a reviewer recognises it: `POST /api/send-message (send_message)`.
    pub fn label(&self) -> String {
        let method = self.key.method.to_uppercase();
        match self.id {
            Some(id) => format!("{method} {} ({id})", self.key.path),
            None => format!("{method} {}", self.key.path),
        }
    }
}

/// Where a component schema is used: by the requests clients build, by the responses they decode.
#[derive(Debug, Default, Clone)]
pub struct SchemaUse {
    pub request: BTreeSet<OperationKey>,
    pub response: BTreeSet<OperationKey>,
}

pub struct Document {
    root: Value,
}

impl Document {
    /// Parses YAML (or JSON) text; the top level must be a mapping.
    pub fn parse(text: &str) -> Result<Self, String> {
        let root: Value = serde_yaml::from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
        if !root.is_object() {
            return Err("the top level is not a mapping".to_string());
        }
        Ok(Self { root })
    }

    /// Follows local `$ref`s until a node without one; `None` when a reference leads nowhere.
    pub fn resolve<'a>(&'a self, mut value: &'a Value) -> Option<&'a Value> {
        for _ in 0..MAX_REF_HOPS {
            match value.get("$ref").and_then(Value::as_str) {
                Some(reference) => value = self.root.pointer(reference.strip_prefix('#')?)?,
                None => return Some(value),
            }
        }
        None
    }

    /// A component schema by name.
    pub fn schema(&self, name: &str) -> Option<&Value> {
        self.root.get("components")?.get("schemas")?.get(name)
    }

    pub fn schemas(&self) -> BTreeMap<&str, &Value> {
        self.section("schemas")
    }

    pub fn security_schemes(&self) -> BTreeMap<&str, &Value> {
        self.section("securitySchemes")
    }

    fn section(&self, name: &str) -> BTreeMap<&str, &Value> {
        self.root
            .pointer(&format!("/components/{name}"))
            .and_then(Value::as_object)
            .map(|map| map.iter().map(|(key, value)| (key.as_str(), value)).collect())
            .unwrap_or_default()
    }

    /// The document-wide `security`, which operations without their own inherit.
    pub fn default_security(&self) -> Option<&Value> {
        self.root.get("security")
    }

    pub fn operations(&self) -> BTreeMap<OperationKey, Operation<'_>> {
        let mut operations = BTreeMap::new();
        let Some(paths) = self.root.get("paths").and_then(Value::as_object) else { return operations };
        for (path, item) in paths {
            let Some(item) = self.resolve(item) else { continue };
            for method in HTTP_METHODS {
                let Some(node) = item.get(method).filter(|node| node.is_object()) else { continue };
                let key = OperationKey { path: path.clone(), method: method.to_string() };
                let id = node.get("operationId").and_then(Value::as_str);
                operations.insert(key.clone(), Operation { key, id, node, item });
            }
        }
        operations
    }

    /// For each component schema, the operations that reach it (directly or through other
    /// schemas) from a parameter or request body, and from a response.
    pub fn schema_uses(&self) -> BTreeMap<String, SchemaUse> {
        let mut uses: BTreeMap<String, SchemaUse> = BTreeMap::new();
        for (key, operation) in self.operations() {
            let mut request = BTreeSet::new();
            let parameters = [operation.item.get("parameters"), operation.node.get("parameters")];
            for parameter in parameters.into_iter().flatten().filter_map(Value::as_array).flatten() {
                if let Some(parameter) = self.resolve(parameter) {
                    self.collect_refs(parameter, &mut request);
                }
            }
            if let Some(body) = operation.node.get("requestBody").and_then(|body| self.resolve(body)) {
                self.collect_refs(body, &mut request);
            }
            let mut response = BTreeSet::new();
            for reply in operation.node.get("responses").and_then(Value::as_object).into_iter().flat_map(|r| r.values())
            {
                if let Some(reply) = self.resolve(reply) {
                    self.collect_refs(reply, &mut response);
                }
            }
            for name in request {
                uses.entry(name).or_default().request.insert(key.clone());
            }
            for name in response {
                uses.entry(name).or_default().response.insert(key.clone());
            }
        }
        uses
    }

    /// Adds every component schema reachable from `value` to `names`.
    fn collect_refs(&self, value: &Value, names: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                if let Some(name) = map.get("$ref").and_then(Value::as_str).and_then(schema_ref_name)
                    && names.insert(name.clone())
                    && let Some(schema) = self.schema(&name)
                {
                    self.collect_refs(schema, names);
                }
                map.values().for_each(|child| self.collect_refs(child, names));
            }
            Value::Array(items) => items.iter().for_each(|child| self.collect_refs(child, names)),
            _ => {}
        }
    }
}

/// `#/components/schemas/Session` → `Session` (JSON pointer escapes undone).
pub fn schema_ref_name(reference: &str) -> Option<String> {
    let name = reference.strip_prefix(SCHEMA_PREFIX)?;
    Some(name.replace("~1", "/").replace("~0", "~"))
}
