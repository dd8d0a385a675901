//! Contract tests of the `wapio` client against the provider's own Postman collection
//! (`specs/upstream/002_0944628b54915536.txt`), driven by the collection's data:
//!
//! - every request item (53 items on 43 operations) is rebuilt with the typed builders, the way a
//!   user writes it, and sent to a local wiremock server; the test checks that exactly the request
//!   the collection documents arrives (method, path, query, headers, JSON body);
//! - every saved response example (success and error) is served back, and the client must return
//!   exactly that value: the typed success value, or `ErrorKind::Api` with the typed error envelope.
//!
//! Each item is mapped to its `operationId` by matching its method and path against the path
//! templates of `specs/wapio.yaml`, so the spec, the generated client and the collection are held
//! together. Nothing leaves 127.0.0.1.

use crate::support;

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use support::routes::SpecRoutes;
use support::{header_values, request_line_problems, without_nulls};
use wapio::prelude::*;
use wapio::types;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};
use xtask::audit::postman::replay::{self as postman, PostmanBody, PostmanItem, PostmanRequest, PostmanResponse};

const COLLECTION: &str = "specs/upstream/002_0944628b54915536.txt";
const SPEC: &str = "specs/wapio.yaml";
const TOKEN: &str = "bps_pat_contract";
const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
/// The operations whose spec declares an `Idempotency-Key` header, which the client fills with a
/// UUID v4 when the caller sets none. Every other operation must send no such header.
const IDEMPOTENT_OPERATIONS: &[&str] = &["send_message"];
const EXPECTED_ITEMS: usize = 53;
const EXPECTED_OPERATIONS: usize = 43;

static ROUTES: std::sync::LazyLock<SpecRoutes> =
    std::sync::LazyLock::new(|| SpecRoutes::load(&support::workspace_root().join(SPEC)));

fn collection_json() -> Value {
    let path = support::workspace_root().join(COLLECTION);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("the collection is readable"))
        .expect("the collection is JSON")
}

fn items() -> Vec<PostmanItem> {
    postman::parse(&collection_json())
}

/// The `operationId` the item's method and path reach in the spec.
fn operation_of(item: &PostmanItem) -> String {
    ROUTES
        .match_request(&item.request.method, &item.request.path_string())
        .unwrap_or_else(|e| panic!("{}: {e}", item.label()))
        .operation_id
}

fn client_for(server: &MockServer) -> wapio::Client<AccountToken> {
    client_at(&server.uri())
}

fn client_at(base_url: &str) -> wapio::Client<AccountToken> {
    let config = wapio::config().with_base_url(base_url).with_max_retries(0);
    wapio::Client::with_config(config, AccountToken::new(TOKEN).expect("a valid PAT")).expect("a client")
}

// ------------------------------------------------------------------------------------ dispatcher

/// The collection's request data for one call, as the typed builders take it. It remembers which
/// parts were used: a query parameter, body or `Idempotency-Key` the collection sends but the call
/// did not pass on fails the test instead of being dropped.
struct Args<'a> {
    op: &'a str,
    req: &'a PostmanRequest,
    params: BTreeMap<String, String>,
    used_query: Cell<bool>,
    used_body: Cell<bool>,
    used_key: Cell<bool>,
}

impl<'a> Args<'a> {
    fn new(op: &'a str, req: &'a PostmanRequest) -> Self {
        let params = ROUTES.path_params(op, &req.path_string()).unwrap_or_else(|| {
            panic!("`{op}` is not an operation of {SPEC} whose path template fits {}", req.path_string())
        });
        Self { op, req, params, used_query: Cell::new(false), used_body: Cell::new(false), used_key: Cell::new(false) }
    }

    /// The value of the path parameter `name` of the operation's template.
    fn path(&self, name: &str) -> String {
        self.params.get(name).cloned().unwrap_or_else(|| panic!("`{}` has no path parameter `{name}`", self.op))
    }

