//! Contract tests of the `woztell` client against WOZTELL's doc page, as transcribed entry by
//! entry in `specs/upstream/woztell.yaml` (method, path, auth, query/body fields, examples), driven
//! by the transcription's data:
//!
//! - every documented request (24 endpoints; the two `GET /waba-info` curls and the three
//!   `PUT /whatsapp-message-template` bodies each count once per example) is rebuilt with the typed
//!   builders the way a user writes it, sent to a local wiremock server, and must arrive exactly as
//!   the doc describes it: method, path, query multiset, JSON body, and where the access token and
//!   the signed-context headers go (the expected header values are computed here, independently of
//!   the client);
//! - every documented response example of `specs/woztell.yaml` (each equal to the transcription's)
//!   is served back and must come out of the client as that very value;
//! - a token-only [`woztell::Client`] never sends the signed-context headers.
//!
//! Each transcription entry is mapped to its `operationId` by matching its HTTP method and path
//! against `specs/woztell.yaml`, so the doc, the spec and the generated client are held together.
//! Nothing leaves 127.0.0.1.

use crate::support;

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use support::routes::SpecRoutes;
use support::{header_values, percent_decode, request_line_problems};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};
use woztell::prelude::*;
use woztell::types;

const TRANSCRIPTION: &str = "specs/upstream/woztell.yaml";
const SPEC: &str = "specs/woztell.yaml";
const BASE_PATH: &str = "/v1.2/api";
const TOKEN: &str = "woz-contract-token";
/// The placeholder the doc's examples use for the access token.
const DOC_TOKEN_PLACEHOLDER: &str = "ACCESS_TOKEN";
const PAYLOAD_HEADER: &str = "X-Woztell-Payload";
const SIGNED_CONTEXT_HEADER: &str = "X-Woztell-SignedContext";
const EXPECTED_ENDPOINTS: usize = 24;
/// One per endpoint, plus the second `GET /waba-info` curl and two more template bodies.
const EXPECTED_REQUEST_CASES: usize = 27;
/// One documented success example per operation; the doc shows no error example.
const EXPECTED_RESPONSE_EXAMPLES: usize = 24;
/// Cases (`<endpoint> #<n>`) or examples (`<operationId> <status>`) known to differ from the doc;
/// the tests assert that exactly these fail, so a fix or a new difference both show up.
const KNOWN_MISMATCHES: &[&str] = &[];

static ROUTES: std::sync::LazyLock<SpecRoutes> =
    std::sync::LazyLock::new(|| SpecRoutes::load(&support::workspace_root().join(SPEC)));

fn load_yaml(relative: &str) -> Value {
    let path = support::workspace_root().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()))
}

fn transcription() -> Value {
    load_yaml(TRANSCRIPTION)
}

fn endpoints(transcription: &Value) -> &[Value] {
    transcription["endpoints"].as_array().expect("the transcription lists `endpoints`")
}

fn str_of<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

// ------------------------------------------------------------------------------ signed context

/// The signed context of the tests: the doc's example payload IDs and the
/// `appIntegrationSignature` of its Open API example (it holds `+` and `=`).
struct Signing {
    signature: String,
    app: String,
    app_integration: String,
    channel: String,
}

impl Signing {
    fn from_doc(transcription: &Value) -> Self {
        let scheme = &transcription["auth_schemes"]["signedContext"];
        let payload = &scheme["example_payload"];
        let field = |value: &Value, key: &str| {
            str_of(value, key).unwrap_or_else(|| panic!("signedContext: no `{key}` in {value}")).to_string()
        };
        let environment = &scheme["open_api_response"]["data"]["apiViewer"]["channel"]["environment"];
        Self {
            signature: field(environment, "appIntegrationSignature"),
            app: field(payload, "app"),
            app_integration: field(payload, "appIntegration"),
            channel: field(payload, "channel"),
        }
    }

    fn context(&self) -> SignedContext {
        SignedContext::new(&self.signature, &self.app, &self.app_integration, &self.channel).expect("a signed context")
    }

