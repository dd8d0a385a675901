//! Property test: documented response bodies, mutated (dropped fields, wrong types, unknown enum
//! values, extra fields, huge numbers, deep nesting, truncation), decode through the same
//! function the generated clients call (`Runtime::respond`) into either a value or a typed
//! error — never a panic.

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use whatsapp_sdk_runtime::{Config, ErrorKind, NoCredential, OperationSpec, Reply, Runtime};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support;

const CASES_PER_PROVIDER: u32 = 10_000;

/// A documented response body and the component schema its operation and status decode into.
#[derive(Debug, Clone)]
struct Example {
    label: String,
    status: u16,
    schema: String,
    body: Value,
}

/// Every response example of a spec: `example` and `examples.*.value` of each response's
/// JSON content, following `$ref`s into `components.responses`.
fn spec_examples(spec_file: &str) -> (Vec<Example>, BTreeSet<String>) {
    let text = std::fs::read_to_string(support::workspace_root().join("specs").join(spec_file)).unwrap();
    let spec: Value = serde_yaml::from_str(&text).unwrap();
    let mut examples = Vec::new();
    let mut schemas = BTreeSet::new();
    for (template, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(responses) = operation["responses"].as_object() else { continue };
            for (code, response) in responses {
                let response = match response["$ref"].as_str() {
                    Some(pointer) => spec.pointer(pointer.trim_start_matches('#')).unwrap(),
                    None => response,
                };
                let Some(media) = response["content"].get("application/json") else { continue };
                let Some(reference) = media["schema"]["$ref"].as_str() else { continue };
                let schema = reference.rsplit('/').next().unwrap().to_string();
                schemas.insert(schema.clone());
                let status = match code.as_str() {
                    "4XX" => 400,
                    "5XX" | "default" => 500,
                    code => code.parse().unwrap(),
                };
                let named =
                    media["examples"].as_object().into_iter().flatten().map(|(n, e)| (n.clone(), e["value"].clone()));
                for (name, body) in
                    media.get("example").map(|e| ("example".to_string(), e.clone())).into_iter().chain(named)
                {
                    let label = format!("{method} {template} {code} {name}");
                    examples.push(Example { label, status, schema: schema.clone(), body });
                }
            }
        }
    }
    (examples, schemas)
}

/// What decoding a body gave.
enum Outcome {
    Value,
    TypedError,
}

/// A public (no credential), non-idempotent operation: the decoding under test does not depend
/// on which operation it is, and nothing is retried.
static OPERATION: OperationSpec = OperationSpec {
    provider: "fuzz",
    id: "decode",
    method: "POST",
    path: "/{status}",
    security: &[],
    idempotency_header: None,
    credential_body_field: None,
    success_content_type: None,
    error_content_type: None,
};

/// Answers `POST /{status}` with that status and the request's body as the response body: the
/// runtime decodes only responses it received, so every mutated body makes one round trip
/// through a local server.
struct Echo;

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let status: u16 = request.url.path().trim_start_matches('/').parse().expect("the path is a status");
        ResponseTemplate::new(status).set_body_raw(request.body.clone(), "application/json")
    }
}

struct Harness {
    tokio: tokio::runtime::Runtime,
    server: MockServer,
    http: reqwest::Client,
    runtime: Runtime,
}

static HARNESS: LazyLock<Harness> = LazyLock::new(|| {
    let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let server = tokio.block_on(async {
        let server = MockServer::builder().disable_request_recording().start().await;
        Mock::given(wiremock::matchers::any()).respond_with(Echo).mount(&server).await;
        server
    });
    let config = Config::new(server.uri()).with_max_retries(0);
    let http = config.http_client().expect("an HTTP client");
    Harness { tokio, server, http, runtime: Runtime::new(NoCredential, &config) }
});

/// A response type decoded as an operation's error body (the spec's error schemas get their
/// `ErrorBody` from the generator; these name no message).
#[derive(Debug, serde::Deserialize)]
#[serde(transparent)]
struct AsErrorBody<T>(T);

impl<T> whatsapp_sdk_runtime::ErrorBody for AsErrorBody<T> {
    fn code(&self) -> Option<&str> {
        None
    }

    fn message(&self) -> Option<&str> {
        None
    }
}

/// Decodes as the generated code does: the response goes through `Runtime::respond`, a success
/// status classified as `Reply::Success` into `T`, an error status as `Reply::Error` into the
/// error body type. Display, Debug and re-serialization run too, since a caller will do all three.
fn decode<T: DeserializeOwned + Serialize + Debug>(status: u16, body: Vec<u8>) -> Outcome {
    let harness = &*HARNESS;
    let url = format!("{}/{status}", harness.server.uri());
    let build = || Ok(harness.http.post(&url).body(body.clone()).build().unwrap());
    let reply = |status: u16| if (200..300).contains(&status) { Reply::Success } else { Reply::Error };
    let result = harness.tokio.block_on(harness.runtime.respond::<T, AsErrorBody<T>, _, _>(
        &harness.http,
        &OPERATION,
        build,
        reply,
    ));
    match result {
        Ok(value) => {
            assert_eq!(value.status().as_u16(), status);
            serde_json::to_string(&value.into_inner()).expect("a decoded value serializes");
            Outcome::Value
        }
        Err(error) => {
            assert_eq!(error.status().map(|s| s.as_u16()), Some(status), "{error:?}");
            match error.kind() {
                ErrorKind::InvalidResponse(_) => assert!((200..300).contains(&status), "{error:?}"),
                ErrorKind::Api(_) | ErrorKind::UnexpectedResponse(_) => {
                    assert!(!(200..300).contains(&status), "{error:?}")
                }
                _ => panic!("decoding gave an error that is not about the response: {error:?}"),
            }
            let shown = format!("{error} {error:?}");
            assert!(!shown.is_empty());
            Outcome::TypedError
        }
    }
}

