//! The sandbox of each client crate (feature `sandbox`): documented examples for valid calls,
//! and the provider's own error shape for a missing credential (401), a missing required
//! parameter or body field (422) and an unknown path (404). Every operation is driven against
//! it by the contract tests (`*_contract.rs`), which hold the per-operation dispatchers.

use crate::support;

use serde_json::{Value, json};
use xtask::{config, regen, sandbox as routes};

/// A bare client (with the clients' TLS backend: `reqwest::Client::new()` would need a
/// process-wide rustls provider).
fn raw_client() -> reqwest::Client {
    whatsapp_sdk_runtime::Config::new("http://127.0.0.1").http_client().unwrap()
}

#[test]
fn committed_route_tables_are_what_the_specs_give() {
    let root = support::workspace_root();
    for provider in config::providers(&root).unwrap() {
        let files = regen::crate_files(&root, &provider).unwrap_or_else(|e| panic!("{}: {e:?}", provider.name));
        let table = files.iter().find(|f| f.path.ends_with("src/sandbox.json")).expect("regen writes sandbox.json");
        let committed = std::fs::read_to_string(&table.path).unwrap();
        assert!(committed == table.contents, "{} is stale: run `cargo xtask regen`", table.path.display());
    }
    let wapio = routes::route_table("wapio", &spec("wapio.yaml")).unwrap();
    assert_eq!(
        serde_json::to_value(&wapio).unwrap(),
        serde_json::from_str::<Value>(wapio_api::SANDBOX_ROUTES).unwrap()
    );
}

fn spec(file: &str) -> xtask::spec::Spec {
    let path = support::workspace_root().join("specs").join(file);
    xtask::spec::check(&path, xtask::spec::load(&path).unwrap()).unwrap()
}

mod wapio_sandbox {
    use wapio::prelude::*;
    use wapio::types::{ReasonCode, SendMessageRequest};

    use super::*;

    async fn client(sandbox: &wapio::sandbox::Sandbox, token: AccountToken) -> Client<AccountToken> {
        Client::with_config(wapio::config().with_base_url(sandbox.url()).with_max_retries(0), token).unwrap()
    }

    #[tokio::test]
    async fn a_send_gets_the_documented_acceptance() {
        let sandbox = wapio::sandbox::start().await.unwrap();
        assert_eq!(sandbox.url(), format!("http://127.0.0.1:{}", sandbox.port()));
        let client = client(&sandbox, AccountToken::new("bps_pat_sandbox").unwrap()).await;
        let text = SendMessageRequest::text("hi").to("1555");
        let accepted = client.send_message(text).send().await.unwrap();
        assert_eq!(accepted.status().as_u16(), 202);
        assert_eq!(accepted.into_inner().msg_id.as_deref(), Some("wamid.example"));
    }

    #[tokio::test]
    async fn missing_credential_is_a_typed_401_envelope() {
        let sandbox = wapio::sandbox::start().await.unwrap();
        let response = raw_client().get(format!("{}/v1/whatsapp-sessions", sandbox.url())).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 401);
        let envelope: wapio::types::ErrorEnvelope = response.json().await.unwrap();
        assert_eq!(envelope.reason_code, Some(ReasonCode::from("unauthorized")));
        assert!(envelope.message.unwrap().contains("Authorization: Bearer"));