    /// `X-Woztell-Payload`: the compact JSON object, keys in the documented order.
    fn expected_payload(&self) -> String {
        format!(r#"{{"app":"{}","appIntegration":"{}","channel":"{}"}}"#, self.app, self.app_integration, self.channel)
    }

    /// `X-Woztell-SignedContext`: `<signature>.<base64(payload JSON)>`.
    fn expected_signed_context(&self) -> String {
        format!("{}.{}", self.signature, base64_standard(self.expected_payload().as_bytes()))
    }
}

/// Standard base64 (RFC 4648 §4, `+/`, `=` padding), written out so that the expected header
/// values do not come from the crate the client uses.
fn base64_standard(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let group = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for sextet in 0..4 {
            if sextet <= chunk.len() {
                out.push(char::from(ALPHABET[((group >> (18 - 6 * sextet)) & 0x3f) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

// ----------------------------------------------------------------------------- request cases

/// Where the doc says an endpoint takes its credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Auth {
    token_in_query: bool,
    token_in_body: bool,
    signed: bool,
}

impl Auth {
    fn of(endpoint: &Value) -> Self {
        let schemes: Vec<&str> = match &endpoint["auth"] {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().map(|s| s.as_str().expect("auth entries are strings")).collect(),
            other => panic!("{}: unreadable auth {other}", label(endpoint)),
        };
        for scheme in &schemes {
            assert!(
                ["accessToken-query", "accessToken-body", "signedContext"].contains(scheme),
                "{}: unknown auth `{scheme}`",
                label(endpoint)
            );
        }
        Self {
            token_in_query: schemes.contains(&"accessToken-query"),
            token_in_body: schemes.contains(&"accessToken-body"),
            signed: schemes.contains(&"signedContext"),
        }
    }
}

/// One documented request: what the doc says arrives at WOZTELL.
#[derive(Debug, Clone)]
struct DocRequest {
    /// `<endpoint name> #<n>` (n counts the endpoint's examples from 1).
    label: String,
    op: String,
    /// The HTTP method (`DEL` already turned into `DELETE`).
    method: String,
    /// The endpoint path without the base path (`/waba-info`).
    path: String,
    auth: Auth,
    /// The documented query parameters other than `accessToken`, decoded.
    query: Vec<(String, String)>,
    /// The documented JSON body without `accessToken` (what the caller passes).
    body: Option<Value>,
}

impl DocRequest {
    /// The query that must arrive: the documented parameters, plus the token on token-in-query
    /// routes.
    fn expected_query(&self) -> Vec<(String, String)> {
        let mut query = self.query.clone();
        if self.auth.token_in_query {
            query.push(("accessToken".into(), TOKEN.into()));
        }
        query.sort();
        query
    }

    /// The body that must arrive: the documented one, with the token on token-in-body routes.
    fn expected_body(&self) -> Option<Value> {
        let mut body = self.body.clone()?;
        if self.auth.token_in_body {
            body.as_object_mut()
                .unwrap_or_else(|| panic!("{}: the body is not an object", self.label))
                .insert("accessToken".into(), Value::from(TOKEN));
        }
        Some(body)
    }
}

fn label(endpoint: &Value) -> String {
    str_of(endpoint, "name").unwrap_or("<unnamed endpoint>").to_string()
}

fn http_method(endpoint: &Value) -> String {
    let method = str_of(endpoint, "http_method").or_else(|| str_of(endpoint, "method")).expect("a method");
    assert_ne!(method, "DEL", "{}: `DEL` without `http_method`", label(endpoint));
    method.to_string()
}

/// The `operationId` the endpoint's method and path reach in the spec.
fn operation_of(endpoint: &Value) -> String {
    let path = str_of(endpoint, "path").expect("a path");
    ROUTES
        .match_request(&http_method(endpoint), path)
        .unwrap_or_else(|e| panic!("{}: {e}", label(endpoint)))
        .operation_id
}

/// A stand-in for a `${PLACEHOLDER}` of a curl example.
fn placeholder_value(name: &str) -> String {
    match name {
        "ACCESS_TOKEN" => TOKEN.to_string(),
        other => format!("{}-1", other.to_ascii_lowercase().replace('_', "-")),
    }
}

fn substitute_placeholders(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').map(|i| start + i).expect("an unterminated ${…}");
        out.push_str(&placeholder_value(&rest[start + 2..end]));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Method, path and decoded query pairs of a doc curl line
/// (`curl --location --request GET '/path?a=b&c=d'`).
fn parse_curl(curl: &str) -> (String, String, Vec<(String, String)>) {
    let method = curl
        .split_whitespace()
        .skip_while(|word| *word != "--request")
        .nth(1)
        .unwrap_or_else(|| panic!("no --request in {curl}"))
        .to_string();
    let url = curl.split('\'').nth(1).unwrap_or_else(|| panic!("no quoted URL in {curl}"));
    let url = substitute_placeholders(url);
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let query = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect();
    (method, path.to_string(), query)
}

/// A value for a required query parameter the doc shows no example of, from its table row.
fn sensible_query_value(field: &Value) -> String {
    let name = str_of(field, "name").expect("a field name");
    if name == "accessToken" {
        return TOKEN.into();
    }
    if let Some(first) = field.get("values").and_then(Value::as_array).and_then(|v| v.first()) {
        return first.as_str().expect("string values").into();
    }
    match str_of(field, "type").unwrap_or("string") {
        "integer" => "20".into(),
        "UNIX Timestamp" if name == "to" => "1676563200".into(),
        "UNIX Timestamp" => "1672531200".into(),
        _ => format!("{name}-1"),
    }
}

/// The documented requests of one transcription entry.
fn requests_of(endpoint: &Value) -> Vec<DocRequest> {
    let name = label(endpoint);
    let op = operation_of(endpoint);
    let method = http_method(endpoint);
    let path = str_of(endpoint, "path").expect("a path").to_string();
    let auth = Auth::of(endpoint);
    let case = |n: usize, query: Vec<(String, String)>, body: Option<Value>| {
        let has_token = query.iter().any(|(key, _)| key == "accessToken");
        assert_eq!(has_token, auth.token_in_query, "{name}: accessToken in the query vs auth {auth:?}");
        let query = query.into_iter().filter(|(key, _)| key != "accessToken").collect();
        let body = body.map(|mut body| {
            let token = body.as_object_mut().and_then(|object| object.remove("accessToken"));
            assert_eq!(token.is_some(), auth.token_in_body, "{name}: accessToken in the example body vs auth {auth:?}");
            if let Some(token) = token {
                assert_eq!(token, DOC_TOKEN_PLACEHOLDER, "{name}: the example's accessToken");
            }
            body
        });
        DocRequest {
            label: format!("{name} #{n}"),
            op: op.clone(),
            method: method.clone(),
            path: path.clone(),
            auth,
            query,
            body,
        }
    };

    if method == "GET" {
        let curls: Vec<&str> = match endpoint.get("example_request") {
            Some(Value::String(one)) => vec![one.as_str()],
            Some(Value::Array(many)) => many.iter().map(|c| c.as_str().expect("curl strings")).collect(),
            None => Vec::new(),
            Some(other) => panic!("{name}: unreadable example_request {other}"),
        };
        if curls.is_empty() {
            // No example: the required parameters of the table, with sensible values.
            let fields = endpoint.get("query").and_then(Value::as_array).cloned().unwrap_or_default();
            let query = fields
                .iter()
                .filter(|field| field["required"] == Value::Bool(true))
                .map(|field| (str_of(field, "name").expect("a name").to_string(), sensible_query_value(field)))
                .collect();
            return vec![case(1, query, None)];
        }
        return curls
            .iter()
            .enumerate()
            .map(|(i, curl)| {
                let (curl_method, curl_path, query) = parse_curl(curl);
                assert_eq!(curl_method, method, "{name}: the curl's method");
                assert_eq!(curl_path, path, "{name}: the curl's path");
                case(i + 1, query, None)
            })
            .collect();
    }

    let bodies: Vec<Value> = match (endpoint.get("example_request"), endpoint.get("example_requests")) {
        (Some(body), None) => vec![body.clone()],
        (None, Some(Value::Array(titled))) => titled.iter().map(|t| t["body"].clone()).collect(),
        other => panic!("{name}: a write needs example_request or example_requests, found {other:?}"),
    };
    bodies.into_iter().enumerate().map(|(i, body)| case(i + 1, Vec::new(), Some(body))).collect()
}

fn all_requests(transcription: &Value) -> Vec<DocRequest> {
    endpoints(transcription).iter().flat_map(requests_of).collect()
}

// ------------------------------------------------------------------------------------ dispatcher

/// The documented request data for one call, as the typed builders take it. It remembers which
/// parts were used: a query parameter or body the doc sends but the call did not pass on fails
/// the test instead of being dropped.
struct Args<'a> {
    req: &'a DocRequest,
    used_query: Cell<bool>,
    used_body: Cell<bool>,
}

impl<'a> Args<'a> {
    fn new(req: &'a DocRequest) -> Self {
        Self { req, used_query: Cell::new(false), used_body: Cell::new(false) }
    }

    /// The documented query parameters, by wire name, for an operation that takes the query
    /// parameters `known`: a parameter the operation does not take fails the test, as does one
    /// sent twice (a builder setter takes one value).
    fn query(&self, known: &[&str]) -> Query<'a> {
        self.used_query.set(true);
        let mut values = BTreeMap::new();
        for (key, value) in &self.req.query {
            if !known.contains(&key.as_str()) {
                self.no_parameter(key);
            }
            if values.insert(key.as_str(), value.as_str()).is_some() {
                panic!("{} (`{}`): the doc sends the query parameter `{key}` twice", self.req.label, self.req.op);
            }
        }
        Query { req: self.req, values }
    }

    fn no_parameter(&self, name: &str) -> ! {
        panic!("{} (`{}`): no builder method for the query parameter `{name}`", self.req.label, self.req.op)
    }

    /// The documented JSON body (without `accessToken`), deserialized into the typed body.
    fn body<T: DeserializeOwned>(&self) -> T {
        self.used_body.set(true);
        let body = self.req.body.as_ref().unwrap_or_else(|| panic!("{}: the doc shows no body", self.req.label));
        serde_json::from_value(body.clone()).unwrap_or_else(|e| {
            panic!(
                "{}: the doc's body does not deserialize into `{}`: {e}\n{body:#}",
                self.req.label,
                std::any::type_name::<T>()
            )
        })
    }

    fn assert_all_used(&self) {
        let req = self.req;
        assert!(
            req.query.is_empty() || self.used_query.get(),
            "{} (`{}`) passes on no query parameter, the doc sends {:?}",
            req.label,
            req.op,
            req.query
        );
        assert!(req.body.is_none() || self.used_body.get(), "{} (`{}`) sends no body", req.label, req.op);
    }
}

/// The documented query parameters of one call, by wire name.
struct Query<'a> {
    req: &'a DocRequest,
    values: BTreeMap<&'a str, &'a str>,
}

impl<'a> Query<'a> {
    /// A parameter the operation requires (its builder has no `send` without it).
    fn required(&self, key: &str) -> &'a str {
        self.values.get(key).copied().unwrap_or_else(|| {
            panic!("{} (`{}`): the doc does not send the required query parameter `{key}`", self.req.label, self.req.op)
        })
    }

    /// An optional parameter, for the builder's `maybe_…` setter.
    fn optional(&self, key: &str) -> Option<&'a str> {
        self.values.get(key).copied()
    }

    /// An optional JSON-array filter, passed the way a user writes it (see [`json_array_filter`]).
    fn filter(&self, key: &str) -> Option<String> {
        self.optional(key).map(|value| json_array_filter(key, value))
    }
}

fn int(name: &str, value: &str) -> i64 {
    value.parse().unwrap_or_else(|e| panic!("{name}={value}: {e}"))
}

/// A documented JSON-array filter value (`["APPROVED"]`), passed the way a user writes it:
/// `woztell::json_array([...])`.
fn json_array_filter(name: &str, value: &str) -> String {
    let items: Vec<String> =
        serde_json::from_str(value).unwrap_or_else(|e| panic!("{name}={value} is not a JSON array of strings: {e}"));
    woztell::json_array(items)
}

/// The success value as JSON.
fn json<T: Serialize, E>(result: Result<woztell::Response<T>, E>) -> Result<Value, woztell::Error>
where
    woztell::Error: From<E>,
{
    let value = result.map_err(woztell::Error::from)?.into_inner();
    Ok(serde_json::to_value(value).expect("a response value serializes"))
}

/// The client a call goes through.
#[derive(Clone, Copy)]
enum Caller<'a> {
    Token(&'a woztell::Client),
    Signed(&'a woztell::SignedClient),
}

/// Calls `req.op` through the typed builders with the documented request data.
async fn call(caller: Caller<'_>, req: &DocRequest) -> Result<Value, woztell::Error> {
    let a = Args::new(req);
    let token_call = match caller {
        Caller::Token(client) => call_token_operation(client, &a).await,
        Caller::Signed(client) => call_token_operation(client, &a).await,
    };
    let result = match (token_call, caller) {
        (Some(result), _) => result,
        (None, Caller::Signed(client)) => call_signed_operation(client, &a).await,
        (None, Caller::Token(_)) => panic!("{}: `{}` needs the signed client", req.label, req.op),
    };
    a.assert_all_used();
    result
}

/// The operations that take the access token alone; `None` for any other operation.
async fn call_token_operation<C: AccessTokenOperations>(
    client: &C,
    a: &Args<'_>,
) -> Option<Result<Value, woztell::Error>> {
    Some(match a.req.op.as_str() {
        "get_waba_info" => {
            let q = a.query(&["channelId", "wabaId"]);
            let call =
                client.get_waba_info().maybe_channel_id(q.optional("channelId")).maybe_waba_id(q.optional("wabaId"));
            json(call.send().await)
        }
        "get_business_profile" => {
            let q = a.query(&["phoneNumberId"]);
            json(client.get_business_profile().phone_number_id(q.required("phoneNumberId")).send().await)
        }
        "update_business_profile" => {
            json(client.update_business_profile(a.body::<types::UpdateBusinessProfileRequest>()).send().await)
        }
        "upload_media" => json(client.upload_media(a.body::<types::UploadMediaRequest>()).send().await),
        "list_templates" => {
            let q = a.query(&[
                "wabaId",
                "first",
                "after",
                "before",
                "status",
                "category",
                "language",
                "quality_score",
                "name",
                "content",
                "name or content",
            ]);
            let quality_score = q.optional("quality_score").map(|value| {
                let Ok(rating) = value.parse::<types::TemplateQualityRating>();
                assert!(!rating.is_unknown(), "quality_score={value} is not a documented rating");
                rating
            });
            let call = client
                .list_templates()
                .waba_id(q.required("wabaId"))
                .first(int("first", q.required("first")))
                .maybe_after(q.optional("after"))
                .maybe_before(q.optional("before"))
                .maybe_status(q.filter("status"))
                .maybe_category(q.filter("category"))
                .maybe_language(q.filter("language"))
                .maybe_quality_score(quality_score)
                .maybe_name(q.optional("name"))
                .maybe_content(q.optional("content"))
                .maybe_name_or_content(q.optional("name or content"));
            json(call.send().await)
        }
        "create_template" => json(client.create_template(a.body::<types::CreateTemplateRequest>()).send().await),
        "edit_template" => json(client.edit_template(a.body::<types::EditTemplateRequest>()).send().await),
        "delete_template" => json(client.delete_template(a.body::<types::DeleteTemplateRequest>()).send().await),
        _ => return None,
    })
}

/// The operations that need the signed context (some with the access token too).
async fn call_signed_operation(client: &woztell::SignedClient, a: &Args<'_>) -> Result<Value, woztell::Error> {
    match a.req.op.as_str() {
        "get_display_name_status" => {
            let q = a.query(&["phoneNumberId"]);
            json(client.get_display_name_status().phone_number_id(q.required("phoneNumberId")).send().await)
        }
        "get_conversation_analytics" => {
            let q = a.query(&[
                "from",
                "to",
                "granularity",
                "numbers",
                "metric_types",
                "conversation_types",
                "conversation_directions",
                "dimensions",
            ]);
            let value = q.required("granularity");
            let Ok(granularity) = value.parse::<types::AnalyticsGranularity>();
            assert!(!granularity.is_unknown(), "granularity={value} is not a documented value");
            let call = client
                .get_conversation_analytics()
                .from(int("from", q.required("from")))
                .to(int("to", q.required("to")))
                .granularity(granularity)
                .maybe_numbers(q.filter("numbers"))
                .maybe_metric_types(q.filter("metric_types"))
                .maybe_conversation_types(q.filter("conversation_types"))
                .maybe_conversation_directions(q.filter("conversation_directions"))
                .maybe_dimensions(q.filter("dimensions"));
            json(call.send().await)
        }
        "list_catalogs" => {
            a.query(&[]);
            json(client.list_catalogs().send().await)
        }
        "list_products" => {
            let q = a.query(&["catalogId", "after", "before"]);
            let call = client
                .list_products()
                .catalog_id(q.required("catalogId"))
                .maybe_after(q.optional("after"))
                .maybe_before(q.optional("before"));
            json(call.send().await)
        }
        "list_flows" => {
            let q = a.query(&["limit", "after", "before"]);
            let call = client
                .list_flows()
                .limit(int("limit", q.required("limit")))
                .maybe_after(q.optional("after"))
                .maybe_before(q.optional("before"));
            json(call.send().await)
        }
        "get_flow_screen_payload" | "get_flow_preview" | "get_flow_detail" => {
            let flow_id = a.query(&["flowId"]).required("flowId");
            match a.req.op.as_str() {
                "get_flow_screen_payload" => json(client.get_flow_screen_payload().flow_id(flow_id).send().await),
                "get_flow_preview" => json(client.get_flow_preview().flow_id(flow_id).send().await),
                _ => json(client.get_flow_detail().flow_id(flow_id).send().await),
            }
        }
        "create_flow" => json(client.create_flow(a.body::<types::CreateFlowRequest>()).send().await),
        "update_flow_metadata" => {
            json(client.update_flow_metadata(a.body::<types::UpdateFlowMetadataRequest>()).send().await)
        }
        "update_flow_json" => json(client.update_flow_json(a.body::<types::UpdateFlowJsonRequest>()).send().await),
        "delete_flow" => json(client.delete_flow(a.body::<types::FlowIdRequest>()).send().await),
        "publish_flow" => json(client.publish_flow(a.body::<types::FlowIdRequest>()).send().await),
        "deprecate_flow" => json(client.deprecate_flow(a.body::<types::FlowIdRequest>()).send().await),
        "set_business_encryption" => {
            json(client.set_business_encryption(a.body::<types::SetBusinessPublicKeyRequest>()).send().await)
        }
        "get_business_encryption" => json(client.get_business_encryption().send().await),
        other => panic!("no dispatcher arm for operationId `{other}`: add one to `call_*_operation`"),
    }
}

// --------------------------------------------------------------------------------------- helpers

struct Clients {
    token: woztell::Client,
    signed: woztell::SignedClient,
}

fn clients_for(server: &MockServer, signing: &Signing) -> Clients {
    clients_at(&format!("{}{BASE_PATH}", server.uri()), signing)
}

fn clients_at(base_url: &str, signing: &Signing) -> Clients {
    let config = woztell::config().with_base_url(base_url).with_max_retries(0);
    let token =
        woztell::Client::with_config(config, AccessToken::new(TOKEN).expect("a valid token")).expect("a client");
    let signed = token.signed(signing.context()).expect("a signed client");
    Clients { token, signed }
}

/// The client the doc's auth calls for: the signed one on signed routes, the token-only one
/// elsewhere.
fn natural_caller<'a>(clients: &'a Clients, req: &DocRequest) -> Caller<'a> {
    if req.auth.signed { Caller::Signed(&clients.signed) } else { Caller::Token(&clients.token) }
}

fn json_response(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_string(body.to_string()).insert_header("content-type", "application/json")
}

/// Serves `template` for any request, calls `req.op` through the client `pick` chooses, and
/// returns the outcome with what arrived.
async fn exchange(
    signing: &Signing,
    req: &DocRequest,
    template: ResponseTemplate,
    pick: impl for<'c> Fn(&'c Clients) -> Caller<'c>,
) -> (Result<Value, woztell::Error>, Vec<wiremock::Request>) {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(template).mount(&server).await;
    let clients = clients_for(&server, signing);
    let result = call(pick(&clients), req).await;
    (result, server.received_requests().await.expect("request recording is on"))
}