    fn query(&self) -> &'a [(String, String)] {
        self.used_query.set(true);
        &self.req.query
    }

    /// The collection's JSON body, deserialized into the operation's typed body.
    fn body<T: DeserializeOwned>(&self) -> T {
        self.used_body.set(true);
        let body = self
            .req
            .json_body()
            .unwrap_or_else(|| panic!("`{}` takes a JSON body; the collection gives {:?}", self.op, self.req.body));
        serde_json::from_value(body.clone()).unwrap_or_else(|e| {
            panic!(
                "`{}`: the collection's body does not deserialize into `{}`: {e}\n{body:#}",
                self.op,
                std::any::type_name::<T>()
            )
        })
    }

    fn idempotency_key(&self) -> Option<String> {
        self.used_key.set(true);
        self.req.header(IDEMPOTENCY_KEY).filter(|key| !key.is_empty()).map(str::to_string)
    }

    fn assert_all_used(&self) {
        let op = self.op;
        assert!(
            self.req.query.is_empty() || self.used_query.get(),
            "`{op}` passes on no query parameter, the collection sends {:?}",
            self.req.query
        );
        assert!(self.req.body.is_none() || self.used_body.get(), "`{op}` sends no body, the collection has one");
        assert!(
            self.req.header(IDEMPOTENCY_KEY).is_none() || self.used_key.get(),
            "`{op}` passes on no {IDEMPOTENCY_KEY}, the collection sets one"
        );
    }
}

/// The success value as JSON (`null` for an operation without a response body).
fn json<T: Serialize>(result: Result<wapio::Response<T>, wapio::Error>) -> Result<Value, wapio::Error> {
    let value = result?.into_inner();
    Ok(serde_json::to_value(value).expect("a response value serializes"))
}

/// Calls operation `op` with the collection's request data through the typed builders.
async fn call(client: &wapio::Client<AccountToken>, op: &str, req: &PostmanRequest) -> Result<Value, wapio::Error> {
    let a = Args::new(op, req);
    let result = match op {
        // Sessions
        "list_sessions" => {
            // Each setter can be called once (typestate builder): gather the values, then set them.
            let (mut status, mut limit, mut before_id) = (None, None, None);
            for (key, value) in a.query() {
                match key.as_str() {
                    "status" => {
                        let Ok(parsed) = value.parse::<types::SessionStatus>();
                        assert!(!parsed.is_unknown(), "list_sessions: `status={value}` is not a SessionStatus");
                        status = Some(parsed);
                    }
                    "limit" => limit = Some(value.parse::<i64>().unwrap_or_else(|e| panic!("limit={value}: {e}"))),
                    "before_id" => before_id = Some(value.as_str()),
                    other => panic!("list_sessions: no builder method for the query parameter `{other}`"),
                }
            }
            json(client.list_sessions().maybe_status(status).maybe_limit(limit).maybe_before_id(before_id).send().await)
        }
        "create_session" => json(client.create_session(a.body::<types::CreateSessionRequest>()).send().await),
        "get_session" => json(client.get_session(a.path("sessionId")).send().await),
        "update_session" => {
            json(client.update_session(a.path("sessionId"), a.body::<types::UpdateSessionRequest>()).send().await)
        }
        "delete_session" => json(client.delete_session(a.path("sessionId")).send().await),
        "connect_session" => json(client.connect_session(a.path("sessionId")).send().await),
        "disconnect_session" => json(client.disconnect_session(a.path("sessionId")).send().await),
        "restart_session" => json(client.restart_session(a.path("sessionId")).send().await),
        "get_session_qr" => json(client.get_session_qr(a.path("sessionId")).send().await),
        "regenerate_session_key" => json(client.regenerate_session_key(a.path("sessionId")).send().await),
        "get_session_settings" => json(client.get_session_settings(a.path("sessionId")).send().await),
        "update_session_settings" => {
            json(client.update_session_settings(a.path("sessionId"), a.body::<types::SessionSettings>()).send().await)
        }
        "list_message_logs" => json(client.list_message_logs(a.path("sessionId")).send().await),
        // Messages
        "send_message" => {
            let call = client.send_message(a.body::<types::SendMessageRequest>());
            json(call.maybe_idempotency_key(a.idempotency_key()).send().await)
        }
        "get_message_info" => json(client.get_message_info(a.path("messageId")).send().await),
        "edit_message_alias" => {
            json(client.edit_message_alias(a.path("messageId"), a.body::<types::EditMessageRequest>()).send().await)
        }
        "delete_message" => json(client.delete_message(a.path("messageId")).send().await),
        "edit_message" => {
            json(client.edit_message(a.path("messageId"), a.body::<types::EditMessageRequest>()).send().await)
        }
        "resend_message" => json(client.resend_message(a.path("messageId")).send().await),
        "mark_messages_read" => {
            json(client.mark_messages_read(a.body::<types::MarkMessagesReadRequest>()).send().await)
        }
        "send_presence_update" => {
            json(client.send_presence_update(a.body::<types::PresenceUpdateRequest>()).send().await)
        }
        // Contacts
        "check_on_whatsapp" => json(client.check_on_whatsapp(a.path("phone")).send().await),
        "list_contacts" => json(client.list_contacts().send().await),
        "upsert_contact" => json(client.upsert_contact(a.body::<types::UpsertContactRequest>()).send().await),
        "get_contact" => json(client.get_contact(a.path("phone")).send().await),
        "get_contact_picture" => json(client.get_contact_picture(a.path("jid")).send().await),
        "block_contact" => json(client.block_contact(a.path("phone")).send().await),
        "unblock_contact" => json(client.unblock_contact(a.path("phone")).send().await),
        // Groups
        "list_groups" => json(client.list_groups().send().await),
        "create_group" => json(client.create_group(a.body::<types::CreateGroupRequest>()).send().await),
        "get_group" => json(client.get_group(a.path("groupJid")).send().await),
        "get_group_metadata" => json(client.get_group_metadata(a.path("groupJid")).send().await),
        "list_group_participants" => json(client.list_group_participants(a.path("groupJid")).send().await),
        "add_group_participants" => json(
            client.add_group_participants(a.path("groupJid"), a.body::<types::GroupParticipantsRequest>()).send().await,
        ),
        "remove_group_participants" => json(
            client
                .remove_group_participants(a.path("groupJid"), a.body::<types::GroupParticipantsRequest>())
                .send()
                .await,
        ),
        "promote_group_participants" => json(
            client
                .promote_group_participants(a.path("groupJid"), a.body::<types::GroupParticipantsRequest>())
                .send()
                .await,
        ),
        "demote_group_participants" => json(
            client
                .demote_group_participants(a.path("groupJid"), a.body::<types::GroupParticipantsRequest>())
                .send()
                .await,
        ),
        "update_group_settings" => {
            json(client.update_group_settings(a.path("groupJid"), a.body::<types::GroupSettingsUpdate>()).send().await)
        }
        "get_group_picture" => json(client.get_group_picture(a.path("groupJid")).send().await),
        "get_group_invite_link" => json(client.get_group_invite_link(a.path("groupJid")).send().await),
        "leave_group" => json(client.leave_group(a.path("groupJid")).send().await),
        "get_group_invite_info" => json(client.get_group_invite_info(a.path("inviteCode")).send().await),
        "accept_group_invite" => {
            json(client.accept_group_invite(a.body::<types::AcceptGroupInviteRequest>()).send().await)
        }
        other => panic!("no dispatcher arm for operationId `{other}`: add one to `call`"),
    };
    a.assert_all_used();
    result
}

