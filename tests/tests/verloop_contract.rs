//! Contract tests of the `verloop-partner` client against the provider's Postman v2.0 collection
//! (`specs/upstream/000_7b90d7aae97adcfa.txt`) and the repaired examples of
//! `specs/verloop-partner.yaml`:
//!
//! - every request item (22 items, one per operation) is rebuilt with the typed builders, the way
//!   a user writes it, and sent to a local wiremock server; the test checks that exactly the
//!   request the collection documents arrives: method, path, query (wire spellings), the
//!   `Authorization` header the spec's security names (the raw System User token, the raw Phone
//!   Number token, or none for `/auth`), the JSON body, and the multipart parts of the upload;
//! - every documented response example (the collection's saved responses and the spec's
//!   examples, plus a binary body for `get_media`) is served back, and the client must return
//!   exactly that value: the typed success value, the downloaded bytes, or `ErrorKind::Api` with the
//!   documented error body.
//!
//! Where the collection is not JSON (request bodies with `//` comments and unquoted
//! placeholders, saved responses with `Success: true` or trailing commas), the spec's repaired
//! example for the same operation is used instead; the set of such items is pinned below, so a
//! change upstream or in the spec is noticed.
//!
//! Each item is mapped to its `operationId` by matching its method and path (relative to the
//! spec's server path `/api/v2`) against the path templates of the spec. The client is pointed
//! at `http://127.0.0.1:<port>/api/v2`, so the path that arrives is the collection's whole path.
//! Nothing leaves 127.0.0.1.

use crate::support;

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use futures::StreamExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use support::routes::SpecRoutes;
use support::{header_values, request_line_problems, without_nulls};
use verloop_partner::prelude::*;
use verloop_partner::{Config, ErrorKind, MediaUpload, Response, types};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};
use xtask::audit::postman::replay::{self as postman, PostmanBody, PostmanItem};

const COLLECTION: &str = "specs/upstream/000_7b90d7aae97adcfa.txt";
const SPEC: &str = "specs/verloop-partner.yaml";
const SYSTEM_USER_TOKEN: &str = "sut-contract";
const PHONE_NUMBER_TOKEN: &str = "pnt-contract";
/// The host of every request URL in the collection (and of its `baseUrl` variable).
const HOST: &str = "https://partners.verloop.com";
/// The host the collection's introduction text names instead (also the spec's second server).
const DOCUMENTED_IO_HOST: &str = "https://partners.verloop.io";
const EXPECTED_ITEMS: usize = 22;
const EXPECTED_OPERATIONS: usize = 22;
/// 19 saved responses of the collection + 23 response examples of the spec + get_media's binary body.
const EXPECTED_RESPONSE_CASES: usize = 43;
const EXPECTED_COLLECTION_EXAMPLES: usize = 19;

/// Items of the collection that are not operations, with the reason.
const SKIPPED_ITEMS: &[(&str, &str)] =
    &[("Webhooks / Messaging/Template Webhooks / New Request", "an empty GET with no URL, not an operation")];

/// Request items whose URL is written with another host than [`HOST`] (the client always uses
/// its configured base URL; only the path is checked): item, host as written.
const REQUEST_HOST_QUIRKS: &[(&str, &str)] = &[
    // A doubled scheme (read as one: the path starts after the second host).
    ("Acess Tokens / GetPhoneToken", "https://https://partners.verloop.com"),
];

/// Saved examples whose `originalRequest` URL is not under the collection's `baseUrl`: item,
/// example, everything before `/api/v2` as written.
const SAVED_EXAMPLE_HOST_QUIRKS: &[(&str, &str, &str)] = &[
    // The same doubled scheme, with one slash lost: Postman parsed `https` as the host.
    ("Acess Tokens / GetPhoneToken", "Successful Response", "https://https:/partners.verloop.com"),
];

/// Operations whose collection request body is not JSON, the spec example used instead (`None`:
/// the single `example`; `Some(name)`: that entry of `examples`), and what is wrong upstream.
const REPAIRED_REQUEST_BODIES: &[(&str, Option<&str>, &str)] = &[
    ("create_template", None, "`\"ClientID\": some-client-id` unquoted, `{{object}}` as the template, `//` comments"),
    (
        "request_otp",
        None,
        "unquoted `meta-phone-identifier`, `{{PhoneNumber}}`, `{{Method}}`, `some-client-id`; `//` comments",
    ),
    ("verify_otp", None, "unquoted placeholders (`Code` is `{{Method}}`); `//` comments"),
    ("register_phone_number", None, "unquoted placeholders; `//` comments"),
    ("migrate_phone_number", None, "unquoted placeholders, WABA IDs as bare `0000000000000000`; `//` comments"),
    ("set_cart", None, "unquoted placeholders; `//` comments"),
    ("set_catalog", Some("enable"), "unquoted placeholders; `//` comments"),
    ("send_message", None, "`//` comments, unquoted `318-521-5324`, empty `type`"),
];

/// Operations whose saved response in the collection is not JSON (the spec's `200` example is
/// served instead), and what is wrong upstream.
const REPAIRED_RESPONSES: &[(&str, &str)] = &[
    ("create_phone_number", "`{ Success: true }`: unquoted key"),
    ("list_clients", "a trailing comma after each client's last member"),
    ("set_cart", "`{ Success: true }`: unquoted key"),
    ("set_catalog", "`{ Success: true }`: unquoted key"),
];

/// Real mismatches between the collection and the spec or client that the tests cannot fix
/// legitimately; each test asserts that exactly these fail. Empty: none is known.
const KNOWN_MISMATCHES: &[&str] = &[];

/// The file `upload_media` sends (the collection's `file` part points at a file on someone's
/// disk): JPEG markers, a NUL, CR LF and a fake delimiter, so the multipart framing is tested.
const UPLOAD_BYTES: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\r\n--not-the-boundary\r\n\xFF\xD9";

/// The parts of the upload form, in the order the client sends them.
const UPLOAD_PARTS: [&str; 4] = ["client_id", "file", "file_name", "file_type"];

static SPEC_DOC: LazyLock<Value> = LazyLock::new(|| {
    let path = support::workspace_root().join(SPEC);
    serde_yaml::from_str(&std::fs::read_to_string(&path).expect("the spec is readable")).expect("the spec is YAML")
});

static ROUTES: LazyLock<SpecRoutes> = LazyLock::new(|| SpecRoutes::from_document(&SPEC_DOC));

static COLLECTION_DOC: LazyLock<Value> = LazyLock::new(|| {
    let path = support::workspace_root().join(COLLECTION);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("the collection is readable"))
        .expect("the collection is JSON")
});

