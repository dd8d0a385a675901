//! Loading a spec and checking it against the rules in `specs/README.md`.
//!
//! Every problem is reported with the spec file and the JSON pointer of the offending node,
//! so a maintainer can jump straight to it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub const HTTP_METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// A problem in a spec, located by JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub spec: PathBuf,
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}: {}", self.spec.display(), self.pointer, self.message)
    }
}

impl std::error::Error for SpecError {}

/// Escapes one reference token of a JSON pointer (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Builds a JSON pointer from unescaped tokens.
pub fn pointer<I, S>(tokens: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    tokens.into_iter().map(|t| format!("/{}", escape_token(t.as_ref()))).collect()
}

/// One operation of a spec, as the checks and the generator see it.
#[derive(Debug, Clone)]
pub struct Operation {
    pub path: String,
    pub method: String,
    pub operation_id: String,
    /// Each alternative is a set of scheme names that must all be present.
    pub security: Vec<Vec<String>>,
    /// The request body is `multipart/form-data`: the client crate implements it by hand.
    pub multipart: bool,
}

impl Operation {
    pub fn pointer(&self) -> String {
        pointer(["paths", self.path.as_str(), self.method.as_str()])
    }
}

/// A spec that passed the checks.
#[derive(Debug, Clone)]
pub struct Spec {
    pub file: PathBuf,
    pub document: Value,
    pub operations: Vec<Operation>,
}

/// Reads a YAML spec into a JSON value.
pub fn load(file: &Path) -> Result<Value, SpecError> {
    let fail = |message: String| SpecError { spec: file.to_path_buf(), pointer: String::new(), message };
    let text = std::fs::read_to_string(file).map_err(|e| fail(format!("cannot read: {e}")))?;
    serde_yaml::from_str(&text).map_err(|e| fail(format!("not valid YAML: {e}")))
}

/// Loads and checks a spec; returns every rule violation found, not just the first.
pub fn check(file: &Path, document: Value) -> Result<Spec, Vec<SpecError>> {
    let mut checker = Checker { file, document: &document, errors: Vec::new() };
    let operations = checker.run();
    if checker.errors.is_empty() {
        Ok(Spec { file: file.to_path_buf(), document, operations })
    } else {
        Err(checker.errors)
    }
}

struct Checker<'a> {
    file: &'a Path,
    document: &'a Value,
    errors: Vec<SpecError>,
}

impl<'a> Checker<'a> {
    fn error(&mut self, pointer: String, message: impl Into<String>) {
        self.errors.push(SpecError { spec: self.file.to_path_buf(), pointer, message: message.into() });
    }

