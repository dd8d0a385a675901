//! What the sandbox answers to one request: the checks the spec implies, in order
//! (route → credential → required parameters and body fields), then the documented example.

use bytes::Bytes;
use http::HeaderMap;
use serde_json::{Map, Value};

use super::routes::{BodyRule, CredentialPlacement, ErrorShape, Route, RouteTable};

/// A request as the sandbox sees it.
#[derive(Debug, Clone)]
pub struct SandboxRequest {
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// Request headers.
    pub headers: HeaderMap,
    /// Raw body.
    pub body: Bytes,
}

/// The sandbox's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxAnswer {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, when there is a body.
    pub content_type: Option<String>,
    /// Body bytes.
    pub body: Bytes,
}

/// What a failed check reports: the status, the message, and the request field at fault.
struct Refusal {
    status: u16,
    message: String,
    field: Option<String>,
}

impl Refusal {
    fn invalid(message: String, field: &str) -> Self {
        Self { status: 422, message, field: Some(field.to_string()) }
    }
}

/// Answers `request` from `table`.
pub fn answer(table: &RouteTable, request: &SandboxRequest) -> SandboxAnswer {
    let outcome = match table.find(&request.method, &request.path) {
        None => Err(Refusal {
            status: 404,
            message: format!("no operation serves {} {}", request.method, request.path),
            field: None,
        }),
        Some(route) => check(route, request).map(|()| route),
    };
    match outcome {
        Ok(route) => success(route),
        Err(refusal) => error_answer(&table.errors, refusal),
    }
}

fn check(route: &Route, request: &SandboxRequest) -> Result<(), Refusal> {
    let json_body = parse_json_body(route.body.as_ref(), &request.body);
    if !route.credentials.is_empty()
        && !route
            .credentials
            .iter()
            .any(|alternative| alternative.iter().all(|placement| present(placement, request, json_body.as_ref())))
    {
        let wanted: Vec<String> = route.credentials.iter().map(|alternative| describe(alternative)).collect();
        return Err(Refusal {
            status: 401,
            message: format!("missing credential: send {}", wanted.join(", or ")),
            field: None,
        });
    }
    for name in &route.required_query {
        if query_value(request, name).is_none_or(str::is_empty) {
            return Err(Refusal::invalid(format!("missing required query parameter `{name}`"), name));
        }
    }
    for name in &route.required_headers {
        if header_value(&request.headers, name).is_none_or(str::is_empty) {
            return Err(Refusal::invalid(format!("missing required header `{name}`"), name));
        }
    }
    match &route.body {
        Some(rule) if rule.content_type.starts_with("multipart/") => check_form(rule, request),
        Some(rule) => check_json(rule, json_body),
        None => Ok(()),
    }
}

/// The body as JSON when the route takes one; `None` when absent or not JSON.
fn parse_json_body(rule: Option<&BodyRule>, body: &[u8]) -> Option<Value> {
    let is_form = rule.is_some_and(|rule| rule.content_type.starts_with("multipart/"));
    if is_form || body.is_empty() { None } else { serde_json::from_slice(body).ok() }
}

fn check_json(rule: &BodyRule, body: Option<Value>) -> Result<(), Refusal> {
    let body = body.ok_or_else(|| Refusal {
        status: 422,
        message: "the request body is missing or is not JSON".into(),
        field: None,
    })?;
    for field in &rule.required_fields {
        if body.get(field).is_none_or(Value::is_null) {
            return Err(Refusal::invalid(format!("missing required body field `{field}`"), field));
        }
    }
    Ok(())
}

/// Multipart bodies are checked for their parts' names only; the sandbox keeps no files.
fn check_form(rule: &BodyRule, request: &SandboxRequest) -> Result<(), Refusal> {
    let is_form = header_value(&request.headers, "content-type").is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_form {
        return Err(Refusal {
            status: 422,
            message: "the request body is not multipart/form-data".into(),
            field: None,
        });
    }
    let body = String::from_utf8_lossy(&request.body);
    for field in &rule.required_fields {
        if !body.contains(&format!("name=\"{field}\"")) {
            return Err(Refusal::invalid(format!("missing required form part `{field}`"), field));
        }
    }
    Ok(())
}

fn present(placement: &CredentialPlacement, request: &SandboxRequest, body: Option<&Value>) -> bool {
    match placement {
        CredentialPlacement::Header { name, scheme: None } => {
            header_value(&request.headers, name).is_some_and(|v| !v.trim().is_empty())
        }
        CredentialPlacement::Header { name, scheme: Some(scheme) } => header_value(&request.headers, name)
            .and_then(|value| value.split_once(' '))
            .is_some_and(|(given, token)| given.eq_ignore_ascii_case(scheme) && !token.trim().is_empty()),
        CredentialPlacement::Query { name } => query_value(request, name).is_some_and(|v| !v.is_empty()),
        CredentialPlacement::Body { field } => {
            body.and_then(|b| b.get(field)).and_then(Value::as_str).is_some_and(|v| !v.is_empty())
        }
    }
}

/// Names the credential's placement, never a value.
fn describe(alternative: &[CredentialPlacement]) -> String {
    let parts: Vec<String> = alternative
        .iter()
        .map(|placement| match placement {
            CredentialPlacement::Header { name, scheme: Some(scheme) } => format!("the `{name}: {scheme} …` header"),
            CredentialPlacement::Header { name, scheme: None } => format!("the `{name}` header"),
            CredentialPlacement::Query { name } => format!("the `{name}` query parameter"),
            CredentialPlacement::Body { field } => format!("the `{field}` body field"),
        })
        .collect();
    parts.join(" and ")
}