static CASES: LazyLock<Cases> = LazyLock::new(load_cases);

// ------------------------------------------------------------------------------------------ spec

/// The URL of the spec's `index`-th server, split into host and path (`/api/v2`).
fn spec_server(index: usize) -> (String, String) {
    let url = SPEC_DOC["servers"][index]["url"].as_str().expect("the spec lists servers");
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let (host, path) = url.split_at(after_scheme + url[after_scheme..].find('/').unwrap_or(url.len() - after_scheme));
    (host.to_string(), path.to_string())
}

/// The path every request URL starts with (`/api/v2`).
fn base_path() -> String {
    spec_server(0).1
}

fn spec_operation(op: &str) -> &'static Value {
    let (method, template) = ROUTES.route_of(op).unwrap_or_else(|| panic!("`{op}` is not an operation of {SPEC}"));
    &SPEC_DOC["paths"][template][method.to_ascii_lowercase()]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Credential {
    None,
    SystemUser,
    PhoneNumber,
}

/// The credential the spec's `security` names for an operation.
fn credential_of(op: &str) -> Credential {
    let security = spec_operation(op)["security"].as_array().unwrap_or_else(|| panic!("`{op}` lists no security"));
    let schemes: Vec<&str> = security
        .iter()
        .flat_map(|requirement| requirement.as_object().into_iter().flatten().map(|(k, _)| k.as_str()))
        .collect();
    match schemes.as_slice() {
        [] => Credential::None,
        ["systemUserToken"] => Credential::SystemUser,
        ["phoneNumberToken"] => Credential::PhoneNumber,
        other => panic!("`{op}`: unexpected security schemes {other:?}"),
    }
}

/// The spec's JSON request body examples of an operation: `example` under the key `example`,
/// each entry of `examples` under its own name.
fn spec_request_examples(op: &str) -> BTreeMap<String, Value> {
    examples_of(&spec_operation(op)["requestBody"]["content"]["application/json"])
}

fn examples_of(media: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    if let Some(example) = media.get("example") {
        out.insert("example".to_string(), example.clone());
    }
    for (name, entry) in media.get("examples").and_then(Value::as_object).into_iter().flatten() {
        out.insert(name.clone(), entry["value"].clone());
    }
    out
}

/// The spec's example for the success of `op` (its first 2xx JSON example).
fn spec_success_example(op: &str) -> Option<Value> {
    spec_response_cases().into_iter().find(|case| case.op == op && (200..300).contains(&case.status)).and_then(|case| {
        match case.expected {
            Expected::Json(value) => Some(value),
            Expected::Bytes(_) => None,
        }
    })
}

/// A binary body for media downloads: every byte value, twice.
fn binary_sample() -> Vec<u8> {
    (0..=255u8).chain(0..=255u8).collect()
}

/// One served response per documented response example of the spec; a non-JSON success
/// without example (`get_media`'s `application/octet-stream`) gets [`binary_sample`].
fn spec_response_cases() -> Vec<ResponseCase> {
    let mut cases = Vec::new();
    for (template, item) in SPEC_DOC["paths"].as_object().expect("the spec has paths") {
        for (method, operation) in item.as_object().expect("a path item is an object") {
            let op = operation["operationId"].as_str().unwrap_or_else(|| panic!("{method} {template}: no operationId"));
            for (status, response) in operation["responses"].as_object().expect("an operation has responses") {
                if response.get("$ref").is_some() {
                    continue; // the shared 4XX/5XX responses, which hold no example
                }
                let status: u16 =
                    status.parse().unwrap_or_else(|_| panic!("`{op}`: response `{status}` has its own content"));
                for (content_type, media) in response["content"].as_object().into_iter().flatten() {
                    let examples = examples_of(media);
                    let headers = vec![("Content-Type".to_string(), content_type.clone())];
                    if examples.is_empty() {
                        assert_ne!(
                            content_type, "application/json",
                            "`{op}` {status}: a JSON response without example"
                        );
                        cases.push(ResponseCase {
                            label: format!("spec: {op} {status} {content_type} (binary sample)"),
                            op: op.to_string(),
                            status,
                            headers: headers.clone(),
                            body: binary_sample(),
                            expected: Expected::Bytes(binary_sample()),
                        });
                    }
                    for (name, value) in examples {
                        cases.push(ResponseCase {
                            label: format!("spec: {op} {status} {content_type} `{name}`"),
                            op: op.to_string(),
                            status,
                            headers: headers.clone(),
                            body: serde_json::to_vec(&value).expect("an example serializes"),
                            expected: Expected::Json(value),
                        });
                    }
                }
            }
        }
    }
    cases
}

// ------------------------------------------------------------------------------------ collection

/// One request item of the collection, normalized: the host un-doubled, the body repaired when
/// it is not JSON.
#[derive(Debug, Clone)]
struct RequestCase {
    label: String,
    op: String,
    /// The host as written in the item's URL.
    written_host: String,
    method: String,
    /// The whole path (`/api/v2/whatsapp/…`).
    path: String,
    query: Vec<(String, String)>,
    /// The collection's `Authorization` header value, when set and non-empty.
    authorization: Option<String>,
    /// The collection's other headers with a value.
    other_headers: Vec<(String, String)>,
    body: RequestBody,
}

#[derive(Debug, Clone)]
enum RequestBody {
    None,
    Json(Value),
    Form(Vec<FormField>),
}

#[derive(Debug, Clone)]
enum FormField {
    Text { key: String, value: String },
    File { key: String, src: String },
}

#[derive(Debug, Clone)]
struct ResponseCase {
    label: String,
    op: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    expected: Expected,
}

#[derive(Debug, Clone, PartialEq)]
enum Expected {
    Json(Value),
    Bytes(Vec<u8>),
}

/// Everything the tests read from the collection.
struct Cases {
    requests: Vec<RequestCase>,
    /// The collection's saved responses (repaired where not JSON).
    collection_responses: Vec<ResponseCase>,
    /// Labels of items left out as not operations.
    skipped: Vec<String>,
    /// Operations whose request body was replaced by the spec's example.
    repaired_requests: BTreeSet<String>,
    /// Operations whose saved response was replaced by the spec's example.
    repaired_responses: BTreeSet<String>,
    /// Saved examples that carry an HTTP status (the collection saves none).
    examples_with_status: Vec<String>,
    /// Saved JSON examples that differ from the spec's success example of the same operation.
    example_disagreements: Vec<String>,
    /// Valid JSON request bodies that are none of the spec's request examples.
    request_example_disagreements: Vec<String>,
    /// Repaired request bodies that name a key the spec's example does not have.
    repair_key_problems: Vec<String>,
}