    /// Follows a local `$ref` (`#/components/...`) one level.
    fn resolve<'v>(&self, value: &'v Value) -> Option<&'v Value>
    where
        'a: 'v,
    {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => self.document.pointer(reference.strip_prefix('#')?),
            None => Some(value),
        }
    }

    fn run(&mut self) -> Vec<Operation> {
        let version = self.document.get("openapi").and_then(Value::as_str);
        if version != Some("3.0.3") {
            self.error("/openapi".into(), format!("expected `openapi: 3.0.3`, found {version:?}"));
        }
        let schemes: BTreeSet<String> = self
            .document
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();

        let mut operations = Vec::new();
        let mut seen_ids = BTreeMap::new();
        let Some(paths) = self.document.get("paths").and_then(Value::as_object) else {
            self.error("/paths".into(), "the spec has no `paths` object");
            return operations;
        };
        for (path, item) in paths {
            self.check_path_template(path);
            for method in HTTP_METHODS {
                let Some(op) = item.get(method) else { continue };
                let at = pointer(["paths", path.as_str(), method]);
                let Some(operation) = self.check_operation(path, method, item, op, &at, &schemes) else {
                    continue;
                };
                if let Some(previous) = seen_ids.insert(operation.operation_id.clone(), at.clone()) {
                    self.error(
                        format!("{at}/operationId"),
                        format!("operationId `{}` is also used at {previous}", operation.operation_id),
                    );
                }
                operations.push(operation);
            }
        }
        operations
    }

    fn check_path_template(&mut self, path: &str) {
        if path.split('/').any(|segment| segment.starts_with(':')) {
            self.error(pointer(["paths", path]), "`:param` path segments are not OpenAPI templates; write `{param}`");
        }
    }

    fn check_operation(
        &mut self,
        path: &str,
        method: &str,
        item: &Value,
        op: &Value,
        at: &str,
        schemes: &BTreeSet<String>,
    ) -> Option<Operation> {
        let operation_id = match op.get("operationId").and_then(Value::as_str) {
            Some(id) if is_snake_case(id) => id.to_string(),
            Some(id) => {
                self.error(format!("{at}/operationId"), format!("operationId `{id}` is not snake_case"));
                return None;
            }
            None => {
                self.error(at.to_string(), "operation has no operationId");
                return None;
            }
        };

        self.check_path_parameters(path, item, op, at);
        let multipart = self.check_request_body(op, at);
        self.check_responses(op, at);
        let security = self.check_security(op, at, schemes);

        Some(Operation { path: path.to_string(), method: method.to_string(), operation_id, security, multipart })
    }

    fn check_path_parameters(&mut self, path: &str, item: &Value, op: &Value, at: &str) {
        let declared: BTreeSet<String> = [item.get("parameters"), op.get("parameters")]
            .into_iter()
            .flatten()
            .filter_map(Value::as_array)
            .flatten()
            .filter_map(|p| self.resolve(p))
            .filter(|p| p.get("in").and_then(Value::as_str) == Some("path"))
            .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_string))
            .collect();
        for name in path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')) {
            if !declared.contains(name) {
                self.error(format!("{at}/parameters"), format!("path parameter `{name}` is not declared"));
            }
        }
    }

    /// Returns whether the body is multipart (generated by hand in the client crate).
    fn check_request_body(&mut self, op: &Value, at: &str) -> bool {
        let Some(body) = op.get("requestBody").and_then(|b| self.resolve(b)) else { return false };
        let Some(content) = body.get("content").and_then(Value::as_object) else {
            self.error(format!("{at}/requestBody"), "request body has no `content`");
            return false;
        };
        if content.len() != 1 {
            self.error(format!("{at}/requestBody/content"), "a request body must have exactly one media type");
            return false;
        }
        let (media_type, media) = content.iter().next().expect("one media type");
        if media_type == "multipart/form-data" {
            return true;
        }
        if is_json(media_type) && media.pointer("/schema/$ref").is_none() {
            self.error(
                pointer_join(at, ["requestBody", "content", media_type.as_str(), "schema"]),
                "a JSON request body schema must be a `$ref` to #/components/schemas",
            );
        }
        false
    }

    fn check_responses(&mut self, op: &Value, at: &str) {
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            self.error(format!("{at}/responses"), "operation has no responses");
            return;
        };
        for range in responses.keys().filter(|code| code.ends_with("XX")) {
            let class = &range[..1];
            if responses.keys().any(|code| code.starts_with(class) && !code.ends_with("XX")) {
                self.error(
                    pointer_join(at, ["responses", range.as_str()]),
                    "a range code beside explicit codes of the same class makes progenitor emit unreachable match arms",
                );
            }
        }
        // The body kinds of success and error responses: progenitor supports one of each.
        let mut success_kinds = BTreeMap::new();
        let mut error_kinds = BTreeMap::new();
        for (code, response) in responses {
            let here = pointer_join(at, ["responses", code.as_str()]);
            let Some(response) = self.resolve(response) else {
                self.error(here, "unresolvable `$ref`");
                continue;
            };
            let kind = match response.get("content").and_then(Value::as_object) {
                None => "no body".to_string(),
                Some(content) if content.is_empty() => "no body".to_string(),
                Some(content) if content.len() > 1 => {
                    self.error(format!("{here}/content"), "a response must have at most one media type");
                    continue;
                }
                Some(content) => {
                    let (media_type, media) = content.iter().next().expect("one media type");
                    match media.pointer("/schema/$ref").and_then(Value::as_str) {
                        Some(reference) => reference.to_string(),
                        None if is_json(media_type) => {
                            self.error(
                                pointer_join(&here, ["content", media_type.as_str(), "schema"]),
                                "a JSON response schema must be a `$ref` to #/components/schemas \
                                 (progenitor gives inline success and error schemas one name)",
                            );
                            continue;
                        }
                        None => format!("{media_type} bytes"),
                    }
                }
            };
            let target = if code.starts_with('2') { &mut success_kinds } else { &mut error_kinds };
            target.entry(kind).or_insert(here);
        }
        for (kinds, what) in [(success_kinds, "success"), (error_kinds, "error")] {
            if kinds.len() > 1 {
                let listed: Vec<String> = kinds.iter().map(|(kind, at)| format!("{kind} at {at}")).collect();
                self.error(
                    format!("{at}/responses"),
                    format!("{what} responses must share one body schema, found: {}", listed.join("; ")),
                );
            }
        }
    }

    fn check_security(&mut self, op: &Value, at: &str, schemes: &BTreeSet<String>) -> Vec<Vec<String>> {
        let Some(requirements) = op.get("security").and_then(Value::as_array) else {
            self.error(at.to_string(), "operation has no explicit `security` (use `security: []` if public)");
            return Vec::new();
        };
        let mut alternatives = Vec::new();
        for (index, requirement) in requirements.iter().enumerate() {
            let names: Vec<String> = requirement.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
            for name in &names {
                if !schemes.contains(name) {
                    self.error(
                        format!("{at}/security/{index}"),
                        format!("security scheme `{name}` is not in components.securitySchemes"),
                    );
                }
            }
            alternatives.push(names);
        }
        alternatives
    }
}

