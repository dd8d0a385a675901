//! Reader for Postman collections (v2.0 and v2.1) into the [`Upstream`] model.
//!
//! - Path: from the url object's `path`, else from the raw url after its scheme and host; a
//!   doubled scheme (`https://https://host/…`) is read as one. `:name`, `{{name}}` segments are
//!   variables.
//! - Query parameters: the url object's `query` (a v2.0 documenter export keeps it in
//!   `urlObject`), else the raw url's. `disabled: true` means optional, a `(Required)` description
//!   means required; otherwise the collection does not say.
//! - Headers: all but `Accept`/`Content-Type`; `Authorization` is the credential, not a parameter.
//! - Auth: an explicit `Authorization` header wins (a value → raw header credential, empty →
//!   public), else the request's own `auth`, else the nearest folder's or the collection's.
//! - Body: a raw body's field paths (read tolerantly), a `formdata` body's part names.
//! - Description HTML: parameter tables (`Name` + `Required` ✅/❌ columns, the heading before
//!   the table says query, form data, header or body) and response examples after a `Response`
//!   line (`200 OK` before a body gives its status). "binary" in it marks a binary response.
//! - A folder named like "Webhooks": the code blocks of its description are webhook examples,
//!   named by the heading before each; requests without a URL are not operations.

use std::collections::BTreeSet;

use serde_json::Value;

use super::upstream::{
    Credential, Example, ExampleBody, Param, Upstream, UpstreamOperation, field_paths, merge_by_route, segment,
};

/// Reads a parsed collection document.
pub fn read(collection: &Value) -> Upstream {
    let mut upstream = Upstream::default();
    let mut operations = Vec::new();
    let auth = auth_of(collection.get("auth"));
    walk(collection.get("item"), &mut Vec::new(), auth.as_ref(), &mut operations, &mut upstream);
    upstream.operations = merge_by_route(operations);
    upstream
}

fn walk(
    items: Option<&Value>,
    folder: &mut Vec<String>,
    inherited: Option<&BTreeSet<Credential>>,
    out: &mut Vec<UpstreamOperation>,
    upstream: &mut Upstream,
) {
    for item in items.and_then(Value::as_array).into_iter().flatten() {
        let name = text(item.get("name"));
        if let Some(children) = item.get("item") {
            let own = auth_of(item.get("auth"));
            let auth = own.as_ref().or(inherited);
            if name.to_ascii_lowercase().contains("webhook") {
                upstream.webhook_examples.extend(code_block_examples(&description(item)));
            }
            folder.push(name);
            walk(Some(children), folder, auth, out, upstream);
            folder.pop();
        } else if let Some(request) = item.get("request") {
            let label = folder.iter().chain(std::iter::once(&name)).cloned().collect::<Vec<_>>().join(" / ");
            if let Some(operation) = read_item(item, request, label, inherited) {
                out.push(operation);
            }
        }
    }
}

fn read_item(
    item: &Value,
    request: &Value,
    label: String,
    inherited: Option<&BTreeSet<Credential>>,
) -> Option<UpstreamOperation> {
    let url = request.get("url")?;
    let raw = match url {
        Value::String(raw) => raw.clone(),
        other => text(other.get("raw")),
    };
    let path = match url.get("path") {
        Some(Value::Array(parts)) => parts
            .iter()
            .map(|p| match p {
                Value::Object(o) => text(o.get("value")),
                other => text(Some(other)),
            })
            .collect(),
        _ => raw_path(&raw)?,
    };
    let query_list = url.get("query").or_else(|| request.pointer("/urlObject/query"));
    let mut query = match query_list {
        Some(list) => params(list),
        None => raw_query(&raw),
    };
    let mut headers = Vec::new();
    let mut auth = auth_of(request.get("auth")).or_else(|| inherited.cloned());
    for header in request.get("header").and_then(Value::as_array).into_iter().flatten() {
        let key = text(header.get("key"));
        if key.eq_ignore_ascii_case("authorization") {
            let value = text(header.get("value"));
            auth = Some(if value.trim().is_empty() { BTreeSet::new() } else { [Credential::Header(key)].into() });
        } else if !key.eq_ignore_ascii_case("accept") && !key.eq_ignore_ascii_case("content-type") {
            headers.push(param(header));
        }
    }
    let mut operation = UpstreamOperation {
        label,
        method: text(request.get("method")).to_ascii_uppercase(),
        path: path.iter().map(|s| segment(s)).collect(),
        query: Vec::new(),
        headers: Vec::new(),
        body_fields: BTreeSet::new(),
        multipart_parts: BTreeSet::new(),
        binary_response: false,
        auth,
        examples: Vec::new(),
    };
    read_body(request.get("body"), &mut operation);
    let description = [description(item), description(request)].join("\n");
    for (kind, table_params) in tables(&description) {
        match kind {
            TableKind::Query => query.extend(table_params),
            TableKind::Header => headers.extend(table_params),
            TableKind::FormData => operation.multipart_parts.extend(table_params.into_iter().map(|p| p.name)),
            TableKind::Body => operation.body_fields.extend(table_params.into_iter().map(|p| p.name)),
        }
    }
    operation.query = dedupe(query);
    operation.headers = dedupe(headers);
    operation.binary_response = description.to_ascii_lowercase().contains("binary");
    for response in item.get("response").and_then(Value::as_array).into_iter().flatten() {
        operation.binary_response |= is_binary_content(response);
        operation.examples.push(Example {
            name: text(response.get("name")),
            status: response.get("code").and_then(Value::as_u64).and_then(|c| u16::try_from(c).ok()),
            body: ExampleBody::read(&text(response.get("body"))),
        });
    }
    operation.examples.extend(description_examples(&description));
    Some(operation)
}