/// `value` normalised for comparing a typed re-serialization with a documented example: object
/// members that are `null` or `[]` are removed (the generated types hold optional values as
/// `Option` / `Vec` and leave `None` and empty lists out when serializing, so "null", "[]" and
/// "absent" all come back as absent), and integral floats become integers (`cost: 0` is an `f64`,
/// serialized `0.0`).
fn normalized(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
                .map(|(k, v)| (k.clone(), normalized(v)))
                .collect(),
        ),
        Value::Array(elements) => Value::Array(elements.iter().map(normalized).collect()),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
            _ => value.clone(),
        },
        other => other.clone(),
    }
}

/// The names of the `X-Woztell-*` headers of a request.
fn woztell_headers(sent: &wiremock::Request) -> Vec<String> {
    sent.headers.keys().map(|k| k.as_str().to_string()).filter(|k| k.starts_with("x-woztell")).collect()
}

/// What is wrong with the requests that arrived for the documented `req`, if anything.
/// `signed_headers` says whether the signed-context headers must be there (with the values
/// `signing` gives) or must be absent.
fn request_problems(
    req: &DocRequest,
    signing: &Signing,
    signed_headers: bool,
    received: &[wiremock::Request],
) -> Vec<String> {
    let (sent, mut problems) = match request_line_problems(
        received,
        &req.method,
        &format!("{BASE_PATH}{}", req.path),
        &req.expected_query(),
    ) {
        Ok(checked) => checked,
        Err(problems) => return problems,
    };
    let mut check = |ok: bool, problem: String| {
        if !ok {
            problems.push(problem);
        }
    };

    check(
        header_values(sent, "authorization").is_empty(),
        format!("an Authorization header was sent: {:?}", header_values(sent, "authorization")),
    );
    check(header_values(sent, "api-version").is_empty(), "an api-version header was sent".into());
    if signed_headers {
        let payload = signing.expected_payload();
        let signed = signing.expected_signed_context();
        let sent_payload = header_values(sent, PAYLOAD_HEADER);
        let sent_signed = header_values(sent, SIGNED_CONTEXT_HEADER);
        check(
            sent_payload == [payload.clone()],
            format!("{PAYLOAD_HEADER}: sent {sent_payload:?}, expected [{payload}]"),
        );
        check(
            sent_signed == [signed.clone()],
            format!("{SIGNED_CONTEXT_HEADER}: sent {sent_signed:?}, expected [{signed}]"),
        );
        let names = woztell_headers(sent);
        check(names.len() == 2, format!("X-Woztell headers: sent {names:?}, expected the two signed-context ones"));
    } else {
        let names = woztell_headers(sent);
        check(names.is_empty(), format!("signed-context headers sent on a route without them: {names:?}"));
    }

    match req.expected_body() {
        None => {
            check(sent.body.is_empty(), format!("body: sent {:?}, expected none", String::from_utf8_lossy(&sent.body)))
        }
        Some(expected) => {
            let content_type = header_values(sent, "content-type");
            check(
                content_type.iter().any(|v| v.starts_with("application/json")),
                format!("content-type: sent {content_type:?}, expected application/json"),
            );
            match serde_json::from_slice::<Value>(&sent.body) {
                Ok(body) => check(body == expected, format!("body: sent {body}, expected {expected}")),
                Err(e) => check(false, format!("body: sent {:?}, not JSON ({e})", String::from_utf8_lossy(&sent.body))),
            }
        }
    }
    problems
}

