//! Shared by the crate's tests: the specs' request schemas, local servers that record what
//! they receive, and clients pointed at them.

use std::path::PathBuf;

use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const WAPIO_TOKEN: &str = "bps_pat_messaging_test";
pub const VERLOOP_PHONE_TOKEN: &str = "verloop-phone-token";

/// The workspace root (the directory holding `specs/`).
pub fn workspace_root() -> PathBuf {
    // Read when the test runs (cargo sets it), not fixed at compile time: checkouts sharing a
    // target directory share test binaries.
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo test")).join("../..")
}

/// A spec as JSON.
pub fn spec(file: &str) -> Value {
    let text = std::fs::read_to_string(workspace_root().join("specs").join(file)).expect("the spec is readable");
    serde_yaml::from_str(&text).expect("the spec is YAML")
}

/// The JSON request-body schema of `method path`.
pub fn request_schema<'a>(spec: &'a Value, path: &str, method: &str) -> &'a Value {
    let escaped = path.replace('~', "~0").replace('/', "~1");
    spec.pointer(&format!("/paths/{escaped}/{method}/requestBody/content/application~1json/schema"))
        .unwrap_or_else(|| panic!("{method} {path} has a JSON request body"))
}

fn resolve<'a>(spec: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        schema = spec.pointer(reference.trim_start_matches('#')).expect("the $ref resolves");
    }
    schema
}

/// What `value` breaks of `schema` (OpenAPI 3.0: `$ref`, `oneOf` with exactly one match,
/// `enum`, `type`, `nullable`, `required`, `properties`, `additionalProperties`, `items`).
pub fn schema_problems(spec: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    let schema = resolve(spec, schema);
    if let Some(variants) = schema.get("oneOf").and_then(Value::as_array) {
        let outcomes: Vec<Vec<String>> =
            variants.iter().map(|variant| schema_problems(spec, variant, value, at)).collect();
        let matches = outcomes.iter().filter(|problems| problems.is_empty()).count();
        if matches == 1 {
            return Vec::new();
        }
        let closest = outcomes.into_iter().min_by_key(Vec::len).unwrap_or_default();
        return vec![format!("{at}: matches {matches} oneOf variants, not one; closest: {closest:?}")];
    }
    let mut problems = Vec::new();
    if value.is_null() {
        if !schema.get("nullable").and_then(Value::as_bool).unwrap_or(false) {
            problems.push(format!("{at}: null is not allowed"));
        }
        return problems;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        problems.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    let fits = match schema.get("type").and_then(Value::as_str) {
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some("array") => value.is_array(),
        Some("object") => value.is_object(),
        _ => true,
    };
    if !fits {
        problems.push(format!("{at}: {value} is not of type {}", schema["type"]));
        return problems;
    }
    if let Value::Object(members) = value {
        for required in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            let name = required.as_str().unwrap_or_default();
            if !members.contains_key(name) {
                problems.push(format!("{at}: required member `{name}` is missing"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, member) in members {
            let here = format!("{at}/{name}");
            match (properties.and_then(|p| p.get(name)), schema.get("additionalProperties")) {
                (Some(property), _) => problems.extend(schema_problems(spec, property, member, &here)),
                (None, Some(Value::Bool(true))) => {}
                (None, Some(additional @ Value::Object(_))) => {
                    problems.extend(schema_problems(spec, additional, member, &here))
                }
                (None, _) if properties.is_none() => {}
                (None, _) => problems.push(format!("{here}: not a member the schema declares")),
            }
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, schema.get("items")) {
        for (index, item) in items.iter().enumerate() {
            problems.extend(schema_problems(spec, item_schema, item, &format!("{at}/{index}")));
        }
    }
    problems
}

/// A local server answering every request with `status` and `body`, recording what it receives.
pub async fn recording_server(status: u16, body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(status).set_body_json(body)).mount(&server).await;
    server
}

/// Wapio's documented `202` answer to `send_message`.
pub fn wapio_accepted() -> Value {
    json!({"msgId": "wamid.wapio-1", "jid": "15551234567@s.whatsapp.net", "status": "queued"})
}

/// Verloop's `200` answer to `send_message` for one accepted message.
pub fn verloop_sent() -> Value {
    json!({"SuccessMessages": [{"ID": "wamid.verloop-1", "Message": "sent"}], "ErrorMessages": []})
}

pub fn wapio_client(base_url: &str) -> wapio::Client<wapio::AccountToken> {
    let config = wapio::config().with_base_url(base_url).with_max_retries(0);
    wapio::Client::with_config(config, wapio::AccountToken::new(WAPIO_TOKEN).unwrap()).unwrap()
}

pub fn verloop_messaging(base_url: &str) -> verloop_partner::Messaging {
    let config = verloop_partner::config().with_base_url(base_url).with_max_retries(0);
    verloop_partner::Messaging::with_config(
        config,
        verloop_partner::PhoneNumberToken::new(VERLOOP_PHONE_TOKEN).unwrap(),
    )
    .unwrap()
}