/// One `match` arm per response schema of a spec, so a new schema without an arm fails
/// [`every_response_schema_has_a_decoder`].
macro_rules! decoder {
    ($name:ident, $types:path, [$($schema:ident),* $(,)?]) => {
        fn $name(schema: &str, status: u16, body: Vec<u8>) -> Option<Outcome> {
            use $types as types;
            match schema {
                $(stringify!($schema) => Some(decode::<types::$schema>(status, body)),)*
                _ => None,
            }
        }
    };
}

decoder!(
    wapio_decode,
    wapio::types,
    [
        Contact,
        ContactList,
        CreateSessionResponse,
        ErrorEnvelope,
        Group,
        GroupInviteInfo,
        GroupInviteLink,
        GroupList,
        GroupMetadata,
        GroupParticipantList,
        MessageInfo,
        MessageLogList,
        OnWhatsAppResult,
        ProfilePicture,
        SendMessageAccepted,
        Session,
        SessionKeyResponse,
        SessionList,
        SessionOperation,
        SessionQrCode,
        SessionSettingsResponse,
    ]
);

decoder!(
    verloop_decode,
    verloop_partner::types,
    [
        AnalyticsResponse,
        CreateTemplateResponse,
        ErrorResponse,
        GetPhoneNumberResponse,
        ListClientsResponse,
        ListPhoneNumbersResponse,
        ListTemplatesResponse,
        LoginResponse,
        MediaDownloadQueuedResponse,
        PhoneTokenResponse,
        SendMessageResponse,
        SuccessResponse,
        UploadMediaResponse,
        WabaBusinessAccount,
    ]
);

decoder!(
    woztell_decode,
    woztell::types,
    [
        BusinessProfileResponse,
        BusinessPublicKeyListResponse,
        CatalogListResponse,
        ConversationAnalyticsResponse,
        CreateFlowResponse,
        CreateTemplateResponse,
        DisplayNameStatusResponse,
        ErrorResponse,
        FlowDetailResponse,
        FlowListResponse,
        FlowPreviewResponse,
        FlowScreenPayloadResponse,
        OkResponse,
        ProductListResponse,
        SuccessResponse,
        TemplateListResponse,
        UpdateFlowJsonResponse,
        UploadMediaResponse,
        WabaInfoResponse,
    ]
);

type Decoder = fn(&str, u16, Vec<u8>) -> Option<Outcome>;

const PROVIDERS: [(&str, Decoder); 3] =
    [("wapio.yaml", wapio_decode), ("verloop-partner.yaml", verloop_decode), ("woztell.yaml", woztell_decode)];

/// One change to a documented body. Node indices pick among all nodes (or all object fields)
/// of the body in document order, modulo their count.
#[derive(Debug, Clone)]
enum Mutation {
    DropField(usize),
    WrongType(usize, u8),
    UnknownString(usize),
    ExtraField(usize, u8),
    HugeNumber(usize, u8),
    DeepNesting(usize, u16),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DropField),
        (any::<usize>(), any::<u8>()).prop_map(|(n, k)| Mutation::WrongType(n, k)),
        any::<usize>().prop_map(Mutation::UnknownString),
        (any::<usize>(), any::<u8>()).prop_map(|(n, k)| Mutation::ExtraField(n, k)),
        (any::<usize>(), any::<u8>()).prop_map(|(n, k)| Mutation::HugeNumber(n, k)),
        (any::<usize>(), 1u16..3000).prop_map(|(n, d)| Mutation::DeepNesting(n, d)),
    ]
}

/// JSON pointers of every node, in document order.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                pointers(child, format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
}

const HUGE_NUMBERS: [&str; 6] = [
    "1e400",
    "-1e400",
    "18446744073709551616",
    "-9223372036854775809",
    "1234567890123456789012345678901234567890.5",
    "4294967296",
];

