//! Reads a Postman collection (v2.0 or v2.1) as written, and nothing more: its folders, its
//! request items (url, headers, auth, body, description) and their saved responses. What the
//! collection documents is read from this by [`super::read`] (the audit's model) and
//! [`super::replay`] (requests with test values); both read the format only through here.
//!
//! - Items: depth first, in collection order; an entry with `item` is a folder, one with
//!   `request` a request item. A request may be just its URL (method `GET`).
//! - Text: a string, a `{content}` object's content, or any other JSON as printed (`null` and
//!   missing: empty).
//! - URL: a url object (`raw`, `host`, `path` as an array of strings or `{value}` objects or a
//!   string, `query`, `variable`) or a url string. The host, path and query missing from an object
//!   are read from its raw text, after its scheme; a doubled scheme (`https://https://host/…`)
//!   is read as one, the host keeping what was written. A documenter export's `urlObject` is
//!   another copy of the url whose host can swallow path segments: only its query list is kept.
//! - Headers and query lists: `{key, value, disabled, description}` entries, disabled ones
//!   included; a header block written as text is read as `Key: Value` lines.
//! - Auth: `noauth`, `bearer`, `apikey` (header or query); absent, `isInherited` or another type
//!   says nothing. An item inherits the auth of its nearest folder that has one, else the
//!   collection's.
//! - Body: a `raw` body that parses as JSON, a `raw` body that does not (verbatim), or another mode
//!   (`formdata`, `urlencoded`, …) as the Postman body object; a disabled or empty body is none.
//! - Saved responses: name, status (v2.0 exports may leave it out), enabled headers, body text
//!   and, when it is JSON, the parsed body.

use std::collections::BTreeMap;

use serde_json::Value;

/// A collection's folders and request items.
#[derive(Debug, Clone, Default)]
pub struct Collection {
    /// Every folder, depth first, in collection order.
    pub folders: Vec<Folder>,
    /// Every request item, depth first, in collection order.
    pub items: Vec<Item>,
}

/// A folder of the collection.
#[derive(Debug, Clone)]
pub struct Folder {
    pub name: String,
    /// Its description (HTML or text), empty when it has none.
    pub description: String,
}

/// One request of the collection, with its saved responses.
#[derive(Debug, Clone)]
pub struct Item {
    /// The names of the folders holding the item, outermost first.
    pub folder: Vec<String>,
    pub name: String,
    /// The item's own description, empty when it has none.
    pub description: String,
    pub request: Request,
    /// The auth the item inherits: its nearest folder's that has one, else the collection's.
    pub inherited_auth: Option<Auth>,
    /// The saved response examples, in collection order.
    pub responses: Vec<Response>,
}

impl Item {
    /// `Folder / Sub-folder / Name`, for messages.
    pub fn label(&self) -> String {
        self.folder.iter().chain(std::iter::once(&self.name)).cloned().collect::<Vec<_>>().join(" / ")
    }
}

/// A request as the collection writes it: no variable is replaced.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, … (upper case; `GET` when the collection gives none).
    pub method: String,
    /// The request's description, empty when it has none.
    pub description: String,
    pub url: Url,
    /// The query list of a documenter export's `urlObject`, when it has one.
    pub url_object_query: Option<Vec<Entry>>,
    /// Every header, disabled ones included, in order.
    pub headers: Vec<Entry>,
    /// The request's own auth (`None`: it has none, or inherits).
    pub auth: Option<Auth>,
    pub body: Option<Body>,
}

/// A request URL as written.
#[derive(Debug, Clone, Default)]
pub struct Url {
    /// The url text (a url object's `raw`, or the url string); empty when there is none.
    pub raw: String,
    /// The host as written (`{{baseUrl}}`, `https://api.example.com`).
    pub host: String,
    /// The path segments after the host, as written (`:id` and `{{name}}` kept).
    pub path: Vec<String>,
    /// The url object's `query` list; `None` when it has none (see [`Url::raw_query`]).
    pub query: Option<Vec<Entry>>,
    /// The url object's path variables (`:name` → value), as written.
    pub variables: BTreeMap<String, String>,
}

impl Url {
    /// Whether the collection gives no URL (no host, no path).
    pub fn is_empty(&self) -> bool {
        self.host.is_empty() && self.path.is_empty()
    }

    /// The query parameters of the raw url text, in order (none disabled, no descriptions).
    pub fn raw_query(&self) -> Vec<Entry> {
        split_raw_url(&self.raw).2
    }
}

/// A `{key, value}` entry of a header or query list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub value: String,
    pub disabled: bool,
    /// The entry's description, empty when it has none.
    pub description: String,
}

/// Who the collection says the request authenticates as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// `noauth`: no credential.
    NoAuth,
    /// `Authorization: Bearer …`.
    Bearer,
    /// An API key in the header or query parameter `name`.
    ApiKey { name: String, in_query: bool },
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// A `raw` body that parses as JSON, verbatim.
    Json(Value),
    /// A `raw` body that is not JSON, verbatim.
    Raw(String),
    /// Another mode (`formdata`, `urlencoded`, `file`, `graphql`): the Postman body object.
    Other { mode: String, body: Value },
}

