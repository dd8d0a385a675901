//! The sandbox route table of a spec (`generated/<crate>/src/sandbox.json`), and
//! `cargo xtask sandbox <provider> [--port N]`, which serves it for manual use.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};
use whatsapp_sdk_runtime::sandbox::routes::{BodyRule, CredentialPlacement, ErrorShape, Route, RouteTable, Success};

use crate::config;
use crate::spec::{self, Operation, Spec, SpecError};

/// The statuses the sandbox answers with an error body.
const ERROR_STATUSES: [(u16, &str); 3] = [(401, "unauthorized"), (404, "not_found"), (422, "unprocessable_entity")];

/// The route table of a checked spec, pretty-printed so that reviewers can read its diffs.
pub fn routes_json(provider: &str, spec: &Spec) -> Result<String, SpecError> {
    let table = route_table(provider, spec)?;
    let json = serde_json::to_string_pretty(&table).map_err(|e| error(spec, "", format!("route table: {e}")))?;
    Ok(json + "\n")
}

/// Every operation of `spec` as the sandbox serves it, sorted by operation id.
pub fn route_table(provider: &str, spec: &Spec) -> Result<RouteTable, SpecError> {
    let reader = Reader { spec };
    let base_path = reader.base_path();
    let mut operations: Vec<&Operation> = spec.operations.iter().collect();
    operations.sort_by(|a, b| a.operation_id.cmp(&b.operation_id));
    let routes = operations.into_iter().map(|op| reader.route(op, &base_path)).collect::<Result<_, _>>()?;
    Ok(RouteTable { provider: provider.to_string(), base_path, errors: reader.error_shape()?, routes })
}

fn error(spec: &Spec, pointer: &str, message: String) -> SpecError {
    SpecError { spec: spec.file.clone(), pointer: pointer.to_string(), message }
}

struct Reader<'s> {
    spec: &'s Spec,
}