/// The documented response examples of the spec: `(operationId, status, example)`.
fn spec_response_examples(spec: &Value) -> Vec<(String, String, Value)> {
    let mut examples = Vec::new();
    for item in spec["paths"].as_object().expect("paths").values() {
        for operation in item.as_object().expect("a path item").values() {
            let Some(op) = str_of(operation, "operationId") else { continue };
            for (status, response) in operation["responses"].as_object().expect("responses") {
                let Some(media) = response.get("content").and_then(|c| c.get("application/json")) else { continue };
                if let Some(example) = media.get("example") {
                    examples.push((op.to_string(), status.clone(), example.clone()));
                }
                if let Some(named) = media.get("examples").and_then(Value::as_object) {
                    for example in named.values() {
                        examples.push((op.to_string(), status.clone(), example["value"].clone()));
                    }
                }
            }
        }
    }
    examples
}

/// Fails unless the failing set is exactly [`KNOWN_MISMATCHES`] (restricted to `keys`).
fn assert_failures(what: &str, failures: &[(String, String)], keys: &BTreeSet<String>) {
    let failing: BTreeSet<&str> = failures.iter().map(|(key, _)| key.as_str()).collect();
    let known: BTreeSet<&str> = KNOWN_MISMATCHES.iter().copied().filter(|k| keys.contains(*k)).collect();
    assert!(
        failing == known,
        "{what}: failing {failing:?}, known mismatches {known:?}\n{}",
        failures.iter().map(|(key, problem)| format!("{key}:\n    {problem}")).collect::<Vec<_>>().join("\n")
    );
}