/// A saved response example.
#[derive(Debug, Clone)]
pub struct Response {
    /// The example's name.
    pub name: String,
    /// The HTTP status (v2.0 exports may leave it out).
    pub code: Option<u16>,
    /// The enabled response headers, as written.
    pub headers: Vec<(String, String)>,
    /// The body text, as written (empty when there is none).
    pub body_text: String,
    /// The body parsed as JSON, when it is non-empty JSON.
    pub body: Option<Value>,
}

/// Reads a parsed collection document.
pub fn read(collection: &Value) -> Collection {
    let mut out = Collection::default();
    let auth = auth(collection.get("auth"));
    walk(collection.get("item"), &mut Vec::new(), auth.as_ref(), &mut out);
    out
}

fn walk(items: Option<&Value>, folder: &mut Vec<String>, inherited: Option<&Auth>, out: &mut Collection) {
    for entry in items.and_then(Value::as_array).into_iter().flatten() {
        let name = text(entry.get("name"));
        if let Some(children) = entry.get("item") {
            out.folders.push(Folder { name: name.clone(), description: text(entry.get("description")) });
            let own = auth(entry.get("auth"));
            folder.push(name);
            walk(Some(children), folder, own.as_ref().or(inherited), out);
            folder.pop();
        } else if let Some(request) = entry.get("request") {
            let responses = entry.get("response").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            out.items.push(Item {
                folder: folder.clone(),
                name,
                description: text(entry.get("description")),
                request: read_request(request),
                inherited_auth: inherited.cloned(),
                responses: responses.iter().map(read_response).collect(),
            });
        }
    }
}

fn read_request(request: &Value) -> Request {
    let url = match request {
        Value::String(_) => request,
        _ => request.get("url").unwrap_or(&Value::Null),
    };
    let method = request.get("method").map(|m| text(Some(m))).filter(|m| !m.is_empty());
    Request {
        method: method.unwrap_or_else(|| "GET".to_string()).to_ascii_uppercase(),
        description: text(request.get("description")),
        url: read_url(url),
        url_object_query: request.pointer("/urlObject/query").map(|list| entries(Some(list))),
        headers: entries(request.get("header")),
        auth: auth(request.get("auth")),
        body: request.get("body").and_then(read_body),
    }
}

fn read_url(url: &Value) -> Url {
    let raw = match url {
        Value::String(raw) => raw.clone(),
        other => text(other.get("raw")),
    };
    let (raw_host, raw_path, _) = split_raw_url(&raw);
    let host = match url.get("host") {
        Some(Value::Array(parts)) => parts.iter().map(|p| text(Some(p))).collect::<Vec<_>>().join("."),
        Some(Value::String(host)) => host.clone(),
        _ => raw_host,
    };
    let path = match url.get("path") {
        Some(Value::Array(parts)) => parts
            .iter()
            .map(|p| match p {
                Value::Object(o) => text(o.get("value")),
                other => text(Some(other)),
            })
            .collect(),
        Some(Value::String(path)) => path.trim_start_matches('/').split('/').map(str::to_string).collect(),
        _ => raw_path,
    };
    let variables = url
        .get("variable")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| Some((v.get("key")?.as_str()?.to_string(), text(v.get("value")))))
        .collect();
    Url { raw, host, path, query: url.get("query").map(|list| entries(Some(list))), variables }
}

/// `scheme://host/a/b?x=1#f` → (`scheme://host`, [a, b], [x=1]), all verbatim. A doubled scheme
/// (`https://https://host/…`) stays in the host; an empty text gives nothing.
fn split_raw_url(raw: &str) -> (String, Vec<String>, Vec<Entry>) {
    let raw = raw.split('#').next().unwrap_or_default().trim();
    let (before_query, query) = raw.split_once('?').unwrap_or((raw, ""));
    let mut host_start = 0;
    while let Some(index) =
        before_query[host_start..].find("://").filter(|&i| !before_query[host_start..][..i].contains('/'))
    {
        host_start += index + 3;
    }
    let (host, path) = match before_query[host_start..].find('/') {
        Some(i) => before_query.split_at(host_start + i),
        None => (before_query, ""),
    };
    let segments = if path.is_empty() { Vec::new() } else { path[1..].split('/').map(str::to_string).collect() };
    let query = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            Entry { key: key.to_string(), value: value.to_string(), disabled: false, description: String::new() }
        })
        .collect();
    (host.to_string(), segments, query)
}