impl<'s> Reader<'s> {
    fn document(&self) -> &'s Value {
        &self.spec.document
    }

    /// Follows a local `$ref` (one level, as the spec rules allow).
    fn resolve(&self, value: &'s Value) -> &'s Value {
        match value.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => self.document().pointer(pointer).unwrap_or(&Value::Null),
            None => value,
        }
    }

    /// The path of `servers[0].url`: `https://host/api/v2/` → `/api/v2`.
    fn base_path(&self) -> String {
        let url = self.document().pointer("/servers/0/url").and_then(Value::as_str).unwrap_or_default();
        let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
        let path = after_scheme.find('/').map_or("", |index| &after_scheme[index..]);
        path.trim_end_matches('/').to_string()
    }

    fn route(&self, op: &Operation, base_path: &str) -> Result<Route, SpecError> {
        let item = &self.document()["paths"][&op.path];
        let operation = &item[&op.method];
        let parameters: Vec<&Value> = [item.get("parameters"), operation.get("parameters")]
            .into_iter()
            .flatten()
            .filter_map(Value::as_array)
            .flatten()
            .map(|p| self.resolve(p))
            .filter(|p| p["required"] == true)
            .collect();
        let required_in = |location: &str| -> Vec<String> {
            parameters
                .iter()
                .filter(|p| p["in"] == location)
                .filter_map(|p| p["name"].as_str())
                .map(String::from)
                .collect()
        };
        Ok(Route {
            operation: op.operation_id.clone(),
            method: op.method.to_uppercase(),
            path: format!("{base_path}{}", op.path),
            credentials: self.credentials(op, operation)?,
            required_query: required_in("query"),
            required_headers: required_in("header"),
            body: self.body(operation),
            success: self.success(op, operation)?,
        })
    }

    fn credentials(&self, op: &Operation, operation: &Value) -> Result<Vec<Vec<CredentialPlacement>>, SpecError> {
        let in_body = operation.get("x-credential-in-body").and_then(Value::as_str);
        let alternatives: Vec<Vec<CredentialPlacement>> = op
            .security
            .iter()
            .map(|alternative| {
                alternative
                    .iter()
                    .map(|name| {
                        let scheme = &self.document()["components"]["securitySchemes"][name];
                        let text = |key: &str| scheme[key].as_str().unwrap_or_default().to_string();
                        match (scheme["type"].as_str(), scheme["in"].as_str()) {
                            (Some("http"), _) => Ok(CredentialPlacement::Header {
                                name: "Authorization".into(),
                                scheme: Some(capitalized(&text("scheme"))),
                            }),
                            (Some("apiKey"), Some("header")) => {
                                Ok(CredentialPlacement::Header { name: text("name"), scheme: None })
                            }
                            (Some("apiKey"), Some("query")) => Ok(match in_body {
                                Some(field) => CredentialPlacement::Body { field: field.to_string() },
                                None => CredentialPlacement::Query { name: text("name") },
                            }),
                            _ => Err(error(
                                self.spec,
                                &spec::pointer(["components", "securitySchemes", name.as_str()]),
                                "the sandbox supports http and header or query apiKey schemes".into(),
                            )),
                        }
                    })
                    .collect::<Result<_, _>>()
            })
            .collect::<Result<_, _>>()?;
        // Two schemes can travel the same way (Wapio's two bearer tokens): the sandbox sees one.
        let mut unique = Vec::new();
        for alternative in alternatives {
            if !unique.contains(&alternative) {
                unique.push(alternative);
            }
        }
        Ok(unique)
    }

    fn body(&self, operation: &Value) -> Option<BodyRule> {
        let body = self.resolve(operation.get("requestBody")?);
        if body["required"] != true {
            return None;
        }
        let (content_type, media) = body["content"].as_object()?.iter().next()?;
        let required_fields = match content_type.as_str() {
            "multipart/form-data" | "application/json" => self.required_fields(&media["schema"]),
            _ => Vec::new(),
        };
        Some(BodyRule { content_type: content_type.clone(), required_fields })
    }

    /// Top-level fields every value of `schema` has: its `required`, those of all `allOf`
    /// parts, those common to every `oneOf`/`anyOf` variant, and a discriminator.
    fn required_fields(&self, schema: &'s Value) -> Vec<String> {
        let schema = self.resolve(schema);
        let mut fields: Vec<String> =
            schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).map(String::from).collect();
        for part in schema["allOf"].as_array().into_iter().flatten() {
            fields.extend(self.required_fields(part));
        }
        for key in ["oneOf", "anyOf"] {
            let variants: Vec<Vec<String>> =
                schema[key].as_array().into_iter().flatten().map(|v| self.required_fields(v)).collect();
            if let Some((first, rest)) = variants.split_first() {
                fields.extend(first.iter().filter(|f| rest.iter().all(|v| v.contains(f))).cloned());
            }
        }
        fields.extend(schema.pointer("/discriminator/propertyName").and_then(Value::as_str).map(String::from));
        let mut seen = std::collections::BTreeSet::new();
        fields.retain(|field| seen.insert(field.clone()));
        fields
    }

    fn success(&self, op: &Operation, operation: &'s Value) -> Result<Success, SpecError> {
        let responses = operation["responses"].as_object().into_iter().flatten();
        let Some((code, response)) = responses.filter(|(code, _)| code.starts_with('2')).min_by_key(|(code, _)| *code)
        else {
            return Err(error(self.spec, &op.pointer(), "the operation documents no success response".into()));
        };
        let status = code.parse().unwrap_or(200);
        let content = self.resolve(response)["content"].as_object().and_then(|content| content.iter().next());
        let Some((media_type, media)) = content else {
            return Ok(Success { status, content_type: None, body: Value::Null });
        };
        let body = match self.example(media) {
            Some(example) => example.clone(),
            None if is_json(media_type) => Value::Object(Map::new()),
            None => Value::String(format!("sandbox {media_type} body of {}", op.operation_id)),
        };
        Ok(Success { status, content_type: Some(media_type.clone()), body })
    }

    /// The first documented example of a media object: `example`, `examples`, or the schema's.
    fn example(&self, media: &'s Value) -> Option<&'s Value> {
        media
            .get("example")
            .or_else(|| media["examples"].as_object()?.values().next().map(|e| &self.resolve(e)["value"]))
            .or_else(|| self.resolve(&media["schema"]).get("example"))
    }

    /// The error schema most error responses share, and the body the sandbox builds from it.
    fn error_shape(&self) -> Result<ErrorShape, SpecError> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, media) in self.error_media() {
            if let Some(reference) = media.pointer("/schema/$ref").and_then(Value::as_str) {
                *counts.entry(reference).or_default() += 1;
            }
        }
        let Some((reference, _)) =
            counts.iter().max_by_key(|(reference, count)| (**count, std::cmp::Reverse(**reference)))
        else {
            return Err(error(self.spec, "/paths", "no error response has a JSON schema".into()));
        };
        let name = reference.rsplit('/').next().unwrap_or_default().to_string();
        let schema = self.resolve(&self.document()["components"]["schemas"][&name]);
        let properties = schema["properties"].as_object().cloned().unwrap_or_default();
        let is_string = |key: &str| properties.get(key).is_some_and(|p| self.resolve(p)["type"] == "string");
        // `error` first: Verloop documents `{"error": …}` and declares `message` only as seen in traffic.
        let message_field = ["error", "message"]
            .into_iter()
            .find(|key| is_string(key))
            .map(String::from)
            .or_else(|| properties.keys().find(|key| is_string(key)).cloned())
            .ok_or_else(|| {
                error(self.spec, reference.trim_start_matches('#'), "the error schema has no string field".into())
            })?;
        let details_field = properties
            .iter()
            .find(|(key, p)| key.as_str() == "errors" && self.resolve(p)["type"] == "object")
            .map(|(key, _)| key.clone());
        let bodies = ERROR_STATUSES
            .into_iter()
            .map(|(status, reason)| (status, self.fixed_error_fields(&properties, status, reason)))
            .collect();
        Ok(ErrorShape { schema: name, message_field, details_field, bodies })
    }

    /// The fields of an error body that do not depend on the request: a success flag (`false`
    /// or `0`) and a reason code, taken from a documented example of the status when there is one.
    fn fixed_error_fields(&self, properties: &Map<String, Value>, status: u16, reason: &str) -> Map<String, Value> {
        let mut fields = Map::new();
        for (key, property) in properties {
            let property = self.resolve(property);
            let types: Vec<&str> = std::iter::once(property)
                .chain(property["oneOf"].as_array().into_iter().flatten().map(|v| self.resolve(v)))
                .filter_map(|p| p["type"].as_str())
                .collect();
            if key == "success" || key == "ok" {
                if types.contains(&"boolean") {
                    fields.insert(key.clone(), Value::Bool(false));
                } else if types.contains(&"integer") {
                    fields.insert(key.clone(), Value::from(0));
                }
            } else if property.get("enum").is_some() && (key.contains("code") || key.contains("reason")) {
                let documented = self.documented_error_value(status, key);
                fields.insert(key.clone(), Value::String(documented.unwrap_or_else(|| reason.to_string())));
            }
        }
        fields
    }

    /// A non-empty string at `field` in some documented error example of `status`.
    fn documented_error_value(&self, status: u16, field: &str) -> Option<String> {
        self.error_media()
            .filter(|(code, _)| *code == status.to_string())
            .filter_map(|(_, media)| self.example(media)?.get(field)?.as_str())
            .find(|value| !value.is_empty())
            .map(String::from)
    }

    /// `(status, media object)` of every error response, in document order.
    fn error_media(&self) -> impl Iterator<Item = (&'s str, &'s Value)> + '_ {
        self.spec.operations.iter().flat_map(move |op| {
            let responses = self.document()["paths"][&op.path][&op.method]["responses"].as_object();
            responses.into_iter().flatten().filter(|(code, _)| code.starts_with('4') || code.starts_with('5')).flat_map(
                move |(code, response)| {
                    let content = self.resolve(response)["content"].as_object();
                    content.into_iter().flatten().map(move |(_, media)| (code.as_str(), media))
                },
            )
        })
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(chars.map(|c| c.to_ascii_lowercase())).collect()
}

fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.ends_with("+json")
}

/// `cargo xtask sandbox <provider> [--port N]`: serves the provider's route table until Ctrl-C.
pub fn run(args: &[String]) -> Result<ExitCode> {
    let mut provider = None;
    let mut port = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let value = args.next().context("`--port` needs a number")?;
                port = Some(value.parse::<u16>().with_context(|| format!("`{value}` is not a port"))?);
            }
            flag if flag.starts_with("--") => bail!("unknown flag `{flag}`"),
            name if provider.is_none() => provider = Some(name.to_string()),
            extra => bail!("unexpected argument `{extra}`"),
        }
    }
    let root = config::workspace_root()?;
    let providers = config::providers(&root)?;
    let name = provider.context("name a provider: cargo xtask sandbox <provider> [--port N]")?;
    let Some(provider) = providers.iter().find(|p| p.name == name) else {
        bail!("no provider `{name}` in xtask/providers.toml");
    };
    let path = provider.spec_path(&root);
    let checked = spec::load(&path).map_err(|e| vec![e]).and_then(|document| spec::check(&path, document));
    let json = checked
        .and_then(|spec| routes_json(&provider.name, &spec).map_err(|e| vec![e]))
        .map_err(|errors| anyhow::anyhow!(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")))?;
    let runtime = tokio::runtime::Runtime::new().context("starting the Tokio runtime")?;
    runtime.block_on(serve(&json, port))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(json: &str, port: Option<u16>) -> Result<()> {
    let table: RouteTable = serde_json::from_str(json)?;
    let sandbox = whatsapp_sdk_runtime::sandbox::Sandbox::start(json, port).await?;
    println!("{} sandbox listening on {}", table.provider, sandbox.url());
    if let Some(route) = table.routes.iter().find(|r| r.method == "GET" && r.credentials.len() <= 1) {
        println!("try:\n  {}", sample_curl(&sandbox.url(), &table.base_path, route));
    }
    println!("Ctrl-C stops it.");
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    Ok(())
}

/// A curl command line that the route answers with its example.
fn sample_curl(url: &str, base_path: &str, route: &Route) -> String {
    let path: Vec<String> = route.path[base_path.len()..]
        .split('/')
        .map(|segment| if segment.starts_with('{') { "example".to_string() } else { segment.to_string() })
        .collect();
    let mut query: Vec<String> = route.required_query.iter().map(|name| format!("{name}=example")).collect();
    let mut headers = Vec::new();
    for placement in route.credentials.first().into_iter().flatten() {
        match placement {
            CredentialPlacement::Header { name, scheme: Some(scheme) } => {
                headers.push(format!("{name}: {scheme} test-token"))
            }
            CredentialPlacement::Header { name, scheme: None } => headers.push(format!("{name}: test-token")),
            CredentialPlacement::Query { name } => query.push(format!("{name}=test-token")),
            CredentialPlacement::Body { .. } => {}
        }
    }
    let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
    let headers: String = headers.iter().map(|h| format!(" -H '{h}'")).collect();
    format!("curl -i{headers} '{url}{}{query}'", path.join("/"))
}
