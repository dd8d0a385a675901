//! The typed httpmock crates (`generated/<crate>-httpmock`, progenitor's httpmock output): for
//! each provider one mock written in the generated types, driven by the real client, which must
//! hit it (`mock.assert()`) and get the typed value back.
//!
//! httpmock's `MockServer::mock` blocks on a runtime of its own, so these tests are synchronous
//! and drive the async client on a runtime they build.

use httpmock::MockServer;
use serde::de::DeserializeOwned;
use serde_json::json;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a Tokio runtime")
}

fn typed<T: DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("the value fits the generated type")
}

#[test]
fn wapio_send_message_answers_202_with_the_mocked_acceptance() {
    use wapio::mock::MockServerExt;
    use wapio::prelude::*;
    use wapio::types::{MessageStatus, SendMessageAccepted, SendMessageRequest};

    let server = MockServer::start();
    let request = SendMessageRequest::text("Hello from a mock").session_id("sess_123").to("15551234567").build();
    // A typed mock answers with a value built like any other.
    let accepted = SendMessageAccepted::builder().msg_id("wamid.mocked").status(MessageStatus::Queued).build();
    let mock = server.send_message(|when, then| {
        when.body(&request);
        then.accepted(&accepted);
    });

    let config = wapio::config().with_base_url(server.base_url()).with_max_retries(0);
    let client = Client::with_config(config, AccountToken::new("bps_pat_mock").unwrap()).unwrap();
    let answer = runtime().block_on(client.send_message(request.clone()).send()).expect("the mock answers");

    mock.assert();
    assert_eq!(answer.status().as_u16(), 202);
    assert_eq!(answer.into_inner(), accepted);
}

#[test]
fn wapio_mock_with_another_body_is_not_hit() {
    use wapio::mock::MockServerExt;
    use wapio::prelude::*;
    use wapio::types::SendMessageRequest;

    let server = MockServer::start();
    let text = |text: &str| SendMessageRequest::text(text).session_id("sess_123").to("15551234567").build();
    let mock = server.send_message(|when, then| {
        when.body(&text("expected"));
        then.accepted(&typed(json!({"msgId": "wamid.mocked"})));
    });

    let config = wapio::config().with_base_url(server.base_url()).with_max_retries(0);
    let client = Client::with_config(config, AccountToken::new("bps_pat_mock").unwrap()).unwrap();
    let result = runtime().block_on(client.send_message(text("something else")).send());

    assert!(result.is_err(), "httpmock answers 404 to a request no mock matches");
    assert_eq!(mock.calls(), 0);
}

#[test]
fn verloop_list_templates_answers_the_mocked_list() {
    use verloop_partner::mock::MockServerExt;
    use verloop_partner::prelude::*;
    use verloop_partner::types::ListTemplatesResponse;

    let server = MockServer::start();
    let templates: ListTemplatesResponse =
        typed(json!({"Resp": {"data": [{"id": "1", "name": "welcome", "status": "APPROVED"}]}}));
    let mock = server.list_templates(|when, then| {
        when.client_id("client-1");
        then.ok(&templates);
    });

    // The mock paths are the spec's, without the `/api/v2` base path.
    let config = verloop_partner::config().with_base_url(server.base_url()).with_max_retries(0);
    let management = Management::with_config(config, SystemUserToken::new("system-user-token").unwrap()).unwrap();
    let answer =
        runtime().block_on(management.list_templates().client_id("client-1").send()).expect("the mock answers");

    mock.assert();
    assert_eq!(answer.into_inner(), templates);
}

#[test]
fn woztell_business_profile_answers_the_mocked_profile() {
    use woztell::mock::MockServerExt;
    use woztell::prelude::*;
    use woztell::types::BusinessProfileResponse;

    let server = MockServer::start();
    let profile: BusinessProfileResponse =
        typed(json!({"ok": 1, "data": {"about": "Mocked", "address": "1 Mock Street"}}));
    let mock = server.get_business_profile(|when, then| {
        when.phone_number_id("1234567890");
        then.ok(&profile);
    });

    let config = woztell::config().with_base_url(server.base_url()).with_max_retries(0);
    let client = Client::with_config(config, AccessToken::new("access-token").unwrap()).unwrap();
    let answer = runtime()
        .block_on(client.get_business_profile().phone_number_id("1234567890").send())
        .expect("the mock answers");

    mock.assert();
    assert_eq!(answer.into_inner(), profile);
}