fn query_value<'r>(request: &'r SandboxRequest, name: &str) -> Option<&'r str> {
    request.query.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
}

fn header_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn success(route: &Route) -> SandboxAnswer {
    let success = &route.success;
    let body = match (&success.content_type, &success.body) {
        (None, _) | (_, Value::Null) => Bytes::new(),
        (Some(media), Value::String(raw)) if !is_json(media) => Bytes::from(raw.clone().into_bytes()),
        (Some(_), example) => Bytes::from(example.to_string()),
    };
    SandboxAnswer { status: success.status, content_type: success.content_type.clone(), body }
}

fn error_answer(shape: &ErrorShape, refusal: Refusal) -> SandboxAnswer {
    let mut body: Map<String, Value> = shape.bodies.get(&refusal.status).cloned().unwrap_or_default();
    body.insert(shape.message_field.clone(), Value::String(refusal.message));
    if let (Some(details), Some(field)) = (&shape.details_field, refusal.field) {
        // The form of Wapio's documented validation error: `{"to": ["Required"]}`.
        body.insert(details.clone(), serde_json::json!({ field: ["Required"] }));
    }
    SandboxAnswer {
        status: refusal.status,
        content_type: Some("application/json".into()),
        body: Bytes::from(Value::Object(body).to_string()),
    }
}

fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.ends_with("+json")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::sandbox::routes::Success;

    fn table() -> RouteTable {
        RouteTable {
            provider: "test".into(),
            base_path: "/api".into(),
            errors: ErrorShape {
                schema: "Error".into(),
                message_field: "message".into(),
                details_field: Some("errors".into()),
                bodies: BTreeMap::from([(401, Map::from_iter([("ok".to_string(), Value::from(0))]))]),
            },
            routes: vec![Route {
                operation: "send".into(),
                method: "POST".into(),
                path: "/api/items/{id}".into(),
                credentials: vec![
                    vec![CredentialPlacement::Header { name: "Authorization".into(), scheme: Some("Bearer".into()) }],
                    vec![CredentialPlacement::Body { field: "token".into() }],
                ],
                required_query: vec!["mode".into()],
                required_headers: Vec::new(),
                body: Some(BodyRule { content_type: "application/json".into(), required_fields: vec!["to".into()] }),
                success: Success {
                    status: 202,
                    content_type: Some("application/json".into()),
                    body: serde_json::json!({"id": "1"}),
                },
            }],
        }
    }

    fn request(path: &str, query: &[(&str, &str)], auth: Option<&str>, body: &str) -> SandboxRequest {
        let mut headers = HeaderMap::new();
        if let Some(auth) = auth {
            headers.insert("authorization", auth.parse().unwrap());
        }
        SandboxRequest {
            method: "POST".into(),
            path: path.into(),
            query: query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            headers,
            body: Bytes::from(body.to_string()),
        }
    }

    fn json(answer: &SandboxAnswer) -> Value {
        serde_json::from_slice(&answer.body).unwrap()
    }

    #[test]
    fn valid_request_gets_the_example() {
        let answer = answer(&table(), &request("/api/items/7", &[("mode", "a")], Some("Bearer t"), r#"{"to":"x"}"#));
        assert_eq!((answer.status, json(&answer)), (202, serde_json::json!({"id": "1"})));
    }

    #[test]
    fn credential_in_the_body_is_an_alternative() {
        let answer = answer(&table(), &request("/api/items/7", &[("mode", "a")], None, r#"{"to":"x","token":"t"}"#));
        assert_eq!(answer.status, 202);
    }

    #[test]
    fn checks_run_in_order_and_name_what_is_missing() {
        let unauthorized = answer(&table(), &request("/api/items/7", &[], Some("Bearer "), "{}"));
        assert_eq!(unauthorized.status, 401);
        let body = json(&unauthorized);
        assert_eq!(body["ok"], 0);
        assert!(body["message"].as_str().unwrap().contains("`Authorization: Bearer …`"), "{body}");

        let no_query = answer(&table(), &request("/api/items/7", &[], Some("Bearer secret-value"), "{}"));
        assert_eq!(
            (no_query.status, json(&no_query)["errors"].clone()),
            (422, serde_json::json!({"mode": ["Required"]}))
        );
        assert!(!String::from_utf8_lossy(&no_query.body).contains("secret-value"));

        let no_field = answer(&table(), &request("/api/items/7", &[("mode", "a")], Some("Bearer t"), "{}"));
        assert_eq!(
            (no_field.status, json(&no_field)["errors"].clone()),
            (422, serde_json::json!({"to": ["Required"]}))
        );

        let not_json = answer(&table(), &request("/api/items/7", &[("mode", "a")], Some("Bearer t"), "to=x"));
        assert_eq!(not_json.status, 422);
    }

    #[test]
    fn unknown_route_is_404_in_the_error_shape() {
        let answer = answer(&table(), &request("/api/other", &[], Some("Bearer t"), ""));
        assert_eq!(answer.status, 404);
        assert!(json(&answer)["message"].as_str().unwrap().contains("/api/other"));
    }
}
