//! A small, provider-neutral reader for Postman collections (v2.0 and v2.1), and a matcher that
//! maps a concrete request (method + path) to the `operationId` of an OpenAPI document.
//!
//! What the reader gives per request item:
//! - its folder path and name;
//! - the method (upper case) and the path segments relative to the host, with variables replaced:
//!   `{{name}}` becomes [`test_value`]`("name")` = `test-name` (deterministic, never the
//!   collection's own value, so tests do not depend on someone's environment), and a `:name`
//!   path variable takes its `url.variable` value when that is non-empty, else `test-name`;
//! - the enabled query parameters with a non-empty value, `{{…}}` replaced the same way;
//! - the enabled headers (key, value), `{{…}}` replaced the same way;
//! - the body: a `raw` body that parses as JSON is kept as parsed JSON, verbatim (a `{{…}}`
//!   inside a JSON string stays as written, like the spec examples keep it); anything else is kept
//!   as raw text or as the Postman body object;
//! - the saved response examples: name, status code, headers and body (raw text, plus the parsed
//!   JSON when the text is non-empty JSON).
//!
//! URL forms: a v2.1 url object (`path` as an array of strings or `{value}` objects, or a string;
//! `query`; `variable`), or a raw url string (v2.0 and v2.1 both allow it; a documenter export may
//! also carry a `urlObject`, ignored here because its `host` can swallow path segments). A raw
//! string is split into host, path and query after its `scheme://`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

/// The value a Postman variable `name` takes in tests: `test-name`.
pub fn test_value(name: &str) -> String {
    format!("test-{name}")
}

/// `text` with every `{{name}}` replaced by [`test_value`]`(name)`. An unclosed `{{` is kept.
pub fn substitute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else { break };
        out.push_str(&rest[..start]);
        out.push_str(&test_value(rest[start + 2..start + 2 + len].trim()));
        rest = &rest[start + 2 + len + 2..];
    }
    out.push_str(rest);
    out
}

/// One request of a collection, with its saved response examples.
#[derive(Debug, Clone)]
pub struct PostmanItem {
    /// The names of the folders holding the item, outermost first.
    pub folder: Vec<String>,
    /// The item's name.
    pub name: String,
    /// The request, variables replaced.
    pub request: PostmanRequest,
    /// The saved response examples, in collection order.
    pub responses: Vec<PostmanResponse>,
}

impl PostmanItem {
    /// `Folder / Sub-folder / Name`, for messages.
    pub fn label(&self) -> String {
        self.folder.iter().chain(std::iter::once(&self.name)).cloned().collect::<Vec<_>>().join(" / ")
    }
}

/// A request as the collection describes it.
#[derive(Debug, Clone)]
pub struct PostmanRequest {
    /// `GET`, `POST`, … (upper case).
    pub method: String,
    /// The host as written (`{{baseUrl}}`, `https://api.example.com`), not replaced.
    pub host: String,
    /// The path segments after the host, variables replaced.
    pub path: Vec<String>,
    /// Enabled query parameters with a non-empty value, variables replaced, in order.
    pub query: Vec<(String, String)>,
    /// Enabled headers, variables replaced, in order.
    pub headers: Vec<(String, String)>,
    /// The body, if the request has one.
    pub body: Option<PostmanBody>,
}

impl PostmanRequest {
    /// The path as `/a/b/c`.
    pub fn path_string(&self) -> String {
        format!("/{}", self.path.join("/"))
    }

    /// The value of the first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// The body, when it is JSON.
    pub fn json_body(&self) -> Option<&Value> {
        match &self.body {
            Some(PostmanBody::Json(value)) => Some(value),
            _ => None,
        }
    }
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub enum PostmanBody {
    /// A `raw` body that parses as JSON, verbatim.
    Json(Value),
    /// A `raw` body that is not JSON, verbatim.
    Raw(String),
    /// Another mode (`formdata`, `urlencoded`, `file`, `graphql`): the Postman body object.
    Other { mode: String, body: Value },
}

/// A saved response example.
#[derive(Debug, Clone)]
pub struct PostmanResponse {
    /// The example's name.
    pub name: String,
    /// The HTTP status (v2.0 exports may leave it out).
    pub code: Option<u16>,
    /// The response headers, as written.
    pub headers: Vec<(String, String)>,
    /// The body text, as written (empty when there is none).
    pub body_text: String,
    /// The body parsed as JSON, when it is non-empty JSON.
    pub body: Option<Value>,
}

/// Reads a collection file.
pub fn load(path: &Path) -> Vec<PostmanItem> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let document: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    parse(&document)
}