/// Applies the mutations; raw JSON that a `Value` cannot hold (huge numbers, nesting past
/// serde_json's depth limit) goes in as placeholders replaced in the serialized text.
fn mutate(mut body: Value, mutations: &[Mutation]) -> String {
    let mut raw = Vec::new();
    for mutation in mutations {
        let mut nodes = Vec::new();
        pointers(&body, String::new(), &mut nodes);
        let pick = |n: usize| nodes[n % nodes.len()].clone();
        match *mutation {
            Mutation::DropField(n) => {
                let fields: Vec<&String> = nodes.iter().filter(|p| !p.is_empty()).collect();
                if let Some(field) = fields.get(n % fields.len().max(1)) {
                    let (parent, key) = field.rsplit_once('/').unwrap();
                    match body.pointer_mut(parent) {
                        Some(Value::Object(map)) => {
                            map.remove(&key.replace("~1", "/").replace("~0", "~"));
                        }
                        Some(Value::Array(items)) => {
                            items.remove(key.parse::<usize>().unwrap());
                        }
                        _ => {}
                    }
                }
            }
            Mutation::WrongType(n, kind) => {
                let target = body.pointer_mut(&pick(n)).unwrap();
                *target = match (kind % 6, &*target) {
                    (0, Value::String(_)) | (1, Value::String(_)) => json!(42),
                    (0, _) => json!("a string"),
                    (1, _) => json!(true),
                    (2, _) => Value::Null,
                    (3, _) => json!([1, "two"]),
                    (4, _) => json!({"unexpected": "object"}),
                    _ => json!(-0.5),
                };
            }
            Mutation::UnknownString(n) => {
                let target = body.pointer_mut(&pick(n)).unwrap();
                *target = json!("A_VALUE_NO_SPEC_LISTS");
            }
            Mutation::ExtraField(n, k) => {
                if let Some(Value::Object(map)) = body.pointer_mut(&pick(n)) {
                    map.insert(format!("field_added_later_{k}"), json!({"nested": [k]}));
                }
            }
            Mutation::HugeNumber(n, k) => {
                let token = format!("__fuzz_raw_{}__", raw.len());
                raw.push((token.clone(), HUGE_NUMBERS[k as usize % HUGE_NUMBERS.len()].to_string()));
                *body.pointer_mut(&pick(n)).unwrap() = Value::String(token);
            }
            Mutation::DeepNesting(n, depth) => {
                let token = format!("__fuzz_raw_{}__", raw.len());
                let depth = depth as usize;
                let nested = if depth.is_multiple_of(2) {
                    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
                } else {
                    format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
                };
                raw.push((token.clone(), nested));
                *body.pointer_mut(&pick(n)).unwrap() = Value::String(token);
            }
        }
    }
    let mut text = body.to_string();
    for (token, literal) in raw {
        text = text.replace(&format!("\"{token}\""), &literal);
    }
    text
}

fn fuzz_provider(spec_file: &str, decoder: Decoder) {
    let (examples, _) = spec_examples(spec_file);
    assert!(!examples.is_empty(), "{spec_file} documents no response example");
    let values = AtomicUsize::new(0);
    let errors = AtomicUsize::new(0);
    let case = (0..examples.len(), prop::collection::vec(mutation(), 0..4), prop::option::of(any::<usize>()));
    let config = ProptestConfig { cases: CASES_PER_PROVIDER, failure_persistence: None, ..ProptestConfig::default() };
    TestRunner::new(config)
        .run(&case, |(index, mutations, truncate_at)| {
            let example = &examples[index];
            let mut body = mutate(example.body.clone(), &mutations).into_bytes();
            if let Some(at) = truncate_at {
                body.truncate(at % (body.len() + 1));
            }
            let outcome = decoder(&example.schema, example.status, body).expect("every schema has a decoder");
            match outcome {
                Outcome::Value => values.fetch_add(1, Ordering::Relaxed),
                Outcome::TypedError => errors.fetch_add(1, Ordering::Relaxed),
            };
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{spec_file}: {failure}"));
    let (values, errors) = (values.into_inner(), errors.into_inner());
    println!("{spec_file}: {} examples, {values} decoded to values, {errors} to typed errors", examples.len());
    assert!(values + errors >= CASES_PER_PROVIDER as usize);
    assert!(values > 0 && errors > 0, "the mutations exercise both outcomes ({values} values, {errors} errors)");
}

#[test]
fn wapio_mutated_responses_never_panic() {
    fuzz_provider(PROVIDERS[0].0, PROVIDERS[0].1);
}

#[test]
fn verloop_mutated_responses_never_panic() {
    fuzz_provider(PROVIDERS[1].0, PROVIDERS[1].1);
}

#[test]
fn woztell_mutated_responses_never_panic() {
    fuzz_provider(PROVIDERS[2].0, PROVIDERS[2].1);
}

/// The decoders cover every response schema, and every documented example decodes unmutated.
#[test]
fn every_response_schema_has_a_decoder() {
    for (spec_file, decoder) in PROVIDERS {
        let (examples, schemas) = spec_examples(spec_file);
        for schema in &schemas {
            assert!(decoder(schema, 200, b"{}".to_vec()).is_some(), "{spec_file}: no decoder arm for `{schema}`");
        }
        for example in &examples {
            let body = example.body.to_string().into_bytes();
            let decoded = decoder(&example.schema, example.status, body).unwrap();
            let expected_value = (200..300).contains(&example.status);
            assert_eq!(matches!(decoded, Outcome::Value), expected_value, "{spec_file}: {}", example.label);
        }
    }
}