/// The host meant by a host as written: the reader keeps a doubled scheme
/// (`https://https://host`) in the host, and the inner scheme is the one meant.
fn meant_host(written: &str) -> &str {
    match written.split_once("://") {
        Some((_, inner)) if inner.contains("://") => inner,
        _ => written,
    }
}

/// The operation an item reaches, from its method and its path below the spec's server path.
fn operation_of(label: &str, method: &str, path: &str) -> String {
    let base = base_path();
    let relative = path
        .strip_prefix(&base)
        .unwrap_or_else(|| panic!("{label}: the path {path} is not under the server path {base}"));
    ROUTES.match_request(method, relative).unwrap_or_else(|e| panic!("{label}: {e}")).operation_id
}

/// The quoted keys (`"Key":`) of a text that is meant to be a JSON object.
fn quoted_keys(raw: &str) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let mut rest = raw;
    while let Some(start) = rest.find('"') {
        let Some(len) = rest[start + 1..].find('"') else { break };
        let key = &rest[start + 1..start + 1 + len];
        rest = &rest[start + len + 2..];
        if rest.trim_start().starts_with(':') {
            keys.insert(key.to_string());
        }
    }
    keys
}

fn object_keys(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                out.insert(key.clone());
                object_keys(member, out);
            }
        }
        Value::Array(elements) => elements.iter().for_each(|e| object_keys(e, out)),
        _ => {}
    }
}

fn load_cases() -> Cases {
    let mut cases = Cases {
        requests: Vec::new(),
        collection_responses: Vec::new(),
        skipped: Vec::new(),
        repaired_requests: BTreeSet::new(),
        repaired_responses: BTreeSet::new(),
        examples_with_status: Vec::new(),
        example_disagreements: Vec::new(),
        request_example_disagreements: Vec::new(),
        repair_key_problems: Vec::new(),
    };
    for item in postman::parse(&COLLECTION_DOC) {
        if item.request.host.is_empty() && item.request.path.is_empty() {
            cases.skipped.push(item.label());
            continue;
        }
        let request = request_case(&item, &mut cases);
        for example in &item.responses {
            let label = format!("collection: {} `{}`", item.label(), example.name);
            if example.code.is_some() {
                cases.examples_with_status.push(label.clone());
            }
            let status = example.code.unwrap_or(200);
            let (body, expected) = match &example.body {
                Some(parsed) => {
                    let spec = spec_success_example(&request.op);
                    if (200..300).contains(&status) && spec.as_ref() != Some(parsed) {
                        cases
                            .example_disagreements
                            .push(format!("{label}: the saved body {parsed} differs from the spec's example {spec:?}"));
                    }
                    (example.body_text.clone().into_bytes(), parsed.clone())
                }
                None if example.body_text.trim().is_empty() => (Vec::new(), Value::Null),
                None => {
                    cases.repaired_responses.insert(request.op.clone());
                    let repaired = spec_success_example(&request.op)
                        .unwrap_or_else(|| panic!("{label} is not JSON and the spec has no example to repair it"));
                    (serde_json::to_vec(&repaired).expect("an example serializes"), repaired)
                }
            };
            cases.collection_responses.push(ResponseCase {
                label,
                op: request.op.clone(),
                status,
                headers: example.headers.clone(),
                body,
                expected: Expected::Json(expected),
            });
        }
        cases.requests.push(request);
    }
    cases
}

fn request_case(item: &PostmanItem, cases: &mut Cases) -> RequestCase {
    let label = item.label();
    let req = &item.request;
    let host = meant_host(&req.host);
    let (io_host, _) = spec_server(1);
    assert!(host == HOST || host == io_host, "{label}: the host {host} is none of the spec's servers");
    let path = req.path_string();
    let op = operation_of(&label, &req.method, &path);
    let body = match &req.body {
        None => RequestBody::None,
        Some(PostmanBody::Json(value)) => {
            if !spec_request_examples(&op).values().any(|example| example == value) {
                cases
                    .request_example_disagreements
                    .push(format!("{label} ({op}): the body {value} is no spec example"));
            }
            RequestBody::Json(value.clone())
        }
        Some(PostmanBody::Raw(raw)) => {
            cases.repaired_requests.insert(op.clone());
            let examples = spec_request_examples(&op);
            let name = REPAIRED_REQUEST_BODIES.iter().find(|r| r.0 == op).and_then(|r| r.1).unwrap_or("example");
            let repaired = examples
                .get(name)
                .unwrap_or_else(|| panic!("{label} ({op}): no spec request example `{name}` to repair the body with"))
                .clone();
            let mut keys = BTreeSet::new();
            object_keys(&repaired, &mut keys);
            let missing: Vec<String> = quoted_keys(raw).difference(&keys).cloned().collect();
            if !missing.is_empty() {
                cases
                    .repair_key_problems
                    .push(format!("{label} ({op}): the repair `{name}` lacks the keys {missing:?}"));
            }
            RequestBody::Json(repaired)
        }
        Some(PostmanBody::Other { mode, body }) if mode == "formdata" => RequestBody::Form(
            body["formdata"]
                .as_array()
                .expect("formdata is a list")
                .iter()
                .filter(|field| !field["disabled"].as_bool().unwrap_or(false))
                .map(|field| {
                    let key = field["key"].as_str().expect("a form field has a key").to_string();
                    match field["type"].as_str() {
                        Some("file") => {
                            FormField::File { key, src: field["src"].as_str().unwrap_or_default().to_string() }
                        }
                        _ => FormField::Text {
                            key,
                            value: postman::substitute(field["value"].as_str().unwrap_or_default()),
                        },
                    }
                })
                .collect(),
        ),
        Some(other) => panic!("{label}: a body the client cannot send: {other:?}"),
    };
    let (authorization, other_headers) = req.headers.iter().filter(|(_, value)| !value.is_empty()).fold(
        (None, Vec::new()),
        |(mut auth, mut others), (key, value)| {
            if key.eq_ignore_ascii_case("authorization") {
                auth = Some(value.clone());
            } else {
                others.push((key.clone(), value.clone()));
            }
            (auth, others)
        },
    );
    RequestCase {
        label,
        op,
        written_host: req.host.clone(),
        method: req.method.clone(),
        path,
        query: req.query.clone(),
        authorization,
        other_headers,
        body,
    }
}

fn request_for(op: &str) -> &'static RequestCase {
    CASES.requests.iter().find(|case| case.op == op).unwrap_or_else(|| panic!("no collection item reaches `{op}`"))
}

// ------------------------------------------------------------------------------------ dispatcher

/// What a call returned.
enum Reply {
    Json(Value),
    Bytes(Vec<u8>),
    LoggedIn(Box<Management>),
}