/// The request items of a collection document, depth first, in collection order.
pub fn parse(collection: &Value) -> Vec<PostmanItem> {
    let mut items = Vec::new();
    walk(collection.get("item"), &mut Vec::new(), &mut items);
    items
}

/// How many saved response examples the document holds, counted straight from the JSON (every
/// element of every request item's `response` array), independently of [`parse`].
pub fn count_response_examples(collection: &Value) -> usize {
    fn count(node: &Value) -> usize {
        let own = match node.get("request") {
            Some(_) => node.get("response").and_then(Value::as_array).map_or(0, Vec::len),
            None => 0,
        };
        own + node.get("item").and_then(Value::as_array).map_or(0, |items| items.iter().map(count).sum())
    }
    count(collection)
}

fn walk(items: Option<&Value>, folder: &mut Vec<String>, out: &mut Vec<PostmanItem>) {
    for item in items.and_then(Value::as_array).into_iter().flatten() {
        let name = item.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
        if let Some(children) = item.get("item") {
            folder.push(name);
            walk(Some(children), folder, out);
            folder.pop();
        } else if let Some(request) = item.get("request") {
            let responses = item.get("response").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            out.push(PostmanItem {
                folder: folder.clone(),
                name,
                request: parse_request(request),
                responses: responses.iter().map(parse_response).collect(),
            });
        }
    }
}

fn parse_request(request: &Value) -> PostmanRequest {
    // A request may be just its URL (method GET).
    let (method, url) = match request {
        Value::String(_) => ("GET".to_string(), request),
        _ => (
            request.get("method").and_then(Value::as_str).unwrap_or("GET").to_ascii_uppercase(),
            request.get("url").unwrap_or(&Value::Null),
        ),
    };
    let (host, path, query) = parse_url(url);
    PostmanRequest {
        method,
        host,
        path,
        query,
        headers: key_values(request.get("header")).into_iter().map(|(k, v)| (k, substitute(&v))).collect(),
        body: request.get("body").and_then(parse_body),
    }
}

type Pairs = Vec<(String, String)>;

fn parse_url(url: &Value) -> (String, Vec<String>, Pairs) {
    match url {
        Value::String(raw) => parse_raw_url(raw),
        Value::Object(object) => {
            let variables: BTreeMap<String, String> = object
                .get("variable")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| Some((v.get("key")?.as_str()?.to_string(), scalar(v.get("value")))))
                .collect();
            let (raw_host, raw_path, raw_query) =
                object.get("raw").and_then(Value::as_str).map(split_raw_url).unwrap_or_default();
            let host = match object.get("host") {
                Some(Value::Array(parts)) => parts.iter().map(|p| scalar(Some(p))).collect::<Vec<_>>().join("."),
                Some(Value::String(host)) => host.clone(),
                _ => raw_host,
            };
            let segments: Vec<String> = match object.get("path") {
                Some(Value::Array(parts)) => parts
                    .iter()
                    .map(|p| match p {
                        Value::Object(o) => scalar(o.get("value")),
                        other => scalar(Some(other)),
                    })
                    .collect(),
                Some(Value::String(path)) => path.trim_start_matches('/').split('/').map(str::to_string).collect(),
                _ => raw_path,
            };
            let query = match object.get("query") {
                Some(query) => key_values(Some(query)),
                None => raw_query,
            };
            (host, segments.iter().map(|s| path_segment(s, &variables)).collect(), clean_query(query))
        }
        _ => (String::new(), Vec::new(), Vec::new()),
    }
}