        let bearer_without_token = raw_client()
            .get(format!("{}/v1/whatsapp-sessions", sandbox.url()))
            .header("authorization", "Bearer ")
            .send()
            .await
            .unwrap();
        assert_eq!(bearer_without_token.status().as_u16(), 401);
    }

    #[tokio::test]
    async fn missing_body_field_is_a_typed_422_validation_error() {
        let sandbox = wapio::sandbox::start().await.unwrap();
        let client = client(&sandbox, AccountToken::new("bps_pat_sandbox").unwrap()).await;
        let error = client
            .mark_messages_read(
                serde_json::from_value::<wapio::types::MarkMessagesReadRequest>(json!({"message_ids": []})).unwrap(),
            )
            .send()
            .await;
        assert!(error.is_ok(), "an empty list is present: {error:?}");

        let response = raw_client()
            .post(format!("{}/api/messages/read", sandbox.url()))
            .bearer_auth("bps_pat_sandbox")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 422);
        let envelope: wapio::types::ErrorEnvelope = response.json().await.unwrap();
        assert_eq!(envelope.reason_code, Some(ReasonCode::ValidationError));
        assert_eq!(envelope.errors.get("message_ids"), Some(&json!(["Required"])));
    }

    #[tokio::test]
    async fn unknown_path_is_404_in_the_envelope() {
        let sandbox = wapio::sandbox::start().await.unwrap();
        let response = raw_client()
            .get(format!("{}/api/nothing-here", sandbox.url()))
            .bearer_auth("bps_pat_x")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 404);
        let envelope: wapio::types::ErrorEnvelope = response.json().await.unwrap();
        assert!(envelope.message.unwrap().contains("/api/nothing-here"));
    }
}

mod verloop_sandbox {
    use verloop_partner::prelude::*;

    use super::*;

    #[tokio::test]
    async fn login_then_phone_token_then_send() {
        let sandbox = verloop_partner::sandbox::start().await.unwrap();
        assert!(sandbox.url().ends_with("/api/v2"), "{}", sandbox.url());
        let config = verloop_partner::config().with_base_url(sandbox.url()).with_max_retries(0);
        let management = Management::login_with_config(config, "partner@example.com", "secret").await.unwrap();
        let messaging = management.phone_token("client-1", "phone-1").await.unwrap();
        use verloop_partner::types::{OutgoingMessage, SendMessageRequest, TextContent};
        let message = OutgoingMessage::text(TextContent::builder().body("Hello")).to("15551234567").build();
        let sent = messaging.send_message(SendMessageRequest::builder().messages(vec![message])).send().await;
        assert!(sent.is_ok(), "{sent:?}");
    }

    #[tokio::test]
    async fn missing_token_is_401_and_missing_query_is_422_in_the_error_shape() {
        let sandbox = verloop_partner::sandbox::start().await.unwrap();
        let url = format!("{}/whatsapp/list_templates", sandbox.url());

        let unauthorized = raw_client().get(&url).query(&[("ClientID", "c")]).send().await.unwrap();
        assert_eq!(unauthorized.status().as_u16(), 401);
        let body: verloop_partner::types::ErrorResponse = unauthorized.json().await.unwrap();
        assert!(body.error.unwrap().contains("`Authorization` header"));

        let invalid = raw_client().get(&url).header("authorization", "system-token").send().await.unwrap();
        assert_eq!(invalid.status().as_u16(), 422);
        let body: verloop_partner::types::ErrorResponse = invalid.json().await.unwrap();
        assert_eq!(body.error.as_deref(), Some("missing required query parameter `ClientID`"));
    }

    #[tokio::test]
    async fn typed_client_decodes_a_422_into_the_error_body() {
        let sandbox = verloop_partner::sandbox::start().await.unwrap();
        // The builder requires `destination_url`; an empty value is what the sandbox calls missing.
        let config = verloop_partner::config().with_base_url(sandbox.url()).with_max_retries(0);
        let management = Management::with_config(config, SystemUserToken::new("system-token").unwrap()).unwrap();
        let error = verloop_partner::Error::from(
            management.get_media_async().client_id("c").id("m").destination_url("").send().await.unwrap_err(),
        );
        assert_eq!(error.status().map(|s| s.as_u16()), Some(422));
        assert_eq!(
            error.body().and_then(|b| b.error.as_deref()),
            Some("missing required query parameter `destination_url`")
        );
    }

    #[tokio::test]
    async fn binary_media_comes_back_as_bytes() {
        let sandbox = verloop_partner::sandbox::start().await.unwrap();
        let config = verloop_partner::config().with_base_url(sandbox.url()).with_max_retries(0);
        let management = Management::with_config(config, SystemUserToken::new("system-token").unwrap()).unwrap();
        let media = management.get_media().client_id("c").id("m").send().await.unwrap();
        assert_eq!(media.headers()["content-type"], "application/octet-stream");
        let bytes: Vec<u8> = futures::TryStreamExt::try_concat(futures::TryStreamExt::map_ok(
            media.into_inner().into_inner(),
            |chunk| chunk.to_vec(),
        ))
        .await
        .unwrap();
        assert!(!bytes.is_empty());
    }