/// The handles a user holds, all pointed at the local server.
struct Clients {
    config: Config,
    management: Management,
    messaging: Messaging,
}

fn config_for(server: &MockServer) -> Config {
    verloop_partner::config().with_base_url(format!("{}{}", server.uri(), base_path())).with_max_retries(0)
}

fn clients_for(server: &MockServer) -> Clients {
    clients_with(config_for(server))
}

fn clients_with(config: Config) -> Clients {
    let management =
        Management::with_config(config.clone(), SystemUserToken::new(SYSTEM_USER_TOKEN).expect("a valid token"))
            .expect("a management handle");
    let messaging =
        Messaging::with_config(config.clone(), PhoneNumberToken::new(PHONE_NUMBER_TOKEN).expect("a valid token"))
            .expect("a messaging handle");
    Clients { config, management, messaging }
}

/// The collection's request data for one call, as the typed builders take it. It remembers which
/// parts were used: a query parameter, body or form the collection sends but the call did not
/// pass on fails the test instead of being dropped.
struct Args<'a> {
    case: &'a RequestCase,
    used_query: Cell<bool>,
    used_body: Cell<bool>,
}

impl<'a> Args<'a> {
    /// The collection's query parameters, by wire name, for an operation that takes the query
    /// parameters `known`: a parameter the operation does not take fails the test, as does one
    /// sent twice (a builder setter takes one value).
    fn query(&self, known: &[&str]) -> Query<'a> {
        self.used_query.set(true);
        let op = self.case.op.as_str();
        let mut values = BTreeMap::new();
        for (key, value) in &self.case.query {
            if !known.contains(&key.as_str()) {
                unknown_query(op, key);
            }
            if values.insert(key.as_str(), value.as_str()).is_some() {
                panic!("{op}: the collection sends the query parameter `{key}` twice");
            }
        }
        Query { op: self.case.op.as_str(), values }
    }

    /// The JSON body (the collection's, or the spec's repair), deserialized into the typed body.
    fn body<T: DeserializeOwned>(&self) -> T {
        self.used_body.set(true);
        let RequestBody::Json(body) = &self.case.body else {
            panic!("`{}` takes a JSON body; the collection gives {:?}", self.case.op, self.case.body)
        };
        serde_json::from_value(body.clone()).unwrap_or_else(|e| {
            panic!(
                "`{}`: the body does not deserialize into `{}`: {e}\n{body:#}",
                self.case.op,
                std::any::type_name::<T>()
            )
        })
    }

    fn form(&self) -> &'a [FormField] {
        self.used_body.set(true);
        match &self.case.body {
            RequestBody::Form(fields) => fields,
            other => panic!("`{}` takes a form; the collection gives {other:?}", self.case.op),
        }
    }

    fn assert_all_used(&self) {
        let op = &self.case.op;
        assert!(
            self.case.query.is_empty() || self.used_query.get(),
            "`{op}` passes on no query parameter, the collection sends {:?}",
            self.case.query
        );
        assert!(
            matches!(self.case.body, RequestBody::None) || self.used_body.get(),
            "`{op}` sends no body, the collection has one"
        );
    }
}

/// The collection's query parameters of one call, by wire name.
struct Query<'a> {
    op: &'a str,
    values: BTreeMap<&'a str, &'a str>,
}

impl<'a> Query<'a> {
    /// A parameter the operation requires (its builder has no `send` without it).
    fn required(&self, key: &str) -> &'a str {
        let op = self.op;
        self.values.get(key).copied().unwrap_or_else(|| panic!("{op}: the collection sends no required `{key}`"))
    }

    /// An optional parameter, for the builder's `maybe_…` setter.
    fn optional(&self, key: &str) -> Option<&'a str> {
        self.values.get(key).copied()
    }
}

fn int(key: &str, value: &str) -> i32 {
    value.parse().unwrap_or_else(|e| panic!("{key}={value}: {e}"))
}

fn unknown_query(op: &str, key: &str) -> ! {
    panic!("{op}: no builder method for the query parameter `{key}`")
}

/// The success value as JSON.
fn json<T: Serialize, E>(result: Result<Response<T>, E>) -> Result<Reply, verloop_partner::Error>
where
    verloop_partner::Error: From<E>,
{
    let value = result.map_err(verloop_partner::Error::from)?.into_inner();
    Ok(Reply::Json(serde_json::to_value(value).expect("a response value serializes")))
}

/// The file name of a Postman `src` path, and its MIME type from the extension.
fn upload_file(src: &str) -> (String, &'static str) {
    let name = src.rsplit(['/', '\\']).next().unwrap_or(src).to_string();
    let mime = match name.rsplit('.').next().map(str::to_ascii_lowercase).as_deref() {
        Some("jpeg" | "jpg") => "image/jpeg",
        Some("png") => "image/png",
        Some("pdf") => "application/pdf",
        _ => panic!("no MIME type known for the upload `{name}`"),
    };
    (name, mime)
}