// --------------------------------------------------------------------------------------- helpers

/// A response with the example's status, headers and body text, all verbatim.
fn respond(status: u16, headers: &[(String, String)], body: &str) -> ResponseTemplate {
    let mut template = ResponseTemplate::new(status).set_body_string(body);
    for (key, value) in headers {
        template = template.insert_header(key.as_str(), value.as_str());
    }
    template
}

/// Serves `template` for any request, calls `op`, and returns the outcome with what arrived.
async fn exchange(
    op: &str,
    request: &PostmanRequest,
    template: ResponseTemplate,
) -> (Result<Value, wapio::Error>, Vec<wiremock::Request>) {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(template).mount(&server).await;
    let result = call(&client_for(&server), op, request).await;
    (result, server.received_requests().await.expect("request recording is on"))
}

/// A lower-case hyphenated UUID of version 4, variant RFC 4122.
fn is_uuid_v4(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
        })
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}

/// What is wrong with the requests that arrived for the collection's `request`, if anything.
fn request_problems(op: &str, request: &PostmanRequest, received: &[wiremock::Request]) -> Vec<String> {
    let (sent, mut problems) =
        match request_line_problems(received, &request.method, &request.path_string(), &request.query) {
            Ok(checked) => checked,
            Err(problems) => return problems,
        };
    let mut check = |ok: bool, problem: String| {
        if !ok {
            problems.push(problem);
        }
    };

    let values = |name: &str| header_values(sent, name);
    let bearer = format!("Bearer {TOKEN}");
    check(
        values("authorization") == [bearer.clone()],
        format!("authorization: sent {:?}, expected [{bearer}]", values("authorization")),
    );
    check(values("api-version").is_empty(), format!("an api-version header was sent: {:?}", values("api-version")));
    for (key, value) in request.headers.iter().filter(|(_, value)| !value.is_empty()) {
        check(values(key) == [value.clone()], format!("header {key}: sent {:?}, expected [{value}]", values(key)));
    }
    if request.header(IDEMPOTENCY_KEY).is_none_or(str::is_empty) {
        let keys = values(IDEMPOTENCY_KEY);
        if IDEMPOTENT_OPERATIONS.contains(&op) {
            check(
                matches!(keys.as_slice(), [key] if is_uuid_v4(key)),
                format!("{IDEMPOTENCY_KEY}: sent {keys:?}, expected one UUID v4 filled in by the client"),
            );
        } else {
            check(keys.is_empty(), format!("{IDEMPOTENCY_KEY}: sent {keys:?} on an operation that declares none"));
        }
    }

    match &request.body {
        None => {
            check(sent.body.is_empty(), format!("body: sent {:?}, expected none", String::from_utf8_lossy(&sent.body)))
        }
        Some(PostmanBody::Json(expected)) => match serde_json::from_slice::<Value>(&sent.body) {
            Ok(body) => check(&body == expected, format!("body: sent {body}, expected {expected}")),
            Err(e) => check(false, format!("body: sent {:?}, not JSON ({e})", String::from_utf8_lossy(&sent.body))),
        },
        Some(other) => check(false, format!("the collection's body is not JSON, the client cannot send it: {other:?}")),
    }
    problems
}