fn read_body(body: Option<&Value>, operation: &mut UpstreamOperation) {
    let Some(body) = body.filter(|b| !b.get("disabled").and_then(Value::as_bool).unwrap_or(false)) else { return };
    match body.get("mode").and_then(Value::as_str) {
        Some("raw") => {
            if let ExampleBody::Json { value, .. } = ExampleBody::read(&text(body.get("raw"))) {
                operation.body_fields.extend(field_paths(&value));
            }
        }
        Some(mode @ ("formdata" | "urlencoded")) => {
            let names = body.get(mode).and_then(Value::as_array).into_iter().flatten().map(|p| text(p.get("key")));
            if mode == "formdata" {
                operation.multipart_parts.extend(names);
            } else {
                operation.body_fields.extend(names);
            }
        }
        _ => {}
    }
}

/// The first occurrence of each parameter name; a later one may settle an unknown required flag.
fn dedupe(params: Vec<Param>) -> Vec<Param> {
    let mut out: Vec<Param> = Vec::new();
    for param in params {
        match out.iter_mut().find(|p| p.name == param.name) {
            Some(known) => known.required = known.required.or(param.required),
            None => out.push(param),
        }
    }
    out
}

fn params(list: &Value) -> Vec<Param> {
    list.as_array().into_iter().flatten().map(param).collect()
}

fn param(entry: &Value) -> Param {
    let required = if entry.get("disabled").and_then(Value::as_bool).unwrap_or(false) {
        Some(false)
    } else if description(entry).contains("(Required)") {
        Some(true)
    } else {
        None
    };
    Param { name: text(entry.get("key")), required }
}

/// The path segments of a raw url, after its scheme(s) and host; `None` for an empty url.
fn raw_path(raw: &str) -> Option<Vec<String>> {
    let mut rest = raw.split(['?', '#']).next().unwrap_or_default().trim();
    while let Some(index) = rest.find("://").filter(|&i| !rest[..i].contains('/')) {
        rest = &rest[index + 3..];
    }
    if rest.is_empty() {
        return None;
    }
    Some(rest.split('/').skip(1).filter(|s| !s.is_empty()).map(str::to_string).collect())
}

fn raw_query(raw: &str) -> Vec<Param> {
    let query = raw.split('#').next().unwrap_or_default().split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| Param { name: pair.split('=').next().unwrap_or_default().to_string(), required: None })
        .collect()
}

fn auth_of(auth: Option<&Value>) -> Option<BTreeSet<Credential>> {
    let auth = auth?;
    if auth.get("isInherited").and_then(Value::as_bool).unwrap_or(false) {
        return None;
    }
    match auth.get("type").and_then(Value::as_str)? {
        "noauth" => Some(BTreeSet::new()),
        "bearer" => Some([Credential::Bearer].into()),
        "apikey" => {
            let setting = |key: &str| {
                auth.get("apikey")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .find(|entry| entry.get("key").and_then(Value::as_str) == Some(key))
                    .map(|entry| text(entry.get("value")))
            };
            let name = setting("key").unwrap_or_default();
            Some(
                [if setting("in").as_deref() == Some("query") {
                    Credential::Query(name)
                } else {
                    Credential::Header(name)
                }]
                .into(),
            )
        }
        _ => None,
    }
}

