//! A collection's requests as a test sends them, read through [`collection`]:
//! every variable replaced by a fixed test value, so that tests do not depend on anyone's
//! environment.
//!
//! - `{{name}}` becomes [`test_value`]`("name")` = `test-name` (never the collection's own value);
//!   a `:name` path segment takes its `url.variable` value when that is non-empty, else
//!   `test-name`. The host is kept as written.
//! - Query parameters: the enabled ones with a non-empty value, key and value replaced.
//! - Headers: the enabled ones, values replaced.
//! - The body and the saved responses are verbatim (a `{{…}}` inside a JSON string stays as
//!   written, as the spec examples keep it).

use serde_json::Value;

use super::collection::{self, Entry, Item, Request};
pub use super::collection::{Body as PostmanBody, Response as PostmanResponse};

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

/// A request ready to send.
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

/// The request items of a collection document, depth first, in collection order.
pub fn parse(collection: &Value) -> Vec<PostmanItem> {
    collection::read(collection).items.into_iter().map(item).collect()
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

fn item(item: Item) -> PostmanItem {
    PostmanItem { request: request(&item.request), folder: item.folder, name: item.name, responses: item.responses }
}

fn request(request: &Request) -> PostmanRequest {
    let url = &request.url;
    let path = url
        .path
        .iter()
        .map(|segment| match segment.strip_prefix(':') {
            Some(name) => match url.variables.get(name) {
                Some(value) if !value.is_empty() => substitute(value),
                _ => test_value(name),
            },
            None => substitute(segment),
        })
        .collect();
    let query = url.query.clone().unwrap_or_else(|| url.raw_query());
    PostmanRequest {
        method: request.method.clone(),
        host: url.host.clone(),
        path,
        query: enabled(&query)
            .filter(|entry| !entry.value.is_empty())
            .map(|entry| (substitute(&entry.key), substitute(&entry.value)))
            .collect(),
        headers: enabled(&request.headers).map(|entry| (entry.key.clone(), substitute(&entry.value))).collect(),
        body: request.body.clone(),
    }
}

fn enabled(entries: &[Entry]) -> impl Iterator<Item = &Entry> {
    entries.iter().filter(|entry| !entry.disabled)
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
}