// ----------------------------------------------------------------------------------------- tests

/// The hand-written base64 encoder agrees with RFC 4648's test vectors and with
/// `printf '%s' '{"app":"a1","appIntegration":"i1","channel":"c1"}' | base64`, and the client's
/// signed context carries the payload the doc describes.
#[test]
fn signed_context_is_built_as_documented() {
    for (input, expected) in
        [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")]
    {
        assert_eq!(base64_standard(input.as_bytes()), expected, "base64({input:?})");
    }
    let signing =
        Signing { signature: "sig+/=".into(), app: "a1".into(), app_integration: "i1".into(), channel: "c1".into() };
    assert_eq!(signing.expected_payload(), r#"{"app":"a1","appIntegration":"i1","channel":"c1"}"#);
    assert_eq!(
        signing.expected_signed_context(),
        "sig+/=.eyJhcHAiOiJhMSIsImFwcEludGVncmF0aW9uIjoiaTEiLCJjaGFubmVsIjoiYzEifQ=="
    );
    assert_eq!(signing.context().payload(), signing.expected_payload());
    assert_eq!(woztell::PAYLOAD_HEADER, PAYLOAD_HEADER);
    assert_eq!(woztell::SIGNED_CONTEXT_HEADER, SIGNED_CONTEXT_HEADER);

    // The doc's own example payload, as the request tests use it.
    let doc = Signing::from_doc(&transcription());
    assert_eq!(
        base64_standard(doc.expected_payload().as_bytes()),
        "eyJhcHAiOiI2OTk4MDJkNjlhNzNmYzU1NWYxYzZiYzQiLCJhcHBJbnRlZ3JhdGlvbiI6IjY5NjMyNzMyNTQzMGExY2JkMTMxZGZkZiIsImNoYW5uZWwiOiI2OTYzMjczMTU0MzBhMWY5ODIzMWRmZGUifQ=="
    );
}

/// Every documented request, sent through the typed builders, arrives as the doc describes it.
///
/// The server answers with the operation's documented response example, so the call must also
/// succeed; how every example decodes is `every_documented_response_example_decodes`'s job.
#[tokio::test]
async fn every_documented_request_is_sent_as_documented() {
    let transcription = transcription();
    let signing = Signing::from_doc(&transcription);
    let spec = load_yaml(SPEC);
    let examples = spec_response_examples(&spec);
    let requests = all_requests(&transcription);

    let mut endpoints_exercised = BTreeSet::new();
    let mut covered = BTreeSet::new();
    let mut failures = Vec::new();
    for req in &requests {
        let example = examples
            .iter()
            .find(|(op, status, _)| *op == req.op && status.starts_with('2'))
            .map(|(_, _, example)| example.clone())
            .unwrap_or_else(|| panic!("{}: `{}` has no success example in the spec", req.label, req.op));
        let (result, received) = exchange(&signing, req, json_response(&example), |c| natural_caller(c, req)).await;
        let mut problems = request_problems(req, &signing, req.auth.signed, &received);
        if let Err(error) = result {
            problems.push(format!("the call failed: {error:?}"));
        }
        if !problems.is_empty() {
            failures.push((req.label.clone(), format!("({}) {}", req.op, problems.join("\n    "))));
        }
        endpoints_exercised.insert(req.label.rsplit_once(" #").expect("a numbered label").0.to_string());
        covered.insert(req.op.clone());
    }
    let keys = requests.iter().map(|r| r.label.clone()).collect();
    assert_failures("requests that differ from the doc", &failures, &keys);
    assert_eq!(requests.len(), EXPECTED_REQUEST_CASES, "documented requests exercised");
    assert_eq!(endpoints_exercised.len(), EXPECTED_ENDPOINTS, "endpoints exercised: {endpoints_exercised:?}");
    assert_eq!(endpoints(&transcription).len(), EXPECTED_ENDPOINTS, "endpoints in the transcription");
    assert_eq!(covered.len(), EXPECTED_ENDPOINTS, "distinct operationIds covered: {covered:?}");
    assert_eq!(covered, ROUTES.operation_ids(), "the transcription's endpoints and the spec's operations differ");
}

/// Every response example of the spec equals the transcription's, and, served as documented,
/// comes back from the client as that value (the typed value re-serialized).
#[tokio::test]
async fn every_documented_response_example_decodes() {
    let transcription = transcription();
    let signing = Signing::from_doc(&transcription);
    let requests = all_requests(&transcription);
    let examples = spec_response_examples(&load_yaml(SPEC));

    let mut failures = Vec::new();
    let mut keys = BTreeSet::new();
    for (op, status, example) in &examples {
        let key = format!("{op} {status}");
        keys.insert(key.clone());
        let endpoint = endpoints(&transcription)
            .iter()
            .find(|e| operation_of(e) == *op)
            .unwrap_or_else(|| panic!("`{op}` is not in the transcription"));
        assert_eq!(
            &endpoint["example_response"],
            example,
            "{key}: the spec's example differs from the transcription's ({})",
            label(endpoint)
        );
        let code: u16 = status.parse().unwrap_or_else(|_| panic!("{key}: an example under a non-numeric status"));
        let req = requests.iter().find(|r| r.op == *op).expect("a documented request of every operation");
        let template = ResponseTemplate::new(code)
            .set_body_string(example.to_string())
            .insert_header("content-type", "application/json");
        let (result, _) = exchange(&signing, req, template, |c| natural_caller(c, req)).await;
        let problem = match result {
            Ok(value) if normalized(&value) == normalized(example) => None,
            Ok(value) => Some(format!("the client returned {value}, the example is {example}")),
            Err(error) => Some(format!("the example does not decode: {error:?}")),
        };
        if let Some(problem) = problem {
            failures.push((key, problem));
        }
    }
    assert_failures("response examples not returned as documented", &failures, &keys);
    assert_eq!(examples.len(), EXPECTED_RESPONSE_EXAMPLES, "response examples exercised");
    let operations: BTreeSet<String> = examples.iter().map(|(op, _, _)| op.clone()).collect();
    assert_eq!(operations, ROUTES.operation_ids(), "operations with a documented response example");
}

/// The `list_templates` example shows `category: TICKET_UPDATE` and `quality_score.score: UNKNOWN`,
/// values the doc's tables leave out but its own example shows: the enums list them, so they
/// decode to their own variants (not the catch-all) and serialize back unchanged.
#[tokio::test]
async fn enum_values_shown_only_by_the_template_example_are_listed() {
    let signing = Signing::from_doc(&transcription());
    let (_, _, example) = spec_response_examples(&load_yaml(SPEC))
        .into_iter()
        .find(|(op, _, _)| op == "list_templates")
        .expect("a list_templates example");
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(json_response(&example)).mount(&server).await;
    let clients = clients_for(&server, &signing);

    let page = clients
        .token
        .list_templates()
        .waba_id("waba-1")
        .first(10)
        .status(woztell::json_array(["APPROVED"]))
        .send()
        .await
        .expect("the example decodes")
        .into_inner();
    let [template] = page.data.as_slice() else { panic!("one template in the example: {:?}", page.data) };
    assert_eq!(template.category, Some(types::TemplateCategory::TicketUpdate));
    assert!(!template.category.as_ref().is_some_and(types::TemplateCategory::is_unknown));
    assert_eq!(template.templates.len(), 4, "language versions in the example");
    for version in &template.templates {
        let score = version.quality_score.as_ref().and_then(|q| q.score.clone());
        assert_eq!(score, Some(types::TemplateQualityRating::Unknown), "{:?}", version.language);
        assert!(!score.as_ref().is_some_and(types::TemplateQualityRating::is_unknown), "{:?}", version.language);
        assert_eq!(version.status, Some(types::TemplateStatus::Approved), "{:?}", version.language);
    }

    let json = serde_json::to_value(&page).expect("the page serializes");
    assert_eq!(json["data"][0]["category"], "TICKET_UPDATE");
    for version in json["data"][0]["templates"].as_array().expect("templates") {
        assert_eq!(version["quality_score"]["score"], "UNKNOWN");
    }
    assert_eq!(normalized(&json), normalized(&example), "the page re-serializes to the example");

    let [sent] = server.received_requests().await.expect("request recording is on").try_into().expect("one request");
    let status: Vec<String> = sent.url.query_pairs().filter(|(k, _)| k == "status").map(|(_, v)| v.into()).collect();
    assert_eq!(status, [r#"["APPROVED"]"#], "the status filter, decoded");
}

/// The token-only `Client` never sends the signed-context headers, and neither does a
/// `SignedClient` on the routes that take the token alone: both send the same request there.
#[tokio::test]
async fn token_only_routes_never_carry_the_signed_context() {
    let transcription = transcription();
    let signing = Signing::from_doc(&transcription);
    let requests: Vec<DocRequest> = all_requests(&transcription).into_iter().filter(|r| !r.auth.signed).collect();
    let mut failures = Vec::new();
    for req in &requests {
        let mut sent = Vec::new();
        for (name, use_signed) in [("Client", false), ("SignedClient", true)] {
            let (result, received) = exchange(&signing, req, json_response(&serde_json::json!({"ok": 1})), |c| {
                if use_signed { Caller::Signed(&c.signed) } else { Caller::Token(&c.token) }
            })
            .await;
            let mut problems = request_problems(req, &signing, false, &received);
            if let Err(error) = result {
                problems.push(format!("the call failed: {error:?}"));
            }
            if !problems.is_empty() {
                failures.push((req.label.clone(), format!("through {name}: {}", problems.join("\n    "))));
            }
            sent.extend(received.into_iter().map(|r| (r.method.to_string(), r.url.to_string(), r.body)));
        }
        let [(m1, u1, b1), (m2, u2, b2)] = sent.as_slice() else { continue };
        let (u1, u2) = (u1.split_once("/v1.2").map(|p| p.1), u2.split_once("/v1.2").map(|p| p.1));
        assert!(m1 == m2 && u1 == u2 && b1 == b2, "{}: Client and SignedClient send different requests", req.label);
    }
    let keys = requests.iter().map(|r| r.label.clone()).collect();
    assert_failures("token-only requests with signed-context headers", &failures, &keys);
    let endpoints: BTreeSet<&str> = requests.iter().map(|r| r.op.as_str()).collect();
    assert_eq!(endpoints.len(), 8, "token-only operations: {endpoints:?}");
}

/// With `PRISM_URL_WOZTELL` set (by `tests/contract/run.sh`), every documented request, sent
/// through the typed builders with the credential the doc calls for, goes to a Prism mock of the
/// spec, which must accept it. Prism serves the spec's paths without the servers' base path.
#[tokio::test]
async fn prism_accepts_every_documented_request() {
    let Some(prism) = support::prism::url("PRISM_URL_WOZTELL") else { return };
    let transcription = transcription();
    let signing = Signing::from_doc(&transcription);
    let clients = clients_at(&prism, &signing);
    let in_body = operations_with_body_credential(&load_yaml(SPEC));
    assert!(!in_body.is_empty(), "the spec marks no operation `x-credential-in-body`");
    let mut tally = support::prism::Tally::new("woztell client");
    for req in &all_requests(&transcription) {
        let result = call(natural_caller(&clients, req), req).await;
        let label = format!("{} ({})", req.label, req.op);
        if in_body.contains(&req.op) {
            tally.record_body_credential(&label, &result);
        } else {
            tally.record(&label, &result);
        }
    }
    tally.finish(EXPECTED_REQUEST_CASES);
}

/// The operations whose spec marks `x-credential-in-body` (the access token rides in the body).
fn operations_with_body_credential(spec: &Value) -> BTreeSet<String> {
    let paths = spec["paths"].as_object().expect("the spec has paths");
    paths
        .values()
        .filter_map(Value::as_object)
        .flat_map(|operations| operations.values())
        .filter(|operation| operation.get("x-credential-in-body").is_some())
        .filter_map(|operation| str_of(operation, "operationId").map(str::to_string))
        .collect()
}

/// Every documented request, sent through the typed builders to the `woztell` sandbox (feature
/// `sandbox`), passes its credential and parameter checks and gets the spec's documented
/// example back as the typed value.
#[tokio::test]
async fn every_operation_answers_its_documented_example_in_the_sandbox() {
    let transcription = transcription();
    let signing = Signing::from_doc(&transcription);
    let sandbox = woztell::sandbox::start().await.expect("the sandbox starts");
    let config = woztell::config().with_base_url(sandbox.url()).with_max_retries(0);
    let token = woztell::Client::with_config(config, AccessToken::new(TOKEN).unwrap()).unwrap();
    let clients = Clients { signed: token.signed(signing.context()).unwrap(), token };
    let examples = spec_response_examples(&load_yaml(SPEC));
    let mut covered = BTreeSet::new();
    let mut failures = Vec::new();
    for req in all_requests(&transcription) {
        if !covered.insert(req.op.clone()) {
            continue;
        }
        let example = examples
            .iter()
            .find(|(op, status, _)| *op == req.op && status.starts_with('2'))
            .map(|(_, _, example)| example.clone())
            .unwrap_or_else(|| panic!("`{}` has no success example in the spec", req.op));
        match call(natural_caller(&clients, &req), &req).await {
            Ok(value) if without_nulls(&value) == without_nulls(&example) => {}
            Ok(value) => failures.push(format!("{}: got {value}, documented {example}", req.op)),
            Err(error) => failures.push(format!("{}: {error}", req.op)),
        }
    }
    assert!(failures.is_empty(), "{} operations fail in the sandbox:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(covered.len(), 24, "every operation of the spec is driven: {covered:?}");
}

/// `value` as the generated types give it back: no `null` or empty-list members (optional
/// fields come back absent) and every number as a float (`0` and `0.0` are one `cost`).
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|items| !items.is_empty()))
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(elements) => Value::Array(elements.iter().map(without_nulls).collect()),
        Value::Number(number) => number.as_f64().map_or_else(|| value.clone(), Value::from),
        other => other.clone(),
    }
}