    #[tokio::test]
    async fn unknown_path_is_404() {
        let sandbox = verloop_partner::sandbox::start().await.unwrap();
        let response = raw_client().get(format!("{}/whatsapp/unknown", sandbox.url())).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 404);
        let body: verloop_partner::types::ErrorResponse = response.json().await.unwrap();
        assert!(body.error.is_some());
    }
}

mod woztell_sandbox {
    use woztell::prelude::*;

    use super::*;

    fn client(sandbox: &woztell::sandbox::Sandbox) -> Client {
        let config = woztell::config().with_base_url(sandbox.url()).with_max_retries(0);
        Client::with_config(config, AccessToken::new("access-token").unwrap()).unwrap()
    }

    #[tokio::test]
    async fn token_in_query_body_and_signed_context_are_all_accepted() {
        let sandbox = woztell::sandbox::start().await.unwrap();
        assert!(sandbox.url().ends_with("/v1.2/api"));
        let client = client(&sandbox);
        let info = client.get_waba_info().send().await.unwrap().into_inner();
        assert_eq!(info.ok, 1);
        let template: woztell::types::DeleteTemplateRequest =
            serde_json::from_value(json!({"wabaId": "w", "name": "n"})).unwrap();
        assert!(client.delete_template(template).send().await.is_ok());
        let signed = client.signed(SignedContext::new("sig", "app", "integration", "channel").unwrap()).unwrap();
        assert!(signed.list_flows().limit(5).send().await.is_ok());
    }

    #[tokio::test]
    async fn missing_token_is_a_typed_401_and_missing_signed_context_too() {
        let sandbox = woztell::sandbox::start().await.unwrap();
        let unauthorized = raw_client().get(format!("{}/waba-info", sandbox.url())).send().await.unwrap();
        assert_eq!(unauthorized.status().as_u16(), 401);
        let body: woztell::types::ErrorResponse = unauthorized.json().await.unwrap();
        assert_eq!(body.ok, Some(0));
        assert!(body.message.unwrap().contains("`accessToken` query parameter"));

        let no_signature = raw_client()
            .get(format!("{}/flow", sandbox.url()))
            .query(&[("limit", "5")])
            .header("X-Woztell-Payload", "{}")
            .send()
            .await
            .unwrap();
        assert_eq!(no_signature.status().as_u16(), 401);
    }

    #[tokio::test]
    async fn missing_required_query_and_body_field_are_422() {
        let sandbox = woztell::sandbox::start().await.unwrap();
        let no_query = raw_client()
            .get(format!("{}/whatsapp-business-profile", sandbox.url()))
            .query(&[("accessToken", "t")])
            .send()
            .await
            .unwrap();
        assert_eq!(no_query.status().as_u16(), 422);
        let body: woztell::types::ErrorResponse = no_query.json().await.unwrap();
        assert_eq!(body.message.as_deref(), Some("missing required query parameter `phoneNumberId`"));

        let no_field = raw_client()
            .delete(format!("{}/whatsapp-message-template", sandbox.url()))
            .json(&json!({"accessToken": "t", "wabaId": "w"}))
            .send()
            .await
            .unwrap();
        assert_eq!(no_field.status().as_u16(), 422);
        let body: woztell::types::ErrorResponse = no_field.json().await.unwrap();
        assert_eq!(body.message.as_deref(), Some("missing required body field `name`"));
    }

    #[tokio::test]
    async fn unknown_path_is_404_and_the_sandbox_stops_when_dropped() {
        let sandbox = woztell::sandbox::start().await.unwrap();
        let url = format!("{}/nothing", sandbox.url());
        let response = raw_client().get(&url).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 404);
        drop(sandbox);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(raw_client().get(&url).send().await.is_err(), "nothing listens after drop");
    }
}