fn parse_raw_url(raw: &str) -> (String, Vec<String>, Pairs) {
    let (host, path, query) = split_raw_url(raw);
    (host, path.iter().map(|s| path_segment(s, &BTreeMap::new())).collect(), clean_query(query))
}

/// `scheme://host/a/b?x=1#f` → (`scheme://host`, [a, b], [(x, 1)]), all verbatim.
fn split_raw_url(raw: &str) -> (String, Vec<String>, Pairs) {
    let raw = raw.split('#').next().unwrap_or_default();
    let (before_query, query) = raw.split_once('?').unwrap_or((raw, ""));
    let after_scheme = before_query.find("://").map_or(0, |i| i + 3);
    let (host, path) = match before_query[after_scheme..].find('/') {
        Some(i) => before_query.split_at(after_scheme + i),
        None => (before_query, ""),
    };
    let segments =
        if path.is_empty() { Vec::new() } else { path[1..].split('/').map(str::to_string).collect::<Vec<_>>() };
    let query = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key.to_string(), value.to_string())
        })
        .collect();
    (host.to_string(), segments, query)
}

fn path_segment(segment: &str, variables: &BTreeMap<String, String>) -> String {
    match segment.strip_prefix(':') {
        Some(name) => match variables.get(name) {
            Some(value) if !value.is_empty() => substitute(value),
            _ => test_value(name),
        },
        None => substitute(segment),
    }
}

fn clean_query(query: Pairs) -> Pairs {
    query.into_iter().filter(|(_, value)| !value.is_empty()).map(|(k, v)| (substitute(&k), substitute(&v))).collect()
}

/// Enabled `{key, value}` entries (headers, query parameters), verbatim. A string (v2.x allows a
/// header block as text) is read as `Key: Value` lines.
fn key_values(list: Option<&Value>) -> Pairs {
    match list {
        Some(Value::Array(entries)) => entries
            .iter()
            .filter(|entry| !entry.get("disabled").and_then(Value::as_bool).unwrap_or(false))
            .filter_map(|entry| Some((entry.get("key")?.as_str()?.to_string(), scalar(entry.get("value")))))
            .collect(),
        Some(Value::String(block)) => block
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(key, value)| (key.trim().to_string(), value.trim().to_string()))
            .collect(),
        _ => Vec::new(),
    }
}

/// A JSON scalar as text (`null` and missing are empty).
fn scalar(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

fn parse_body(body: &Value) -> Option<PostmanBody> {
    if body.get("disabled").and_then(Value::as_bool).unwrap_or(false) {
        return None;
    }
    let mode = body.get("mode").and_then(Value::as_str)?;
    if mode != "raw" {
        return Some(PostmanBody::Other { mode: mode.to_string(), body: body.clone() });
    }
    let raw = body.get("raw").and_then(Value::as_str).unwrap_or_default();
    if raw.trim().is_empty() {
        return None;
    }
    Some(match serde_json::from_str(raw) {
        Ok(json) => PostmanBody::Json(json),
        Err(_) => PostmanBody::Raw(raw.to_string()),
    })
}

fn parse_response(response: &Value) -> PostmanResponse {
    let body_text = response.get("body").and_then(Value::as_str).unwrap_or_default().to_string();
    PostmanResponse {
        name: response.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
        code: response.get("code").and_then(Value::as_u64).and_then(|code| u16::try_from(code).ok()),
        headers: key_values(response.get("header")),
        body: if body_text.trim().is_empty() { None } else { serde_json::from_str(&body_text).ok() },
        body_text,
    }
}

/// The operations of an OpenAPI document, by method and path template.
#[derive(Debug, Clone)]
pub struct SpecRoutes {
    routes: Vec<Route>,
}

#[derive(Debug, Clone)]
struct Route {
    method: String,
    template: String,
    segments: Vec<Segment>,
    operation_id: String,
}

#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    Param(String),
}