/// What is wrong with the client's result for a served response example, if anything.
fn response_problem(code: u16, example: &PostmanResponse, result: Result<Value, wapio::Error>) -> Option<String> {
    let expected = example.body.clone().unwrap_or(Value::Null);
    match result {
        Ok(value) if (200..300).contains(&code) => (without_nulls(&value) != without_nulls(&expected))
            .then(|| format!("the client returned {value}, the example body is {expected}")),
        Ok(value) => Some(format!("expected ErrorKind::Api for HTTP {code}, the client returned Ok({value})")),
        Err(error) => match error.kind() {
            wapio::ErrorKind::Api(api) if !(200..300).contains(&code) => {
                let envelope = serde_json::to_value(&api.body).expect("the envelope serializes");
                if api.status.as_u16() != code {
                    Some(format!("ErrorKind::Api has status {}, expected {code}", api.status))
                } else {
                    (without_nulls(&envelope) != without_nulls(&expected))
                        .then(|| format!("the error envelope is {envelope}, the example body is {expected}"))
                }
            }
            _ => Some(format!("HTTP {code} with body {:?} gave {error:?}", example.body_text)),
        },
    }
}

// ----------------------------------------------------------------------------------------- tests

/// Every request item of the collection, sent through the typed builders, arrives as documented.
///
/// The server answers with the item's first documented 2xx example (status, headers, body); when
/// that example has no body it answers `{}` instead (and with 200 `{}` when the item documents no
/// success at all), so that this test checks the request alone: how the client copes with the
/// documented responses, empty bodies included, is `every_saved_response_example_decodes`'s job.
#[tokio::test]
async fn every_collection_request_is_sent_as_documented() {
    let items = items();
    let mut exercised = 0;
    let mut covered = BTreeSet::new();
    let mut failures = Vec::new();
    for item in &items {
        let op = operation_of(item);
        let success = item.responses.iter().find(|r| r.code.is_some_and(|c| (200..300).contains(&c)));
        let template = match success {
            Some(example) if !example.body_text.trim().is_empty() => {
                respond(example.code.unwrap_or(200), &example.headers, &example.body_text)
            }
            Some(example) => respond(example.code.unwrap_or(200), &[], "{}"),
            None => respond(200, &[], "{}"),
        };
        let (result, received) = exchange(&op, &item.request, template).await;
        let mut problems = request_problems(&op, &item.request, &received);
        if let Err(error) = result {
            problems.push(format!("the call failed: {error:?}"));
        }
        if !problems.is_empty() {
            failures.push(format!("{} ({op}):\n    {}", item.label(), problems.join("\n    ")));
        }
        exercised += 1;
        covered.insert(op);
    }
    assert!(
        failures.is_empty(),
        "{} of {exercised} requests differ from the collection:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(exercised, EXPECTED_ITEMS, "request items exercised");
    assert_eq!(covered.len(), EXPECTED_OPERATIONS, "distinct operationIds covered: {covered:?}");
    let spec_operations = ROUTES.operation_ids();
    assert_eq!(covered, spec_operations, "the collection's items and the spec's operations differ");
}

/// Every saved response example, served as documented, comes back from the client as that value:
/// a 2xx as the typed success value, an error as `ErrorKind::Api` with the typed envelope.
#[tokio::test]
async fn every_saved_response_example_decodes() {
    let collection = collection_json();
    let documented = postman::count_response_examples(&collection);
    let mut exercised = 0;
    let mut failing: BTreeMap<(String, u16), Vec<String>> = BTreeMap::new();
    for item in &postman::parse(&collection) {
        let op = operation_of(item);
        for example in &item.responses {
            let code =
                example.code.unwrap_or_else(|| panic!("{}: example `{}` has no status", item.label(), example.name));
            let template = respond(code, &example.headers, &example.body_text);
            let (result, _) = exchange(&op, &item.request, template).await;
            exercised += 1;
            if let Some(problem) = response_problem(code, example, result) {
                let message = format!("{} ({op}), example `{}` (HTTP {code}): {problem}", item.label(), example.name);
                failing.entry((item.label(), code)).or_default().push(message);
            }
        }
    }
    assert!(documented > 50, "the collection holds {documented} examples: is the loader reading it?");
    assert_eq!(exercised, documented, "examples exercised vs examples in the collection");

    let problems: Vec<&String> = failing.values().flatten().collect();
    assert!(
        problems.is_empty(),
        "{} response examples are not returned as documented:\n{}",
        problems.len(),
        problems.iter().map(|m| m.as_str()).collect::<Vec<_>>().join("\n")
    );
}

/// A send whose caller sets no `Idempotency-Key` still carries one: a fresh UUID v4 per send.
/// (Every send item of the collection sets `{{idempotencyKey}}`, so the request test always sees a
/// caller-set key; this replays the same items without it.)
#[tokio::test]
async fn a_send_without_idempotency_key_gets_a_fresh_uuid_v4() {
    let mut keys = BTreeSet::new();
    let mut sends = 0;
    for item in items().iter().filter(|item| IDEMPOTENT_OPERATIONS.contains(&operation_of(item).as_str())) {
        let op = operation_of(item);
        let mut request = item.request.clone();
        request.headers.retain(|(key, _)| !key.eq_ignore_ascii_case(IDEMPOTENCY_KEY));
        let (result, received) = exchange(&op, &request, respond(202, &[], "{}")).await;
        let problems = request_problems(&op, &request, &received);
        assert!(problems.is_empty(), "{} ({op}):\n    {}", item.label(), problems.join("\n    "));
        assert!(result.is_ok(), "{} ({op}): {result:?}", item.label());
        keys.extend(received.iter().filter_map(|r| r.headers.get(IDEMPOTENCY_KEY)?.to_str().ok().map(str::to_string)));
        sends += 1;
    }
    assert_eq!(sends, 11, "send_message items in the collection");
    assert_eq!(keys.len(), sends, "every send gets its own key: {keys:?}");
}

/// With `PRISM_URL_WAPIO` set (by `tests/contract/run.sh`), every request item of the collection,
/// sent through the typed builders, goes to a Prism mock of the spec, which must accept it.
#[tokio::test]
async fn prism_accepts_every_collection_request() {
    let Some(prism) = support::prism::url("PRISM_URL_WAPIO") else { return };
    let client = client_at(&prism);
    let mut tally = support::prism::Tally::new("wapio client");
    for item in &items() {
        let op = operation_of(item);
        tally.record(&format!("{} ({op})", item.label()), &call(&client, &op, &item.request).await);
    }
    tally.finish(EXPECTED_ITEMS);
}

/// Every collection request, sent through the typed builders to the `wapio` sandbox (feature
/// `sandbox`), passes its checks and gets the spec's documented example back as the typed value
/// (`{}` or no body where the spec documents none).
#[tokio::test]
async fn every_operation_answers_its_documented_example_in_the_sandbox() {
    let sandbox = wapio::sandbox::start().await.expect("the sandbox starts");
    let config = wapio::config().with_base_url(sandbox.url()).with_max_retries(0);
    let client = wapio::Client::with_config(config, AccountToken::new(TOKEN).unwrap()).unwrap();
    let table: Value = serde_json::from_str(wapio_api::SANDBOX_ROUTES).unwrap();
    let mut covered = BTreeSet::new();
    let mut failures = Vec::new();
    for item in items() {
        let op = operation_of(&item);
        if !covered.insert(op.clone()) {
            continue;
        }
        let route = table["routes"].as_array().unwrap().iter().find(|r| r["operation"] == op.as_str()).unwrap();
        match call(&client, &op, &item.request).await {
            Ok(value) if without_nulls(&value) == without_nulls(&route["success"]["body"]) => {}
            Ok(value) => failures.push(format!("{op}: got {value}, documented {}", route["success"]["body"])),
            Err(error) => failures.push(format!("{op}: {error}")),
        }
    }
    assert!(failures.is_empty(), "{} operations fail in the sandbox:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(covered, ROUTES.operation_ids(), "every operation of the spec is driven");
}
