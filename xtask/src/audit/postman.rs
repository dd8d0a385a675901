//! What a Postman collection (v2.0 or v2.1) documents, as the [`Upstream`] model. The format is
//! read by [`collection`] (shared with [`replay`], the tests' view); this module interprets it:
//!
//! - Path: the url's path segments (empty ones dropped); `:name` and `{{name}}` are variables.
//! - Query parameters: the url object's `query`, else a documenter export's `urlObject` query,
//!   else the raw url's. `disabled: true` means optional, a `(Required)` description means
//!   required; otherwise the collection does not say.
//! - Headers: all but `Accept`/`Content-Type`; `Authorization` is the credential, not a parameter.
//! - Auth: an explicit `Authorization` header wins (a value → raw header credential, empty →
//!   public), else the request's own `auth`, else the nearest folder's or the collection's.
//! - Body: a raw body's field paths (read tolerantly), a `formdata` body's part names, an
//!   `urlencoded` body's field names.
//! - Description HTML ([`description`]): parameter tables and response examples; "binary" in it
//!   marks a binary response, as does a saved response whose content type is neither JSON nor text.
//! - A folder named like "Webhooks": the code blocks of its description are webhook examples,
//!   named by the heading before each; requests without a URL are not operations.

pub mod collection;
pub mod description;
pub mod replay;

use std::collections::BTreeSet;

use serde_json::Value;

use super::model::{
    Credential, Example, ExampleBody, Param, Upstream, UpstreamOperation, field_paths, merge_by_route, segment,
};
use collection::{Auth, Body, Entry, Item};
use description::TableKind;

/// Reads a parsed collection document.
pub fn read(document: &Value) -> Upstream {
    let collection = collection::read(document);
    let webhook_folders = collection.folders.iter().filter(|f| f.name.to_ascii_lowercase().contains("webhook"));
    Upstream {
        operations: merge_by_route(collection.items.iter().filter_map(operation).collect()),
        webhook_examples: webhook_folders.flat_map(|f| description::code_block_examples(&f.description)).collect(),
    }
}

/// What one request item documents; `None` for an item without a URL.
fn operation(item: &Item) -> Option<UpstreamOperation> {
    let request = &item.request;
    let url = &request.url;
    if url.is_empty() {
        return None;
    }
    let query_list = url.query.as_ref().or(request.url_object_query.as_ref());
    let mut query: Vec<Param> = match query_list {
        Some(list) => list.iter().map(param).collect(),
        None => url.raw_query().iter().map(|entry| Param { name: entry.key.clone(), required: None }).collect(),
    };
    let mut headers = Vec::new();
    let mut auth = request.auth.as_ref().or(item.inherited_auth.as_ref()).map(credentials);
    for header in &request.headers {
        if header.key.eq_ignore_ascii_case("authorization") {
            let explicit = if header.value.trim().is_empty() {
                BTreeSet::new()
            } else {
                [Credential::Header(header.key.clone())].into()
            };
            auth = Some(explicit);
        } else if !header.key.eq_ignore_ascii_case("accept") && !header.key.eq_ignore_ascii_case("content-type") {
            headers.push(param(header));
        }
    }
    let mut operation = UpstreamOperation {
        label: item.label(),
        method: request.method.clone(),
        path: url.path.iter().filter(|s| !s.is_empty()).map(|s| segment(s)).collect(),
        query: Vec::new(),
        headers: Vec::new(),
        body_fields: BTreeSet::new(),
        multipart_parts: BTreeSet::new(),
        binary_response: false,
        auth,
        examples: Vec::new(),
    };
    read_body(request.body.as_ref(), &mut operation);
    let description = [item.description.as_str(), request.description.as_str()].join("\n");
    for (kind, table_params) in description::tables(&description) {
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
    for response in &item.responses {
        operation.binary_response |= is_binary_content(&response.headers);
        operation.examples.push(Example {
            name: response.name.clone(),
            status: response.code,
            body: ExampleBody::read(&response.body_text),
        });
    }
    operation.examples.extend(description::response_examples(&description));
    Some(operation)
}

fn read_body(body: Option<&Body>, operation: &mut UpstreamOperation) {
    match body {
        Some(Body::Json(value)) => operation.body_fields.extend(field_paths(value)),
        Some(Body::Raw(text)) => {
            if let ExampleBody::Json { value, .. } = ExampleBody::read(text) {
                operation.body_fields.extend(field_paths(&value));
            }
        }
        Some(Body::Other { mode, body }) if mode == "formdata" || mode == "urlencoded" => {
            let list = body.get(mode.as_str()).and_then(Value::as_array).into_iter().flatten();
            let names = list.filter_map(|part| part.get("key").and_then(Value::as_str)).map(str::to_string);
            if mode == "formdata" {
                operation.multipart_parts.extend(names);
            } else {
                operation.body_fields.extend(names);
            }
        }
        _ => {}
    }
}

fn credentials(auth: &Auth) -> BTreeSet<Credential> {
    match auth {
        Auth::NoAuth => BTreeSet::new(),
        Auth::Bearer => [Credential::Bearer].into(),
        Auth::ApiKey { name, in_query: true } => [Credential::Query(name.clone())].into(),
        Auth::ApiKey { name, in_query: false } => [Credential::Header(name.clone())].into(),
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

fn param(entry: &Entry) -> Param {
    let required = if entry.disabled {
        Some(false)
    } else if entry.description.contains("(Required)") {
        Some(true)
    } else {
        None
    };
    Param { name: entry.key.clone(), required }
}

fn is_binary_content(headers: &[(String, String)]) -> bool {
    headers.iter().any(|(key, value)| {
        let content_type = value.to_ascii_lowercase();
        key.eq_ignore_ascii_case("content-type")
            && !content_type.is_empty()
            && !content_type.contains("json")
            && !content_type.starts_with("text/")
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

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

    #[test]
    fn reads_raw_urls_with_a_doubled_scheme() {
        let collection = json!({"item": [
            {"name": "a", "request": {"method": "GET", "url": "https://https://h.io/api/v2/x?a=1"}},
            {"name": "b", "request": {"method": "GET", "url": "{{baseUrl}}/v1/:id?a=1&b=&c"}},
            {"name": "none", "request": {"method": "GET", "url": ""}}
        ]});
        let upstream = read(&collection);
        let routes: Vec<String> = upstream.operations.iter().map(UpstreamOperation::route).collect();
        assert_eq!(routes, ["GET /api/v2/x", "GET /v1/{id}"]);
        let query: Vec<&str> = upstream.operations[1].query.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(query, ["a", "b", "c"]);
    }
}
