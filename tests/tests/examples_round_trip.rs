//! Every documented response example (read from the upstream documents by `xtask::audit`'s
//! readers, so upstream is the source), for every operation and status of all three providers,
//! plus Verloop's webhook examples, is deserialized into the generated type of that operation
//! and status and serialized back without losing a field (absent and null count as equal, and so
//! does an empty list, which the generated types skip for an optional array field; numbers
//! compare by value).

use std::collections::BTreeSet;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use xtask::audit::schema::conform_placeholders;
use xtask::audit::spec_model::{SpecModel, json_schema};
use xtask::audit::upstream::{self, Example, ExampleBody};
use xtask::config;

type RoundTrip = fn(&Value) -> Result<(), String>;

fn round_trip<T: DeserializeOwned + Serialize>(value: &Value) -> Result<(), String> {
    let typed: T = serde_json::from_value(value.clone()).map_err(|e| format!("does not deserialize: {e}"))?;
    let back = serde_json::to_value(&typed).map_err(|e| format!("does not serialize: {e}"))?;
    if equivalent(value, &back) {
        Ok(())
    } else {
        Err(format!("changed on the way back:\n  documented: {value}\n  re-serialized: {back}"))
    }
}

/// JSON equality where an absent member equals a `null` or `[]` one and numbers compare by value.
fn equivalent(a: &Value, b: &Value) -> bool {
    let absent = |member: Option<&Value>| match member {
        None | Some(Value::Null) => true,
        Some(Value::Array(items)) => items.is_empty(),
        Some(_) => false,
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().all(|key| {
                let (p, q) = (x.get(key), y.get(key));
                (absent(p) && absent(q)) || matches!((p, q), (Some(p), Some(q)) if equivalent(p, q))
            })
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equivalent(p, q)),
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn wapio_type(schema: &str) -> Option<RoundTrip> {
    use wapio::types::*;
    Some(match schema {
        "Contact" => round_trip::<Contact>,
        "ContactList" => round_trip::<ContactList>,
        "CreateSessionResponse" => round_trip::<CreateSessionResponse>,
        "ErrorEnvelope" => round_trip::<ErrorEnvelope>,
        "Group" => round_trip::<Group>,
        "GroupInviteInfo" => round_trip::<GroupInviteInfo>,
        "GroupInviteLink" => round_trip::<GroupInviteLink>,
        "GroupList" => round_trip::<GroupList>,
        "GroupMetadata" => round_trip::<GroupMetadata>,
        "GroupParticipantList" => round_trip::<GroupParticipantList>,
        "MessageInfo" => round_trip::<MessageInfo>,
        "MessageLogList" => round_trip::<MessageLogList>,
        "OnWhatsAppResult" => round_trip::<OnWhatsAppResult>,
        "ProfilePicture" => round_trip::<ProfilePicture>,
        "SendMessageAccepted" => round_trip::<SendMessageAccepted>,
        "Session" => round_trip::<Session>,
        "SessionKeyResponse" => round_trip::<SessionKeyResponse>,
        "SessionList" => round_trip::<SessionList>,
        "SessionOperation" => round_trip::<SessionOperation>,
        "SessionQrCode" => round_trip::<SessionQrCode>,
        "SessionSettingsResponse" => round_trip::<SessionSettingsResponse>,
        _ => return None,
    })
}

fn verloop_type(schema: &str) -> Option<RoundTrip> {
    use verloop_partner::types::*;
    Some(match schema {
        "AnalyticsResponse" => round_trip::<AnalyticsResponse>,
        "CreateTemplateResponse" => round_trip::<CreateTemplateResponse>,
        "ErrorResponse" => round_trip::<ErrorResponse>,
        "GetPhoneNumberResponse" => round_trip::<GetPhoneNumberResponse>,
        "ListClientsResponse" => round_trip::<ListClientsResponse>,
        "ListPhoneNumbersResponse" => round_trip::<ListPhoneNumbersResponse>,
        "ListTemplatesResponse" => round_trip::<ListTemplatesResponse>,
        "LoginResponse" => round_trip::<LoginResponse>,
        "MediaDownloadQueuedResponse" => round_trip::<MediaDownloadQueuedResponse>,
        "PhoneTokenResponse" => round_trip::<PhoneTokenResponse>,
        "SendMessageResponse" => round_trip::<SendMessageResponse>,
        "SuccessResponse" => round_trip::<SuccessResponse>,
        "UploadMediaResponse" => round_trip::<UploadMediaResponse>,
        "WabaBusinessAccount" => round_trip::<WabaBusinessAccount>,
        "WebhookEvent" => round_trip::<WebhookEvent>,
        _ => return None,
    })
}

fn woztell_type(schema: &str) -> Option<RoundTrip> {
    use woztell::types::*;
    Some(match schema {
        "BusinessProfileResponse" => round_trip::<BusinessProfileResponse>,
        "BusinessPublicKeyListResponse" => round_trip::<BusinessPublicKeyListResponse>,
        "CatalogListResponse" => round_trip::<CatalogListResponse>,
        "ConversationAnalyticsResponse" => round_trip::<ConversationAnalyticsResponse>,
        "CreateFlowResponse" => round_trip::<CreateFlowResponse>,
        "CreateTemplateResponse" => round_trip::<CreateTemplateResponse>,
        "DisplayNameStatusResponse" => round_trip::<DisplayNameStatusResponse>,
        "ErrorResponse" => round_trip::<ErrorResponse>,
        "FlowDetailResponse" => round_trip::<FlowDetailResponse>,
        "FlowListResponse" => round_trip::<FlowListResponse>,
        "FlowPreviewResponse" => round_trip::<FlowPreviewResponse>,
        "FlowScreenPayloadResponse" => round_trip::<FlowScreenPayloadResponse>,
        "OkResponse" => round_trip::<OkResponse>,
        "ProductListResponse" => round_trip::<ProductListResponse>,
        "SuccessResponse" => round_trip::<SuccessResponse>,
        "TemplateListResponse" => round_trip::<TemplateListResponse>,
        "UpdateFlowJsonResponse" => round_trip::<UpdateFlowJsonResponse>,
        "UploadMediaResponse" => round_trip::<UploadMediaResponse>,
        "WabaInfoResponse" => round_trip::<WabaInfoResponse>,
        _ => return None,
    })
}

/// A documented example with the schema its operation and status declare.
struct Case {
    label: String,
    schema: String,
    value: Value,
}

fn case(spec: &SpecModel, label: String, example: &Example, schema: &Value) -> Option<Case> {
    let (value, placeholders) = match &example.body {
        ExampleBody::Empty => return None,
        ExampleBody::Unreadable(reason) => panic!("{label}: unreadable example: {reason}"),
        ExampleBody::Json { value, placeholders } => (value, placeholders),
    };
    let name = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()).unwrap_or_else(|| panic!("{label}: no $ref"));
    Some(Case {
        label,
        schema: name.to_string(),
        value: conform_placeholders(&spec.document, schema, value, placeholders),
    })
}

