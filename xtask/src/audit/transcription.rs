//! Reader for a structured transcription of a doc page (`specs/upstream/woztell.yaml`; its
//! `conventions` block describes the format) into the [`Upstream`] model.
//!
//! Per endpoint: `http_method` (else `method`), `path`, `auth` (one name or a list of names
//! required together: `accessToken-query`, `accessToken-body`, `signedContext`), `query` and
//! `headers` (`name`, `required`), body fields: `body` (`name` as a dotted path, `[]` for array
//! items) and the members of the request examples (`example_request` when it is a JSON body,
//! `example_requests[].body`), and `example_response` (the success body; the doc shows no
//! status codes).

use std::collections::BTreeSet;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::model::{
    Credential, Example, ExampleBody, Param, Upstream, UpstreamOperation, field_paths, merge_by_route, segment,
};

pub fn read(document: &Value) -> Result<Upstream> {
    let endpoints = document.get("endpoints").and_then(Value::as_array).context("`endpoints` is not a list")?;
    let mut operations = Vec::new();
    for (index, endpoint) in endpoints.iter().enumerate() {
        let name = string(endpoint, "name").unwrap_or_else(|| format!("endpoint {index}"));
        operations.push(read_endpoint(endpoint, &name).with_context(|| format!("endpoint `{name}`"))?);
    }
    Ok(Upstream { operations: merge_by_route(operations), webhook_examples: Vec::new() })
}

fn read_endpoint(endpoint: &Value, name: &str) -> Result<UpstreamOperation> {
    let method = string(endpoint, "http_method").or_else(|| string(endpoint, "method")).context("no `method`")?;
    let path = string(endpoint, "path").context("no `path`")?;
    let auth = match endpoint.get("auth") {
        None => None,
        Some(Value::String(one)) => Some(credentials(one)?),
        Some(Value::Array(names)) => {
            let mut all = BTreeSet::new();
            for name in names {
                all.extend(credentials(name.as_str().context("an `auth` entry is not a string")?)?);
            }
            Some(all)
        }
        Some(other) => bail!("`auth` is neither a name nor a list: {other}"),
    };
    let examples = endpoint
        .get("example_response")
        .map(|body| Example {
            name: "example_response".into(),
            status: None,
            body: ExampleBody::Json { value: body.clone(), placeholders: BTreeSet::new() },
        })
        .into_iter()
        .collect();
    Ok(UpstreamOperation {
        label: name.to_string(),
        method: method.to_ascii_uppercase(),
        path: path.trim_start_matches('/').split('/').filter(|s| !s.is_empty()).map(segment).collect(),
        query: params(endpoint.get("query"))?,
        headers: params(endpoint.get("headers"))?,
        body_fields: body_fields(endpoint)?,
        multipart_parts: BTreeSet::new(),
        binary_response: false,
        auth,
        examples,
    })
}

fn body_fields(endpoint: &Value) -> Result<BTreeSet<String>> {
    let mut fields: BTreeSet<String> = params(endpoint.get("body"))?.into_iter().map(|p| p.name).collect();
    let titled = endpoint.get("example_requests").and_then(Value::as_array).into_iter().flatten();
    let examples = endpoint.get("example_request").into_iter().chain(titled.filter_map(|e| e.get("body")));
    for example in examples.filter(|e| e.is_object()) {
        fields.extend(field_paths(example));
    }
    Ok(fields)
}

fn credentials(name: &str) -> Result<BTreeSet<Credential>> {
    Ok(match name {
        "accessToken-query" => [Credential::Query("accessToken".into())].into(),
        "accessToken-body" => [Credential::BodyField("accessToken".into())].into(),
        "signedContext" => {
            [Credential::Header("X-Woztell-Payload".into()), Credential::Header("X-Woztell-SignedContext".into())]
                .into()
        }
        "none" => BTreeSet::new(),
        other => bail!("unknown auth `{other}`"),
    })
}

fn params(list: Option<&Value>) -> Result<Vec<Param>> {
    let Some(list) = list else { return Ok(Vec::new()) };
    let entries = list.as_array().context("a parameter list is not a list")?;
    entries
        .iter()
        .map(|entry| {
            Ok(Param {
                name: string(entry, "name").context("a parameter has no `name`")?,
                required: entry.get("required").and_then(Value::as_bool),
            })
        })
        .collect()
}

fn string(node: &Value, key: &str) -> Option<String> {
    node.get(key).and_then(Value::as_str).map(str::to_string)
}
