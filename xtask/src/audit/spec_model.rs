//! The spec side of the audit: operations by method + path, their parameters, bodies,
//! responses and credentials, read from the OpenAPI document with `$ref`s resolved.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::Value;

use super::model::{Credential, Segment};
use super::schema::resolve;
use crate::spec::{HTTP_METHODS, pointer};

/// A loaded spec.
#[derive(Debug, Clone)]
pub struct SpecModel {
    pub file: PathBuf,
    pub document: Value,
    /// The path part of each server URL (`/api/v2`), as segments.
    base_paths: Vec<Vec<String>>,
    pub operations: Vec<SpecOperation>,
}

#[derive(Debug, Clone)]
pub struct SpecOperation {
    pub operation_id: String,
    /// Lower case, as in the document.
    pub method: String,
    pub template: String,
    segments: Vec<Segment>,
}

impl SpecOperation {
    pub fn pointer(&self) -> String {
        pointer(["paths", self.template.as_str(), self.method.as_str()])
    }
}

/// A parameter the spec declares.
#[derive(Debug, Clone)]
pub struct SpecParam {
    pub name: String,
    pub required: bool,
    pub pointer: String,
}

impl SpecModel {
    pub fn load(file: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let document: Value = serde_yaml::from_str(&text).with_context(|| format!("parsing {}", file.display()))?;
        Ok(Self::from_document(file, document))
    }

    pub fn from_document(file: &Path, document: Value) -> Self {
        let base_paths = document
            .get("servers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|server| server.get("url").and_then(Value::as_str))
            .map(|url| {
                let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
                after_scheme.split('/').skip(1).filter(|s| !s.is_empty()).map(str::to_string).collect()
            })
            .collect();
        let mut operations = Vec::new();
        for (template, item) in document.get("paths").and_then(Value::as_object).into_iter().flatten() {
            for method in HTTP_METHODS {
                let Some(operation) = item.get(method) else { continue };
                operations.push(SpecOperation {
                    operation_id: operation.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string(),
                    method: method.to_string(),
                    template: template.clone(),
                    segments: template
                        .trim_start_matches('/')
                        .split('/')
                        .filter(|s| !s.is_empty())
                        .map(super::model::segment)
                        .collect(),
                });
            }
        }
        Self { file: file.to_path_buf(), document, base_paths, operations }
    }

    /// The operation documented as `method` + `path` (the path may still carry a server's base path).
    pub fn find(&self, method: &str, path: &[Segment]) -> Option<&SpecOperation> {
        let method = method.to_ascii_lowercase();
        let candidates = std::iter::once(path).chain(self.base_paths.iter().filter_map(|base| {
            let prefix_fits = base.len() <= path.len()
                && base.iter().zip(path).all(|(b, p)| matches!(p, Segment::Literal(text) if text == b));
            prefix_fits.then(|| &path[base.len()..])
        }));
        candidates.into_iter().find_map(|relative| {
            self.operations.iter().find(|op| {
                op.method == method
                    && op.segments.len() == relative.len()
                    && op.segments.iter().zip(relative).all(|(mine, theirs)| match (mine, theirs) {
                        (Segment::Literal(a), Segment::Literal(b)) => a == b,
                        (Segment::Variable(_), Segment::Variable(_)) => true,
                        _ => false,
                    })
            })
        })
    }

    pub fn node(&self, operation: &SpecOperation) -> &Value {
        &self.document["paths"][&operation.template][&operation.method]
    }

    /// The `query` or `header` parameters of an operation (path-level ones included).
    pub fn parameters(&self, operation: &SpecOperation, location: &str) -> Vec<SpecParam> {
        let item = &self.document["paths"][&operation.template];
        let mut out: Vec<SpecParam> = Vec::new();
        for (owner, list) in
            [("", item.get("parameters")), (operation.method.as_str(), self.node(operation).get("parameters"))]
        {
            for (index, parameter) in list.and_then(Value::as_array).into_iter().flatten().enumerate() {
                let resolved = resolve(&self.document, parameter);
                if resolved.get("in").and_then(Value::as_str) != Some(location) {
                    continue;
                }
                let name = resolved.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
                let mut tokens = vec!["paths", operation.template.as_str()];
                if !owner.is_empty() {
                    tokens.push(owner);
                }
                let at = format!("{}/{index}", pointer(tokens.into_iter().chain(["parameters"])));
                let required = resolved.get("required").and_then(Value::as_bool).unwrap_or(false);
                out.retain(|p| p.name != name);
                out.push(SpecParam { name, required, pointer: at });
            }
        }
        out
    }

    /// Each accepted credential combination (`security: []` gives one empty combination).
    pub fn security(&self, operation: &SpecOperation) -> Vec<BTreeSet<Credential>> {
        let node = self.node(operation);
        let in_body = node.get("x-credential-in-body").and_then(Value::as_str);
        let requirements = node.get("security").or_else(|| self.document.get("security"));
        let alternatives: Vec<&Value> = requirements.and_then(Value::as_array).into_iter().flatten().collect();
        if alternatives.is_empty() {
            return vec![BTreeSet::new()];
        }
        alternatives
            .into_iter()
            .map(|requirement| {
                requirement
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(scheme, _)| {
                        let scheme = self.document.pointer(&pointer(["components", "securitySchemes", scheme]))?;
                        let name = scheme.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
                        Some(match (scheme["type"].as_str(), scheme["in"].as_str()) {
                            (Some("http"), _) => Credential::Bearer,
                            (Some("apiKey"), _) if in_body == Some(name.as_str()) => Credential::BodyField(name),
                            (Some("apiKey"), Some("query")) => Credential::Query(name),
                            _ => Credential::Header(name),
                        })
                    })
                    .collect()
            })
            .collect()
    }