/// Calls operation `op` with the collection's request data through the typed builders.
async fn call(clients: &Clients, case: &RequestCase) -> Result<Reply, verloop_partner::Error> {
    let a = Args { case, used_query: Cell::new(false), used_body: Cell::new(false) };
    let m = &clients.management;
    let op = case.op.as_str();
    let result = match op {
        // Access tokens
        "login" => {
            let body: types::LoginRequest = a.body();
            Management::login_with_config(clients.config.clone(), &body.username, &body.password)
                .await
                .map(|management| Reply::LoggedIn(Box::new(management)))
        }
        "get_phone_token" => {
            let q = a.query(&["client_id", "phone_id"]);
            json(m.get_phone_token().client_id(q.required("client_id")).phone_id(q.required("phone_id")).send().await)
        }
        // Templates
        "create_template" => json(m.create_template(a.body::<types::CreateTemplateRequest>()).send().await),
        "list_templates" => {
            let q = a.query(&["ClientID", "Limit", "Offset"]);
            let call = m
                .list_templates()
                .client_id(q.required("ClientID"))
                .maybe_limit(q.optional("Limit").map(|value| int("Limit", value)))
                .maybe_offset(q.optional("Offset"));
            json(call.send().await)
        }
        "delete_template" => {
            let q = a.query(&["ID", "Name", "ClientID"]);
            let call =
                m.delete_template().id(q.required("ID")).name(q.required("Name")).client_id(q.required("ClientID"));
            json(call.send().await)
        }
        // Analytics
        "get_analytics" => {
            let q = a.query(&["client_id", "field"]);
            json(m.get_analytics().client_id(q.required("client_id")).field(q.required("field")).send().await)
        }
        // Media
        "upload_media" => {
            let (mut client_id, mut file) = (None, None);
            for field in a.form() {
                match field {
                    FormField::Text { key, value } if key == "client_id" => client_id = Some(value.as_str()),
                    FormField::File { key, src } if key == "file" => file = Some(upload_file(src)),
                    other => panic!("{op}: no MediaUpload setting for the form field {other:?}"),
                }
            }
            let client_id = client_id.unwrap_or_else(|| panic!("{op}: the form has no client_id"));
            let (file_name, file_type) = file.unwrap_or_else(|| panic!("{op}: the form has no file"));
            let upload = MediaUpload::from_bytes(UPLOAD_BYTES).file_name(file_name).file_type(file_type);
            json(m.upload_media(client_id, upload).await)
        }
        "get_media" => {
            let q = a.query(&["client_id", "id"]);
            match m.get_media().client_id(q.required("client_id")).id(q.required("id")).send().await {
                Ok(response) => {
                    let mut stream = response.into_inner().into_inner();
                    let mut bytes = Vec::new();
                    while let Some(chunk) = stream.next().await {
                        // The runtime's error has no public constructor for a body that breaks
                        // off after the response began, so a broken download fails the test here.
                        let chunk = chunk.unwrap_or_else(|e| panic!("{op}: the download broke off: {e}"));
                        bytes.extend_from_slice(&chunk);
                    }
                    Ok(Reply::Bytes(bytes))
                }
                Err(e) => Err(e),
            }
        }
        "get_media_async" => {
            let q = a.query(&["client_id", "id", "destination_url"]);
            let call = m
                .get_media_async()
                .client_id(q.required("client_id"))
                .id(q.required("id"))
                .destination_url(q.required("destination_url"));
            json(call.send().await)
        }
        // Clients
        "list_clients" => json(m.list_clients().send().await),
        "get_waba_business_account" => {
            let q = a.query(&["ClientID"]);
            json(m.get_waba_business_account().client_id(q.required("ClientID")).send().await)
        }
        // Phone numbers
        "list_phone_numbers" => {
            let q = a.query(&["WABAID", "ClientID"]);
            json(m.list_phone_numbers().wabaid(q.required("WABAID")).client_id(q.required("ClientID")).send().await)
        }
        "create_phone_number" => json(m.create_phone_number(a.body::<types::CreatePhoneNumberRequest>()).send().await),
        "get_phone_number" => {
            let q = a.query(&["PhoneID", "ClientID"]);
            json(m.get_phone_number().phone_id(q.required("PhoneID")).client_id(q.required("ClientID")).send().await)
        }
        "delete_phone_number" => {
            let q = a.query(&["phone_id", "client_id"]);
            let call = m.delete_phone_number().phone_id(q.required("phone_id")).client_id(q.required("client_id"));
            json(call.send().await)
        }
        "request_otp" => json(m.request_otp(a.body::<types::RequestOtpRequest>()).send().await),
        "verify_otp" => json(m.verify_otp(a.body::<types::VerifyOtpRequest>()).send().await),
        "register_phone_number" => {
            json(m.register_phone_number(a.body::<types::RegisterPhoneNumberRequest>()).send().await)
        }
        "migrate_phone_number" => {
            json(m.migrate_phone_number(a.body::<types::MigratePhoneNumberRequest>()).send().await)
        }
        "set_cart" => json(m.set_cart(a.body::<types::SetCartRequest>()).send().await),
        "set_catalog" => json(m.set_catalog(a.body::<types::SetCatalogRequest>()).send().await),
        // Messaging
        "send_message" => json(clients.messaging.send_message(a.body::<types::SendMessageRequest>()).send().await),
        other => panic!("no dispatcher arm for operationId `{other}`: add one to `call`"),
    };
    a.assert_all_used();
    result
}

// --------------------------------------------------------------------------------------- helpers

/// What a call gave, once a login's handle is turned into the token it holds.
#[derive(Debug)]
enum Outcome {
    Json(Value),
    Bytes(Vec<u8>),
}

fn respond(status: u16, headers: &[(String, String)], body: &[u8]) -> ResponseTemplate {
    let mut template = ResponseTemplate::new(status).set_body_bytes(body.to_vec());
    for (key, value) in headers {
        template = template.insert_header(key.as_str(), value.as_str());
    }
    template
}

/// Serves `template` for any request, calls the case's operation, and returns the outcome with
/// the requests the call made.
///
/// A login returns a `Management` handle, which does not show its token; the handle is asked
/// for `list_clients` on the same server, and the `Authorization` that request carries becomes
/// the outcome `{"system_user_token": …}` (the probe is not among the returned requests).
async fn exchange(
    case: &RequestCase,
    template: ResponseTemplate,
) -> (Result<Outcome, verloop_partner::Error>, Vec<wiremock::Request>) {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(template).mount(&server).await;
    let result = call(&clients_for(&server), case).await;
    let received = server.received_requests().await.expect("request recording is on");
    let outcome = match result {
        Ok(Reply::Json(value)) => Ok(Outcome::Json(value)),
        Ok(Reply::Bytes(bytes)) => Ok(Outcome::Bytes(bytes)),
        Ok(Reply::LoggedIn(management)) => {
            let _ = management.list_clients().send().await;
            let probes = server.received_requests().await.expect("request recording is on");
            let probe = &probes[received.len()..];
            let expected_path = format!("{}/whatsapp/list_clients", base_path());
            match probe {
                [probe] if probe.url.path() == expected_path => {
                    let tokens: Vec<&str> =
                        probe.headers.get_all("authorization").iter().filter_map(|v| v.to_str().ok()).collect();
                    match tokens.as_slice() {
                        [token] => Ok(Outcome::Json(json!({"system_user_token": token}))),
                        other => Ok(Outcome::Json(json!({"system_user_token": format!("{other:?}")}))),
                    }
                }
                other => panic!(
                    "the logged-in handle's probe reached {:?}",
                    other.iter().map(|r| r.url.path()).collect::<Vec<_>>()
                ),
            }
        }
        Err(e) => Err(e),
    };
    (outcome, received)
}