fn is_binary_content(response: &Value) -> bool {
    response.get("header").and_then(Value::as_array).into_iter().flatten().any(|header| {
        let content_type = text(header.get("value")).to_ascii_lowercase();
        text(header.get("key")).eq_ignore_ascii_case("content-type")
            && !content_type.is_empty()
            && !content_type.contains("json")
            && !content_type.starts_with("text/")
    })
}

/// A JSON string, or `{content}` object, or anything else as text (`null` and missing: empty).
fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Object(object)) if object.contains_key("content") => text(object.get("content")),
        Some(other) => other.to_string(),
    }
}

fn description(node: &Value) -> String {
    text(node.get("description"))
}

// ------------------------------------------------------------------------------ description HTML

#[derive(Debug, Clone, Copy, PartialEq)]
enum TableKind {
    Query,
    Header,
    FormData,
    Body,
}

/// The parameter tables of a description, with what the text before each says they hold.
fn tables(html: &str) -> Vec<(TableKind, Vec<Param>)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<table") {
        let Some(length) = rest[start..].find("</table>") else { break };
        let before = plain_text(&rest[..start]).to_ascii_lowercase();
        let table = &rest[start..start + length];
        rest = &rest[start + length..];
        let last_heading = before.trim_end().lines().rev().find(|line| !line.trim().is_empty()).unwrap_or_default();
        let kind = if last_heading.contains("form data") {
            TableKind::FormData
        } else if last_heading.contains("query") {
            TableKind::Query
        } else if last_heading.contains("header") {
            TableKind::Header
        } else if last_heading.contains("body") {
            TableKind::Body
        } else {
            continue;
        };
        let headers: Vec<String> = cells(table, "th").iter().map(|c| c.to_ascii_lowercase()).collect();
        let (Some(name_at), required_at) =
            (headers.iter().position(|h| h == "name"), headers.iter().position(|h| h == "required"))
        else {
            continue;
        };
        let rows = table
            .split("<tr")
            .skip(1)
            .filter(|row| row.starts_with(['>', ' ']))
            .map(|row| cells(row, "td"))
            .filter(|row| !row.is_empty());
        let params = rows
            .filter_map(|row| {
                let name = row.get(name_at)?.trim().to_string();
                let required = required_at.and_then(|at| row.get(at)).and_then(|cell| required_flag(cell));
                Some(Param { name, required })
            })
            .collect();
        out.push((kind, params));
    }
    out
}

fn required_flag(cell: &str) -> Option<bool> {
    match cell.trim().to_ascii_lowercase().as_str() {
        "✅" | "yes" | "true" | "required" => Some(true),
        "❌" | "no" | "false" | "optional" => Some(false),
        _ => None,
    }
}

/// The text of each `<tag>…</tag>` cell of `html`.
fn cells(html: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    html.split(&open)
        .skip(1)
        .filter(|chunk| chunk.starts_with(['>', ' ']))
        .filter_map(|chunk| {
            let content = &chunk[chunk.find('>')? + 1..];
            Some(plain_text(&content[..content.find(&close).unwrap_or(content.len())]).trim().to_string())
        })
        .collect()
}

/// HTML as text: line breaks for `<br>`, paragraphs and blocks; tags dropped; entities decoded.
fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let tag = rest[start + 1..start + end].trim_start_matches('/').to_ascii_lowercase();
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if matches!(name.as_str(), "br" | "p" | "tr" | "pre" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "li") {
            out.push('\n');
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    unescape(&out)
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// Response examples written in a description after its `Response` line.
fn description_examples(html: &str) -> Vec<Example> {
    let text = plain_text(html);
    let Some(start) = text.lines().position(|line| line.trim().to_ascii_lowercase().starts_with("response")) else {
        return Vec::new();
    };
    let lines: Vec<&str> = text.lines().skip(start + 1).collect();
    let mut examples = Vec::new();
    let mut status = None;
    let mut at = 0;
    while at < lines.len() {
        let line = lines[at].trim();
        if let Some(code) = line.get(..3).and_then(|c| c.parse::<u16>().ok()).filter(|c| (100..600).contains(c)) {
            status = Some(code);
        }
        if line.starts_with('{') || line.starts_with('[') {
            let (body, used) = balanced(&lines[at..]);
            let name = status.map_or("description example".to_string(), |code| format!("description example {code}"));
            examples.push(Example { name, status: status.take(), body: ExampleBody::read(&body) });
            at += used;
        } else {
            at += 1;
        }
    }
    examples
}

/// The lines from the first up to where its brackets balance (outside strings), and their count.
fn balanced(lines: &[&str]) -> (String, usize) {
    let mut depth = 0i32;
    let mut in_string = false;
    let mut escaped = false;
    for (index, line) in lines.iter().enumerate() {
        for c in line.chars() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_string => escaped = true,
                '"' => in_string = !in_string,
                '{' | '[' if !in_string => depth += 1,
                '}' | ']' if !in_string => depth -= 1,
                _ => {}
            }
        }
        if depth <= 0 {
            return (lines[..=index].join("\n"), index + 1);
        }
    }
    (lines.join("\n"), lines.len())
}