    /// The request body's media type and schema.
    pub fn request_body(&self, operation: &SpecOperation) -> Option<(String, &Value)> {
        let body = resolve(&self.document, self.node(operation).get("requestBody")?);
        let (media_type, media) = body.get("content")?.as_object()?.iter().next()?;
        Some((media_type.clone(), media.get("schema").unwrap_or(&Value::Null)))
    }

    /// The first 2xx status the operation declares (the status of examples that name none).
    pub fn success_status(&self, operation: &SpecOperation) -> Option<u16> {
        self.node(operation)
            .get("responses")?
            .as_object()?
            .keys()
            .filter_map(|code| code.parse::<u16>().ok())
            .find(|code| (200..300).contains(code))
    }

    /// The response declared for `status`: the exact code, else its range (`4XX`), else `default`.
    pub fn response(&self, operation: &SpecOperation, status: u16) -> Option<(String, &Value)> {
        let responses = self.node(operation).get("responses")?.as_object()?;
        let range = format!("{}XX", status / 100);
        [status.to_string(), range.clone(), range.to_ascii_lowercase(), "default".into()].into_iter().find_map(|key| {
            let response = responses.get(&key)?;
            Some((key, resolve(&self.document, response)))
        })
    }

    /// Whether the success response is not JSON (a file's bytes).
    pub fn binary_success(&self, operation: &SpecOperation) -> bool {
        let Some(status) = self.success_status(operation) else { return false };
        self.response(operation, status).is_some_and(|(_, response)| {
            response
                .get("content")
                .and_then(Value::as_object)
                .is_some_and(|content| content.keys().any(|media_type| !media_type.contains("json")))
        })
    }

    /// The schema the webhook examples follow (`x-webhook-examples.*.schema`, one for all).
    pub fn webhook_schema(&self) -> Option<Value> {
        let examples = self.document.get("x-webhook-examples")?.as_object()?;
        let schemas: BTreeSet<&str> = examples.values().filter_map(|e| e.get("schema")?.as_str()).collect();
        match schemas.into_iter().collect::<Vec<_>>().as_slice() {
            [one] => Some(serde_json::json!({ "$ref": one })),
            _ => None,
        }
    }
}

/// The JSON schema of a response (or request) content, with the `$ref` name when it is one.
pub fn json_schema(content_holder: &Value) -> Option<(&str, &Value)> {
    let content = content_holder.get("content")?.as_object()?;
    let (_, media) = content.iter().find(|(media_type, _)| media_type.contains("json"))?;
    let schema = media.get("schema")?;
    let name = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next()).unwrap_or("");
    Some((name, schema))
}