/// The operation a concrete request reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch {
    /// The operation's `operationId`.
    pub operation_id: String,
    /// The path template (`/v1/things/{thingId}`).
    pub template: String,
    /// The template's parameters with their values from the concrete path.
    pub params: BTreeMap<String, String>,
}

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

impl SpecRoutes {
    /// Reads an OpenAPI document (YAML or JSON).
    pub fn load(path: &Path) -> Self {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let document: Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()));
        Self::from_document(&document)
    }

    /// The operations of a parsed OpenAPI document. An operation without `operationId` panics.
    pub fn from_document(document: &Value) -> Self {
        let mut routes = Vec::new();
        let paths = document.get("paths").and_then(Value::as_object).expect("the document has `paths`");
        for (template, item) in paths {
            for method in METHODS {
                let Some(operation) = item.get(method) else { continue };
                let operation_id = operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or_else(|| panic!("{} {template} has no operationId", method.to_uppercase()));
                let segments = template
                    .trim_start_matches('/')
                    .split('/')
                    .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => Segment::Param(name.to_string()),
                        None => Segment::Literal(s.to_string()),
                    })
                    .collect();
                routes.push(Route {
                    method: method.to_uppercase(),
                    template: template.clone(),
                    segments,
                    operation_id: operation_id.to_string(),
                });
            }
        }
        Self { routes }
    }

    /// Every `operationId` of the document.
    pub fn operation_ids(&self) -> BTreeSet<String> {
        self.routes.iter().map(|r| r.operation_id.clone()).collect()
    }

    /// The method and path template of an operation.
    pub fn route_of(&self, operation_id: &str) -> Option<(&str, &str)> {
        self.routes.iter().find(|r| r.operation_id == operation_id).map(|r| (r.method.as_str(), r.template.as_str()))
    }

    /// The operation `method` + `path` (unencoded, `/a/b`) reaches. Among several matching
    /// templates the one with the most literal segments wins (`/groups/invite/accept` over
    /// `/groups/{id}/accept`); a tie, or no match, is an error naming the candidates.
    pub fn match_request(&self, method: &str, path: &str) -> Result<RouteMatch, String> {
        let method = method.to_ascii_uppercase();
        let concrete: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mut candidates: Vec<(usize, RouteMatch)> = self
            .routes
            .iter()
            .filter(|r| r.method == method)
            .filter_map(|r| Some((literal_count(r), RouteMatch::new(r, &concrete)?)))
            .collect();
        candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
        match candidates.as_slice() {
            [] => Err(format!("no operation in the spec matches {method} {path}")),
            [(best, _), (next, _), ..] if best == next => Err(format!(
                "{method} {path} matches several operations equally: {}",
                candidates
                    .iter()
                    .filter(|c| c.0 == *best)
                    .map(|c| c.1.operation_id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            [(_, found), ..] => Ok(found.clone()),
        }
    }

    /// The path parameters of `path` read through `operation_id`'s template, or `None` when the
    /// path does not fit the template (or the operation is unknown).
    pub fn path_params(&self, operation_id: &str, path: &str) -> Option<BTreeMap<String, String>> {
        let route = self.routes.iter().find(|r| r.operation_id == operation_id)?;
        let concrete: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        RouteMatch::new(route, &concrete).map(|m| m.params)
    }
}

fn literal_count(route: &Route) -> usize {
    route.segments.iter().filter(|s| matches!(s, Segment::Literal(_))).count()
}

impl RouteMatch {
    fn new(route: &Route, concrete: &[&str]) -> Option<Self> {
        if route.segments.len() != concrete.len() {
            return None;
        }
        let mut params = BTreeMap::new();
        for (segment, value) in route.segments.iter().zip(concrete) {
            match segment {
                Segment::Literal(literal) if literal == value => {}
                Segment::Param(name) if !value.is_empty() => {
                    params.insert(name.clone(), (*value).to_string());
                }
                _ => return None,
            }
        }
        Some(Self { operation_id: route.operation_id.clone(), template: route.template.clone(), params })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_v21_url_objects() {
        let collection = json!({"item": [{"name": "F", "item": [{
            "name": "Get",
            "request": {
                "method": "get",
                "url": {
                    "host": ["{{baseUrl}}"],
                    "path": ["v1", "things", ":thingId", "{{other}}", {"type": "string", "value": "x"}],
                    "query": [
                        {"key": "a", "value": "1"},
                        {"key": "b", "value": ""},
                        {"key": "c", "value": "{{c}}"},
                        {"key": "d", "value": "4", "disabled": true}
                    ],
                    "variable": [{"key": "thingId", "value": ""}]
                },
                "header": [{"key": "K", "value": "{{k}}"}, {"key": "Off", "value": "1", "disabled": true}],
                "body": {"mode": "raw", "raw": "{\"id\": \"{{id}}\"}"}
            },
            "response": [{"name": "ok", "code": 200, "header": [], "body": "{\"a\": 1}"}, {"name": "none", "code": 204}]
        }]}]});
        let items = parse(&collection);
        assert_eq!(items.len(), 1);
        let item = &items[0];
        assert_eq!(item.label(), "F / Get");
        assert_eq!(item.request.method, "GET");
        assert_eq!(item.request.path_string(), "/v1/things/test-thingId/test-other/x");
        assert_eq!(item.request.query, [("a".into(), "1".into()), ("c".into(), "test-c".into())]);
        assert_eq!(item.request.headers, [("K".to_string(), "test-k".to_string())]);
        assert_eq!(item.request.json_body(), Some(&json!({"id": "{{id}}"})));
        assert_eq!(item.responses[0].body, Some(json!({"a": 1})));
        assert_eq!((item.responses[1].code, item.responses[1].body.as_ref()), (Some(204), None));
        assert_eq!(count_response_examples(&collection), 2);
    }

    #[test]
    fn reads_v20_url_strings() {
        let collection = json!({"item": [{
            "name": "Delete",
            "request": {
                "method": "DELETE",
                "url": "https://api.example.com/api/v2/things?ID={{ID}}&empty=&x=1#frag",
                "body": {"mode": "raw", "raw": "{ \"a\": some-placeholder }"}
            },
            "response": [{"name": "no code", "body": ""}]
        }, {"name": "Bare", "request": "{{host}}/ping"}]});
        let items = parse(&collection);
        assert_eq!(items[0].request.host, "https://api.example.com");
        assert_eq!(items[0].request.path_string(), "/api/v2/things");
        assert_eq!(items[0].request.query, [("ID".into(), "test-ID".into()), ("x".into(), "1".into())]);
        assert!(matches!(items[0].request.body, Some(PostmanBody::Raw(_))));
        assert_eq!(items[0].responses[0].code, None);
        assert_eq!((items[1].request.method.as_str(), items[1].request.path_string()), ("GET", "/ping".to_string()));
    }

    #[test]
    fn prefers_literal_segments_and_reports_ties() {
        let spec = json!({"paths": {
            "/g/{id}/accept": {"post": {"operationId": "by_id"}},
            "/g/invite/accept": {"post": {"operationId": "accept"}},
            "/h/{a}": {"get": {"operationId": "one"}},
            "/t/{a}/x": {"get": {"operationId": "left"}},
            "/t/y/{b}": {"get": {"operationId": "right"}}
        }});
        let routes = SpecRoutes::from_document(&spec);
        assert_eq!(routes.match_request("POST", "/g/invite/accept").unwrap().operation_id, "accept");
        let by_id = routes.match_request("post", "/g/7/accept").unwrap();
        assert_eq!((by_id.operation_id.as_str(), by_id.params["id"].as_str()), ("by_id", "7"));
        assert!(routes.match_request("GET", "/g/7/accept").is_err());
        assert_eq!(routes.path_params("one", "/h/x").unwrap()["a"], "x");
        assert!(routes.path_params("one", "/h/x/y").is_none());
        let tie = routes.match_request("GET", "/t/y/x").unwrap_err();
        assert!(tie.contains("left") && tie.contains("right"), "{tie}");
    }
}