fn pointer_join<'s>(base: &str, tokens: impl IntoIterator<Item = &'s str>) -> String {
    format!("{base}{}", pointer(tokens))
}

fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.ends_with("+json")
}

fn is_snake_case(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !id.contains("__")
        && !id.ends_with('_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors(document: Value) -> Vec<String> {
        match check(Path::new("specs/t.yaml"), document) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    fn minimal(operation: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a/{id}": {"get": operation}},
            "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}}
        })
    }

    #[test]
    fn valid_operation_passes() {
        let op = json!({
            "operationId": "get_a",
            "security": [{"token": []}],
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok"}}
        });
        assert_eq!(errors(minimal(op)), Vec::<String>::new());
    }

    #[test]
    fn inline_response_schema_is_located_by_pointer() {
        let op = json!({
            "operationId": "get_a",
            "security": [],
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
        });
        let errors = errors(minimal(op));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("specs/t.yaml#/paths/~1a~1{id}/get/responses/200/content/application~1json/schema: "),
            "{errors:?}"
        );
    }

    #[test]
    fn missing_security_undeclared_param_and_bad_id_are_all_reported() {
        let op = json!({"operationId": "getA", "responses": {}});
        let bad_id = errors(minimal(op));
        assert_eq!(bad_id.len(), 1, "a bad operationId stops the operation's checks: {bad_id:?}");
        let op = json!({"operationId": "get_a", "responses": {"200": {"description": "ok"}}});
        let found = errors(minimal(op));
        assert!(found.iter().any(|e| e.contains("path parameter `id` is not declared")), "{found:?}");
        assert!(found.iter().any(|e| e.contains("no explicit `security`")), "{found:?}");
    }

    #[test]
    fn two_success_schemas_are_rejected() {
        let op = json!({
            "operationId": "get_a",
            "security": [],
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "a", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}},
                "201": {"description": "b", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/B"}}}}
            }
        });
        let errors = errors(minimal(op));
        assert!(errors.iter().any(|e| e.contains("success responses must share one body schema")), "{errors:?}");
    }

    #[test]
    fn range_code_beside_explicit_codes_is_rejected() {
        let error = json!({"description": "e", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/E"}}}});
        let found = errors(minimal(json!({
            "operationId": "get_x",
            "security": [],
            "responses": {"200": {"description": "ok"}, "404": error.clone(), "4XX": error}
        })));
        assert!(found.iter().any(|e| e.contains("/responses/4XX: a range code")), "{found:?}");
    }

    #[test]
    fn colon_paths_are_rejected() {
        let mut document = minimal(json!({}));
        document["paths"] = json!({"/a/:id": {}});
        assert!(errors(document)[0].contains("`:param`"));
    }
}