/// The spec of `provider` and every documented example with a body, from its upstream document.
fn cases(provider: &str) -> (SpecModel, Vec<Case>) {
    let root = config::workspace_root().unwrap();
    let provider = config::providers(&root).unwrap().into_iter().find(|p| p.name == provider).unwrap();
    let spec = SpecModel::load(&provider.spec_path(&root)).unwrap();
    let documented = upstream::load(&root.join("specs").join(provider.upstream.as_ref().unwrap())).unwrap();
    let mut cases = Vec::new();
    for operation in &documented.operations {
        let found = spec.find(&operation.method, &operation.path).unwrap_or_else(|| panic!("{}", operation.route()));
        for example in &operation.examples {
            let status = example.status.or_else(|| spec.success_status(found)).unwrap();
            let label = format!("{} {status} `{}`", found.operation_id, example.name);
            let (_, response) = spec.response(found, status).unwrap_or_else(|| panic!("{label}: status"));
            let Some((_, schema)) = json_schema(response) else {
                assert_eq!(example.body, ExampleBody::Empty, "{label}: a body where the spec has none");
                continue;
            };
            cases.extend(case(&spec, label, example, schema));
        }
    }
    for example in &documented.webhook_examples {
        let schema = spec.webhook_schema().expect("the spec names the webhook schema");
        cases.extend(case(&spec, format!("webhook `{}`", example.name), example, &schema));
    }
    (spec, cases)
}

/// The `$ref` names of every JSON response schema the spec declares.
fn response_schema_names(spec: &SpecModel) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for operation in &spec.operations {
        let responses = spec.node(operation)["responses"].as_object().unwrap();
        for code in responses.keys() {
            let status = code.replace(['X', 'x'], "0").parse().unwrap_or(200);
            if let Some((_, response)) = spec.response(operation, status)
                && let Some((name, _)) = json_schema(response)
            {
                names.insert(name.to_string());
            }
        }
    }
    names.extend(spec.webhook_schema().and_then(|s| Some(s["$ref"].as_str()?.rsplit('/').next()?.to_string())));
    names
}

fn check_provider(provider: &str, type_of: fn(&str) -> Option<RoundTrip>, at_least: usize) {
    let (spec, cases) = cases(provider);
    let unmapped: Vec<String> =
        response_schema_names(&spec).into_iter().filter(|name| type_of(name).is_none()).collect();
    assert_eq!(unmapped, Vec::<String>::new(), "{provider}: response schemas with no arm in the test's match");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let run = type_of(&case.schema).unwrap_or_else(|| panic!("{}: no arm for `{}`", case.label, case.schema));
            run(&case.value).err().map(|error| format!("{} as {}: {error}", case.label, case.schema))
        })
        .collect();
    println!("{provider}: {} documented examples round-tripped", cases.len());
    assert!(failures.is_empty(), "{provider}:\n{}", failures.join("\n"));
    assert!(cases.len() >= at_least, "{provider}: only {} examples", cases.len());
}

#[test]
fn wapio_examples_round_trip() {
    check_provider("wapio", wapio_type, 40);
}

#[test]
fn verloop_examples_and_webhooks_round_trip() {
    let (_, cases) = cases("verloop-partner");
    assert_eq!(cases.iter().filter(|c| c.schema == "WebhookEvent").count(), 6, "the webhook page's six examples");
    check_provider("verloop-partner", verloop_type, 25);
}

#[test]
fn woztell_examples_round_trip() {
    check_provider("woztell", woztell_type, 24);
}

#[test]
fn losing_a_field_or_a_type_fails_the_round_trip() {
    assert!(round_trip::<woztell::types::OkResponse>(&serde_json::json!({"ok": 1, "surprise": true})).is_err());
    assert!(round_trip::<woztell::types::OkResponse>(&serde_json::json!({"ok": "one"})).is_err());
    assert!(round_trip::<woztell::types::OkResponse>(&serde_json::json!({"ok": 1})).is_ok());
}