/// The entries of a header or query list. A string (v2.x allows a header block as text) is read
/// as `Key: Value` lines; an entry without a key is left out.
fn entries(list: Option<&Value>) -> Vec<Entry> {
    match list {
        Some(Value::Array(entries)) => entries
            .iter()
            .filter_map(|entry| {
                Some(Entry {
                    key: entry.get("key")?.as_str()?.to_string(),
                    value: text(entry.get("value")),
                    disabled: entry.get("disabled").and_then(Value::as_bool).unwrap_or(false),
                    description: text(entry.get("description")),
                })
            })
            .collect(),
        Some(Value::String(block)) => block
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(key, value)| Entry {
                key: key.trim().to_string(),
                value: value.trim().to_string(),
                disabled: false,
                description: String::new(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn auth(auth: Option<&Value>) -> Option<Auth> {
    let auth = auth?;
    if auth.get("isInherited").and_then(Value::as_bool).unwrap_or(false) {
        return None;
    }
    match auth.get("type").and_then(Value::as_str)? {
        "noauth" => Some(Auth::NoAuth),
        "bearer" => Some(Auth::Bearer),
        "apikey" => {
            let setting = |key: &str| {
                auth.get("apikey")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .find(|entry| entry.get("key").and_then(Value::as_str) == Some(key))
                    .map(|entry| text(entry.get("value")))
            };
            let in_query = setting("in").as_deref() == Some("query");
            Some(Auth::ApiKey { name: setting("key").unwrap_or_default(), in_query })
        }
        _ => None,
    }
}

fn read_body(body: &Value) -> Option<Body> {
    if body.get("disabled").and_then(Value::as_bool).unwrap_or(false) {
        return None;
    }
    let mode = body.get("mode").and_then(Value::as_str)?;
    if mode != "raw" {
        return Some(Body::Other { mode: mode.to_string(), body: body.clone() });
    }
    let raw = text(body.get("raw"));
    if raw.trim().is_empty() {
        return None;
    }
    Some(match serde_json::from_str(&raw) {
        Ok(json) => Body::Json(json),
        Err(_) => Body::Raw(raw),
    })
}

fn read_response(response: &Value) -> Response {
    let body_text = text(response.get("body"));
    Response {
        name: text(response.get("name")),
        code: response.get("code").and_then(Value::as_u64).and_then(|code| u16::try_from(code).ok()),
        headers: entries(response.get("header"))
            .into_iter()
            .filter(|entry| !entry.disabled)
            .map(|entry| (entry.key, entry.value))
            .collect(),
        body: if body_text.trim().is_empty() { None } else { serde_json::from_str(&body_text).ok() },
        body_text,
    }
}

/// A JSON string, or a `{content}` object's content, or anything else as printed (`null` and
/// missing: empty).
fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Object(object)) if object.contains_key("content") => text(object.get("content")),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn keys(entries: &[Entry]) -> Vec<&str> {
        entries.iter().map(|e| e.key.as_str()).collect()
    }

    #[test]
    fn reads_raw_urls_with_a_doubled_scheme() {
        let (host, path, query) = split_raw_url("https://https://h.io/api/v2/x?a=1");
        assert_eq!(
            (host.as_str(), path.as_slice()),
            ("https://https://h.io", ["api", "v2", "x"].map(String::from).as_slice())
        );
        assert_eq!(keys(&query), ["a"]);
        assert_eq!(split_raw_url("{{baseUrl}}/v1/:id").1, ["v1", ":id"]);
        let (host, path, query) = split_raw_url("");
        assert!(host.is_empty() && path.is_empty() && query.is_empty());
        assert_eq!(keys(&split_raw_url("https://h/x?a=1&b=&c").2), ["a", "b", "c"]);
    }

    #[test]
    fn reads_folders_auth_inheritance_and_entries() {
        let collection = json!({"auth": {"type": "bearer"}, "item": [
            {"name": "F", "description": {"content": "<p>folder</p>"}, "auth": {"type": "apikey", "apikey": [
                {"key": "key", "value": "token"}, {"key": "in", "value": "query"}]}, "item": [
                {"name": "a", "request": {"method": "post", "url": "https://h/x", "header": "K: v\nL: w"}}
            ]},
            {"name": "b", "request": {"url": {"raw": "https://h/y?z=1", "query": [
                {"key": "q", "value": "", "disabled": true, "description": "(Required)"}]},
                "urlObject": {"query": [{"key": "uo", "value": "1"}]}, "auth": {"type": "noauth"}}},
            {"name": "c", "request": "https://h/z"}
        ]});
        let read = read(&collection);
        assert_eq!(read.folders.len(), 1);
        assert_eq!(read.folders[0].description, "<p>folder</p>");
        let [a, b, c] = read.items.as_slice() else { panic!("{:?}", read.items) };
        assert_eq!((a.label().as_str(), a.request.method.as_str()), ("F / a", "POST"));
        assert_eq!(a.inherited_auth, Some(Auth::ApiKey { name: "token".into(), in_query: true }));
        assert_eq!(keys(&a.request.headers), ["K", "L"]);
        assert_eq!(b.inherited_auth, Some(Auth::Bearer));
        assert_eq!(b.request.auth, Some(Auth::NoAuth));
        let query = b.request.url.query.as_ref().unwrap();
        assert!(query[0].disabled && query[0].description == "(Required)");
        assert_eq!(keys(&b.request.url.raw_query()), ["z"]);
        assert_eq!(keys(b.request.url_object_query.as_ref().unwrap()), ["uo"]);
        assert_eq!((c.request.method.as_str(), c.request.url.path.as_slice()), ("GET", ["z".to_string()].as_slice()));
    }
}