/// One part of a multipart/form-data body.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads a multipart/form-data body (RFC 7578) by the boundary of its `Content-Type`.
fn multipart(content_type: &str, body: &[u8]) -> Result<Vec<Part>, String> {
    let mut params = content_type.split(';').map(str::trim);
    if params.next() != Some("multipart/form-data") {
        return Err(format!("the content type is {content_type:?}, not multipart/form-data"));
    }
    let boundary = params
        .find_map(|p| p.strip_prefix("boundary="))
        .map(|b| b.trim_matches('"'))
        .ok_or_else(|| format!("no boundary in {content_type:?}"))?;
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n{delimiter}");
    let mut rest = body.strip_prefix(delimiter.as_bytes()).ok_or("the body does not start with the boundary")?;
    let mut parts = Vec::new();
    loop {
        if let Some(tail) = rest.strip_prefix(b"--") {
            if !tail.iter().all(u8::is_ascii_whitespace) {
                return Err(format!("bytes after the closing boundary: {:?}", String::from_utf8_lossy(tail)));
            }
            return Ok(parts);
        }
        rest = rest.strip_prefix(b"\r\n").ok_or("no CRLF after a boundary")?;
        let header_end = find(rest, b"\r\n\r\n").ok_or("a part without header end")?;
        let headers = std::str::from_utf8(&rest[..header_end]).map_err(|e| format!("part headers: {e}"))?;
        let content = &rest[header_end + 4..];
        let end = find(content, next_delimiter.as_bytes()).ok_or("a part without closing boundary")?;
        let mut part = Part { name: String::new(), file_name: None, content_type: None, body: content[..end].to_vec() };
        for line in headers.split("\r\n") {
            let (key, value) = line.split_once(':').ok_or_else(|| format!("a bad part header {line:?}"))?;
            if key.eq_ignore_ascii_case("content-disposition") {
                for param in value.split(';').map(str::trim) {
                    if let Some(name) = param.strip_prefix("name=") {
                        part.name = name.trim_matches('"').to_string();
                    } else if let Some(name) = param.strip_prefix("filename=") {
                        part.file_name = Some(name.trim_matches('"').to_string());
                    }
                }
            } else if key.eq_ignore_ascii_case("content-type") {
                part.content_type = Some(value.trim().to_string());
            }
        }
        parts.push(part);
        rest = &content[end + next_delimiter.len()..];
    }
}

/// The parts the upload of the collection's form must send.
fn expected_parts(fields: &[FormField]) -> Vec<Part> {
    let text = |name: &str, value: &str| Part {
        name: name.to_string(),
        file_name: None,
        content_type: None,
        body: value.as_bytes().to_vec(),
    };
    let client_id = fields.iter().find_map(|f| match f {
        FormField::Text { key, value } if key == "client_id" => Some(value.as_str()),
        _ => None,
    });
    let src = fields.iter().find_map(|f| match f {
        FormField::File { key, src } if key == "file" => Some(src.as_str()),
        _ => None,
    });
    let (file_name, file_type) = upload_file(src.expect("the collection's form has a file"));
    vec![
        text("client_id", client_id.expect("the collection's form has a client_id")),
        Part {
            name: "file".to_string(),
            file_name: Some(file_name.clone()),
            content_type: Some(file_type.to_string()),
            body: UPLOAD_BYTES.to_vec(),
        },
        text("file_name", &file_name),
        text("file_type", file_type),
    ]
}

/// What is wrong with the requests that arrived for the case, if anything.
fn request_problems(case: &RequestCase, received: &[wiremock::Request]) -> Vec<String> {
    let (sent, mut problems) = match request_line_problems(received, &case.method, &case.path, &case.query) {
        Ok(checked) => checked,
        Err(problems) => return problems,
    };
    let mut check = |ok: bool, problem: String| {
        if !ok {
            problems.push(problem);
        }
    };

    let values = |name: &str| header_values(sent, name);
    let expected_auth: Vec<String> = match credential_of(&case.op) {
        Credential::None => vec![],
        Credential::SystemUser => vec![SYSTEM_USER_TOKEN.to_string()],
        Credential::PhoneNumber => vec![PHONE_NUMBER_TOKEN.to_string()],
    };
    check(
        values("authorization") == expected_auth,
        format!("authorization: sent {:?}, expected {expected_auth:?}", values("authorization")),
    );
    for (key, value) in &case.other_headers {
        check(values(key) == [value.clone()], format!("header {key}: sent {:?}, expected [{value}]", values(key)));
    }

    let content_type = values("content-type").join(", ");
    match &case.body {
        RequestBody::None => {
            check(sent.body.is_empty(), format!("body: sent {:?}, expected none", String::from_utf8_lossy(&sent.body)))
        }
        RequestBody::Json(expected) => {
            check(content_type == "application/json", format!("content-type: sent {content_type:?}"));
            match serde_json::from_slice::<Value>(&sent.body) {
                Ok(body) => check(&body == expected, format!("body: sent {body}, expected {expected}")),
                Err(e) => check(false, format!("body: sent {:?}, not JSON ({e})", String::from_utf8_lossy(&sent.body))),
            }
        }
        RequestBody::Form(fields) => match multipart(&content_type, &sent.body) {
            Ok(parts) => {
                let expected = expected_parts(fields);
                check(parts == expected, format!("multipart: sent {parts:?}, expected {expected:?}"));
            }
            Err(e) => check(false, format!("multipart: {e}")),
        },
    }
    problems
}

/// What is wrong with the client's result for a served response, if anything.
fn response_problem(case: &ResponseCase, result: Result<Outcome, verloop_partner::Error>) -> Option<String> {
    let code = case.status;
    let success = (200..300).contains(&code);
    match (result, &case.expected) {
        (Ok(Outcome::Json(value)), Expected::Json(expected)) if success => (without_nulls(&value)
            != without_nulls(expected))
        .then(|| format!("the client returned {value}, the example is {expected}")),
        (Ok(Outcome::Bytes(bytes)), Expected::Bytes(expected)) if success => (&bytes != expected)
            .then(|| format!("the client returned {} bytes {bytes:?}, expected {expected:?}", bytes.len())),
        (Ok(outcome), _) => {
            Some(format!("HTTP {code}: the client returned Ok({outcome:?}), expected {:?}", case.expected))
        }
        (Err(error), Expected::Json(expected)) if !success && matches!(error.kind(), ErrorKind::Api(_)) => {
            let ErrorKind::Api(api) = error.kind() else { unreachable!("matched as ErrorKind::Api") };
            let body = serde_json::to_value(&api.body).expect("the error body serializes");
            if api.status.as_u16() != code {
                Some(format!("ErrorKind::Api has status {}, expected {code}", api.status))
            } else {
                (without_nulls(&body) != without_nulls(expected))
                    .then(|| format!("the error body is {body}, the example is {expected}"))
            }
        }
        (Err(error), _) => {
            Some(format!("HTTP {code} with body {:?} gave {error:?}", String::from_utf8_lossy(&case.body)))
        }
    }
}