/// The `<pre><code>` blocks of a description, named by the heading before each.
fn code_block_examples(html: &str) -> Vec<Example> {
    let mut examples = Vec::new();
    let mut heading = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<code>") {
        let before = &rest[..start];
        if let Some(h) = last_heading(before) {
            heading = h;
        }
        let Some(length) = rest[start..].find("</code>") else { break };
        let code = unescape(&rest[start + "<code>".len()..start + length]);
        rest = &rest[start + length..];
        if code.trim_start().starts_with(['{', '[']) {
            examples.push(Example { name: heading.clone(), status: None, body: ExampleBody::read(&code) });
        }
    }
    examples
}

fn last_heading(html: &str) -> Option<String> {
    let start = ["<h1", "<h2", "<h3", "<h4", "<h5", "<h6"].iter().filter_map(|tag| html.rfind(tag)).max()?;
    let content = &html[start..];
    let open_end = content.find('>')? + 1;
    let close = content[open_end..].find("</h")?;
    Some(plain_text(&content[open_end..open_end + close]).trim().to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_raw_urls_with_a_doubled_scheme() {
        assert_eq!(raw_path("https://https://h.io/api/v2/x?a=1").unwrap(), ["api", "v2", "x"]);
        assert_eq!(raw_path("{{baseUrl}}/v1/:id").unwrap(), ["v1", ":id"]);
        assert_eq!(raw_path(""), None);
        assert_eq!(
            raw_query("https://h/x?a=1&b=&c").iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
    }

    #[test]
    fn reads_description_tables_and_examples() {
        let html = "<p>Form Data Parameters:</p><table><thead><tr><th>Name</th><th>Type</th><th>Required</th></tr></thead>\
            <tbody><tr><td><code>file</code></td><td>file</td><td>✅</td></tr><tr><td><code>file_name</code></td><td>s</td><td>❌</td></tr></tbody></table>\
            <p>Response: \n200 OK<br />{<br />\"message\": \"ok\"<br />}</p><p>400 Bad Request<br />{<br />\"error\": \"bad\"<br />}</p>";
        let found = tables(html);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, TableKind::FormData);
        assert_eq!(
            found[0].1,
            [
                Param { name: "file".into(), required: Some(true) },
                Param { name: "file_name".into(), required: Some(false) }
            ]
        );
        let examples = description_examples(html);
        assert_eq!(examples.iter().map(|e| e.status).collect::<Vec<_>>(), [Some(200), Some(400)]);
        assert_eq!(
            examples[1].body,
            ExampleBody::Json { value: json!({"error": "bad"}), placeholders: BTreeSet::new() }
        );
    }

    #[test]
    fn explicit_authorization_header_overrides_inherited_bearer() {
        let collection = json!({"auth": {"type": "bearer"}, "item": [
            {"name": "a", "request": {"method": "GET", "url": "https://h/x", "header": [{"key": "Authorization", "value": "t"}]}},
            {"name": "b", "request": {"method": "GET", "url": "https://h/y", "header": [{"key": "Authorization", "value": ""}]}},
            {"name": "c", "request": {"method": "GET", "url": "https://h/z", "auth": null}}
        ]});
        let upstream = read(&collection);
        let auths: Vec<_> = upstream.operations.iter().map(|o| o.auth.clone().unwrap()).collect();
        assert_eq!(
            auths,
            [[Credential::Header("Authorization".into())].into(), BTreeSet::new(), [Credential::Bearer].into()]
        );
    }
}