/// The first documented success of the operation, served as the spec documents it.
fn success_template(op: &str) -> ResponseTemplate {
    let case = spec_response_cases()
        .into_iter()
        .find(|case| case.op == op && (200..300).contains(&case.status))
        .unwrap_or_else(|| panic!("the spec documents no success for `{op}`"));
    respond(case.status, &case.headers, &case.body)
}

fn assert_known_mismatches(failing: &BTreeMap<String, Vec<String>>) {
    let failing_keys: BTreeSet<&str> = failing.keys().map(String::as_str).collect();
    let known: BTreeSet<&str> = KNOWN_MISMATCHES.iter().copied().collect();
    let unexpected: Vec<&String> =
        failing.iter().filter(|(key, _)| !known.contains(key.as_str())).flat_map(|(_, m)| m).collect();
    assert!(
        unexpected.is_empty(),
        "{} contract failures are not known mismatches:\n{}",
        unexpected.len(),
        unexpected.iter().map(|m| m.as_str()).collect::<Vec<_>>().join("\n")
    );
    let fixed: Vec<&&str> = known.iter().filter(|key| !failing_keys.contains(**key)).collect();
    assert!(fixed.is_empty(), "known mismatches that no longer fail (remove them from KNOWN_MISMATCHES): {fixed:?}");
}

fn sorted<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'a str> {
    items.into_iter().collect()
}

// ----------------------------------------------------------------------------------------- tests

/// The collection's quirks that need a decision are exactly the ones written down above: the
/// items that are not operations, the hosts, the bodies and responses that are not JSON.
#[test]
fn collection_quirks_are_the_noted_ones() {
    let cases = &*CASES;
    assert_eq!(
        cases.skipped.iter().map(String::as_str).collect::<Vec<_>>(),
        SKIPPED_ITEMS.iter().map(|s| s.0).collect::<Vec<_>>(),
        "items left out as not operations"
    );

    // Hosts: the `baseUrl` variable is the spec's first server; the `.io` host of the spec's second
    // server is only named by the introduction text, never by a request URL.
    let variables = COLLECTION_DOC["variable"].as_array().expect("the collection has variables");
    let base_url = variables.iter().find(|v| v["key"] == "baseUrl").and_then(|v| v["value"].as_str());
    let (host, path) = spec_server(0);
    assert_eq!((host.as_str(), path.as_str()), (HOST, "/api/v2"), "the spec's first server");
    assert_eq!(base_url, Some(format!("{HOST}/api/v2").as_str()), "the collection's baseUrl");
    assert_eq!(spec_server(1), (DOCUMENTED_IO_HOST.to_string(), "/api/v2".to_string()), "the spec's second server");
    let introduction = COLLECTION_DOC["info"]["description"].as_str().unwrap_or_default();
    for url in [format!("{DOCUMENTED_IO_HOST}/auth"), format!("{DOCUMENTED_IO_HOST}/api/v2/whatsapp")] {
        assert!(introduction.contains(&url), "the introduction no longer names {url}");
    }
    let request_quirks: Vec<(&str, &str)> = cases
        .requests
        .iter()
        .filter(|case| case.written_host != HOST)
        .map(|case| (case.label.as_str(), case.written_host.as_str()))
        .collect();
    assert_eq!(request_quirks, REQUEST_HOST_QUIRKS, "request items written with another host than {HOST}");
    assert!(
        cases.requests.iter().all(|case| !case.written_host.contains("verloop.io")),
        "a request URL uses the .io host"
    );

    let mut saved_quirks = Vec::new();
    fn walk<'a>(items: &'a Value, folder: &mut Vec<&'a str>, out: &mut Vec<(String, String, String)>) {
        for item in items.as_array().into_iter().flatten() {
            let name = item["name"].as_str().unwrap_or_default();
            if item.get("item").is_some() {
                folder.push(name);
                walk(&item["item"], folder, out);
                folder.pop();
                continue;
            }
            let label = folder.iter().copied().chain([name]).collect::<Vec<_>>().join(" / ");
            for response in item["response"].as_array().into_iter().flatten() {
                let url = &response["originalRequest"]["url"];
                let raw = url.as_str().or_else(|| url["raw"].as_str()).unwrap_or_default();
                let prefix = raw.find("/api/v2/").map_or(raw, |i| &raw[..i]);
                if prefix != HOST {
                    out.push((label.clone(), response["name"].as_str().unwrap_or_default().into(), prefix.into()));
                }
            }
        }
    }
    walk(&COLLECTION_DOC["item"], &mut Vec::new(), &mut saved_quirks);
    let saved_quirks: Vec<(&str, &str, &str)> =
        saved_quirks.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
    assert_eq!(saved_quirks, SAVED_EXAMPLE_HOST_QUIRKS, "saved examples whose request URL is not under baseUrl");

    // Bodies and responses that are not JSON, repaired from the spec.
    assert_eq!(
        sorted(cases.repaired_requests.iter().map(String::as_str)),
        sorted(REPAIRED_REQUEST_BODIES.iter().map(|r| r.0)),
        "request bodies that are not JSON (REPAIRED_REQUEST_BODIES)"
    );
    assert!(cases.repair_key_problems.is_empty(), "{:#?}", cases.repair_key_problems);
    assert!(cases.request_example_disagreements.is_empty(), "{:#?}", cases.request_example_disagreements);
    assert_eq!(
        sorted(cases.repaired_responses.iter().map(String::as_str)),
        sorted(REPAIRED_RESPONSES.iter().map(|r| r.0)),
        "saved responses that are not JSON (REPAIRED_RESPONSES)"
    );
    assert!(cases.example_disagreements.is_empty(), "{:#?}", cases.example_disagreements);
    // The collection saves no status code; the spec models every saved success as 200.
    assert!(
        cases.examples_with_status.is_empty(),
        "saved examples now carry a status: {:?}",
        cases.examples_with_status
    );

    // Credentials: the collection sets a non-empty `Authorization` on exactly the routes whose
    // spec security names a token (login's is empty and "not needed"). Which token is the
    // spec's decision: `send_message`'s header says "System User Token", its folder says Phone
    // Number token, and the spec follows the folder.
    let mismatched: Vec<&str> = cases
        .requests
        .iter()
        .filter(|case| case.authorization.is_some() != (credential_of(&case.op) != Credential::None))
        .map(|case| case.label.as_str())
        .collect();
    assert!(mismatched.is_empty(), "Authorization in the collection vs security in the spec: {mismatched:?}");
    assert_eq!(credential_of("send_message"), Credential::PhoneNumber);
}

/// Every request item of the collection, sent through the typed builders, arrives as documented.
/// The server answers with the operation's documented success, so the call itself must succeed.
#[tokio::test]
async fn every_collection_request_is_sent_as_documented() {
    let mut exercised = 0;
    let mut covered = BTreeSet::new();
    let mut failing: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for case in &CASES.requests {
        let (result, received) = exchange(case, success_template(&case.op)).await;
        let mut problems = request_problems(case, &received);
        if let Err(error) = result {
            problems.push(format!("the call failed: {error:?}"));
        }
        if !problems.is_empty() {
            failing.entry(case.op.clone()).or_default().push(format!(
                "{} ({}):\n    {}",
                case.label,
                case.op,
                problems.join("\n    ")
            ));
        }
        exercised += 1;
        covered.insert(case.op.clone());
    }
    assert_known_mismatches(&failing);
    assert_eq!(exercised, EXPECTED_ITEMS, "request items exercised");
    assert_eq!(covered.len(), EXPECTED_OPERATIONS, "distinct operationIds covered: {covered:?}");
    assert_eq!(covered, ROUTES.operation_ids(), "the collection's items and the spec's operations differ");
}

/// The upload's form matches the spec: the collection sends the required parts, the client
/// sends every part the spec's multipart schema lists.
#[test]
fn upload_form_matches_the_spec() {
    let schema = &spec_operation("upload_media")["requestBody"]["content"]["multipart/form-data"]["schema"];
    let properties: BTreeSet<&str> =
        schema["properties"].as_object().expect("the form has properties").keys().map(String::as_str).collect();
    let required: BTreeSet<&str> =
        schema["required"].as_array().expect("the form has required parts").iter().filter_map(Value::as_str).collect();
    assert_eq!(properties, sorted(UPLOAD_PARTS), "the parts the client sends vs the spec's form");
    let RequestBody::Form(fields) = &request_for("upload_media").body else { panic!("upload_media has no form") };
    let collection: BTreeSet<&str> = fields
        .iter()
        .map(|f| match f {
            FormField::Text { key, .. } | FormField::File { key, .. } => key.as_str(),
        })
        .collect();
    assert_eq!(collection, required, "the collection's form fields vs the spec's required parts");
    let names: Vec<String> = expected_parts(fields).into_iter().map(|p| p.name).collect();
    assert_eq!(names, UPLOAD_PARTS);
}

/// Every documented response, served as documented, comes back from the client as that value:
/// a 2xx as the typed success value (or the downloaded bytes), an error as `ErrorKind::Api` with the
/// documented body.
#[tokio::test]
async fn every_documented_response_decodes() {
    let collection_examples = postman::count_response_examples(&COLLECTION_DOC);
    assert_eq!(collection_examples, EXPECTED_COLLECTION_EXAMPLES, "saved responses in the collection");
    assert_eq!(CASES.collection_responses.len(), collection_examples, "saved responses read");

    let cases: Vec<ResponseCase> = CASES.collection_responses.iter().cloned().chain(spec_response_cases()).collect();
    let mut exercised = 0;
    let mut statuses = BTreeSet::new();
    let mut failing: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for case in &cases {
        let (result, _) = exchange(request_for(&case.op), respond(case.status, &case.headers, &case.body)).await;
        exercised += 1;
        statuses.insert((case.op.clone(), case.status));
        if let Some(problem) = response_problem(case, result) {
            failing
                .entry(case.op.clone())
                .or_default()
                .push(format!("{} (HTTP {}): {problem}", case.label, case.status));
        }
    }
    assert_known_mismatches(&failing);
    assert_eq!(exercised, EXPECTED_RESPONSE_CASES, "response cases exercised");
    // Every operation has a documented success; upload_media also documents 400 and 500.
    let errors: Vec<&(String, u16)> = statuses.iter().filter(|(_, status)| *status >= 400).collect();
    assert_eq!(
        errors,
        [&("upload_media".to_string(), 400), &("upload_media".to_string(), 500)],
        "documented error responses"
    );
    let succeeding: BTreeSet<String> =
        statuses.iter().filter(|(_, status)| *status < 300).map(|(op, _)| op.clone()).collect();
    assert_eq!(succeeding, ROUTES.operation_ids(), "operations with a documented success exercised");
}

/// With `PRISM_URL_VERLOOP` set (by `tests/contract/run.sh`), every request item of the
/// collection, sent through the typed builders, goes to a Prism mock of the spec, which must accept
/// it. Prism serves the spec's paths without the servers' `/api/v2` prefix.
#[tokio::test]
async fn prism_accepts_every_collection_request() {
    let Some(prism) = support::prism::url("PRISM_URL_VERLOOP") else { return };
    let clients = clients_with(verloop_partner::config().with_base_url(prism).with_max_retries(0));
    let mut tally = support::prism::Tally::new("verloop-partner client");
    for case in &CASES.requests {
        tally.record(&format!("{} ({})", case.label, case.op), &call(&clients, case).await);
    }
    tally.finish(EXPECTED_ITEMS);
}

/// Every collection request, sent through the typed handles to the `verloop-partner` sandbox
/// (feature `sandbox`), passes its credential and parameter checks and gets the spec's documented
/// example back as the typed value (a few bytes for the binary media download).
#[tokio::test]
async fn every_operation_answers_its_documented_example_in_the_sandbox() {
    let sandbox = verloop_partner::sandbox::start().await.expect("the sandbox starts");
    let config = verloop_partner::config().with_base_url(sandbox.url()).with_max_retries(0);
    let clients = Clients {
        management: Management::with_config(config.clone(), SystemUserToken::new(SYSTEM_USER_TOKEN).unwrap()).unwrap(),
        messaging: Messaging::with_config(config.clone(), PhoneNumberToken::new(PHONE_NUMBER_TOKEN).unwrap()).unwrap(),
        config,
    };
    let mut covered = BTreeSet::new();
    let mut failures = Vec::new();
    for case in &CASES.requests {
        if !covered.insert(case.op.clone()) {
            continue;
        }
        let documented = spec_success_example(&case.op);
        match (call(&clients, case).await, documented) {
            (Ok(Reply::Json(value)), Some(example)) if without_nulls(&value) == without_nulls(&example) => {}
            (Ok(Reply::Bytes(bytes)), None) if !bytes.is_empty() => {}
            (Ok(Reply::LoggedIn(_)), Some(_)) => {}
            (Ok(Reply::Json(value)), example) => {
                failures.push(format!("{}: got {value}, documented {example:?}", case.op))
            }
            (Ok(_), example) => failures.push(format!("{}: unexpected reply, documented {example:?}", case.op)),
            (Err(error), _) => failures.push(format!("{}: {error}", case.op)),
        }
    }
    assert!(failures.is_empty(), "{} operations fail in the sandbox:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(covered, ROUTES.operation_ids(), "every operation of the spec is driven");
}
