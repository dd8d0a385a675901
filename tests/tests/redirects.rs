//! Credentials stay with the provider's origin: a redirect to another origin is not followed,
//! for every redirect status and every place a provider puts a credential (header, query,
//! JSON body, signed context); a redirect within the origin is followed, a few times at most.
//!
//! Each case runs against a provider server on 127.0.0.1 that redirects to a second server on
//! `localhost` and another port, which records what reaches it: nothing may.

use std::future::Future;
use std::pin::Pin;

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const STATUSES: [u16; 5] = [301, 302, 303, 307, 308];
const WAPIO_TOKEN: &str = "bps_pat_redirect_s3cret";
const VERLOOP_TOKEN: &str = "verloop-redirect-s3cret";
const WOZTELL_TOKEN: &str = "woztell-redirect-s3cret";
const SIGNATURE: &str = "signature-redirect-s3cret";
const SECRETS: [&str; 4] = [WAPIO_TOKEN, VERLOOP_TOKEN, WOZTELL_TOKEN, SIGNATURE];

/// What a case reports of its failed call: the error's message, operation, status and
/// redirect target.
struct Outcome {
    message: String,
    debug: String,
    operation: Option<&'static str>,
    status: Option<u16>,
    target: Option<String>,
}

fn outcome<E: std::fmt::Debug>(result: Result<impl Sized, whatsapp_sdk_runtime::Error<E>>) -> Outcome {
    let Err(error) = result else { panic!("a redirect to another origin was followed to a success") };
    let target = match error.kind() {
        whatsapp_sdk_runtime::ErrorKind::Redirect(redirect) => redirect.target_origin().map(str::to_string),
        other => panic!("expected a redirect error, got {other:?}"),
    };
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(&format!(" / {cause}"));
        source = cause.source();
    }
    Outcome {
        debug: format!("{error:?}"),
        message,
        operation: error.operation(),
        status: error.status().map(|s| s.as_u16()),
        target,
    }
}

type Call<'a> = Pin<Box<dyn Future<Output = Outcome> + 'a>>;

/// One operation of one provider, pointed at `base` (the provider server's URL).
struct Case {
    name: &'static str,
    operation: &'static str,
    /// The path the operation requests, below `base`.
    path: &'static str,
    call: for<'a> fn(&'a str) -> Call<'a>,
}

fn config(base_url: String) -> whatsapp_sdk_runtime::Config {
    whatsapp_sdk_runtime::Config::new(base_url).with_max_retries(2)
}

fn wapio(base: &str) -> wapio::Client {
    wapio::Client::with_config(config(base.to_string()), wapio::AccountToken::new(WAPIO_TOKEN).unwrap()).unwrap()
}

fn verloop_messaging(base: &str) -> verloop_partner::Messaging {
    let token = verloop_partner::PhoneNumberToken::new(VERLOOP_TOKEN).unwrap();
    verloop_partner::Messaging::with_config(config(base.to_string()), token).unwrap()
}

fn verloop_management(base: &str) -> verloop_partner::Management {
    let token = verloop_partner::SystemUserToken::new(VERLOOP_TOKEN).unwrap();
    verloop_partner::Management::with_config(config(base.to_string()), token).unwrap()
}

fn woztell(base: &str) -> woztell::Client {
    woztell::Client::with_config(config(base.to_string()), woztell::AccessToken::new(WOZTELL_TOKEN).unwrap()).unwrap()
}

fn cases() -> Vec<Case> {
    use verloop_partner::prelude::*;
    use wapio::prelude::*;
    use woztell::prelude::*;
    vec![
        Case {
            name: "wapio bearer header, GET",
            operation: "get_session",
            path: "/v1/whatsapp-sessions/sess_1",
            call: |base| Box::pin(async move { outcome(wapio(base).get_session("sess_1").send().await) }),
        },
        Case {
            name: "wapio bearer header, POST with a body",
            operation: "send_message",
            path: "/api/send-message",
            call: |base| {
                Box::pin(async move {
                    let text: wapio::types::SendMessageRequest =
                        serde_json::from_value(json!({"kind": "text", "to": "15551234567", "text": "hi"})).unwrap();
                    outcome(wapio(base).send_message(text).send().await)
                })
            },
        },
        Case {
            name: "verloop Authorization header, POST with a body",
            operation: "send_message",
            path: "/whatsapp/send_message",
            call: |base| {
                Box::pin(async move {
                    let body: verloop_partner::types::SendMessageRequest =
                        serde_json::from_value(json!({"messages": []})).unwrap();
                    outcome(verloop_messaging(base).send_message(body).send().await)
                })
            },
        },
        Case {
            name: "verloop Authorization header, GET",
            operation: "list_templates",
            path: "/whatsapp/list_templates",
            call: |base| {
                Box::pin(async move {
                    outcome(verloop_management(base).list_templates().client_id("client-1").send().await)
                })
            },
        },
        Case {
            name: "woztell accessToken in the query",
            operation: "list_templates",
            path: "/whatsapp-message-templates",
            call: |base| {
                Box::pin(
                    async move { outcome(woztell(base).list_templates().waba_id("waba-1").first(10).send().await) },
                )
            },
        },
        Case {
            name: "woztell accessToken in the JSON body",
            operation: "edit_template",
            path: "/whatsapp-message-template",
            call: |base| {
                Box::pin(async move {
                    let body: woztell::types::EditTemplateRequest = serde_json::from_value(json!({
                        "components": [], "messageTemplateId": "t1", "messageTemplateLanguage": "en",
                        "messageTemplateName": "hello", "wabaId": "waba-1"
                    }))
                    .unwrap();
                    outcome(woztell(base).edit_template(body).send().await)
                })
            },
        },
        Case {
            name: "woztell signed context headers",
            operation: "create_flow",
            path: "/create-flow",
            call: |base| {
                Box::pin(async move {
                    let context = woztell::SignedContext::new(SIGNATURE, "app", "integration", "channel").unwrap();
                    let signed = woztell(base).signed(context).unwrap();
                    let body: woztell::types::CreateFlowRequest =
                        serde_json::from_value(json!({"data": {"name": "f", "categories": ["OTHER"]}})).unwrap();
                    outcome(signed.create_flow(body).send().await)
                })
            },
        },
    ]
}

#[tokio::test]
async fn a_redirect_to_another_origin_carries_no_credential_there() {
    for status in STATUSES {
        for case in cases() {
            let (provider, elsewhere) = (MockServer::start().await, MockServer::start().await);
            // Another origin: another host name and another port.
            let target_origin = format!("http://localhost:{}", elsewhere.address().port());
            let location = format!("{target_origin}/landing?from=redirect&case=1");
            Mock::given(wiremock::matchers::any())
                .respond_with(ResponseTemplate::new(status).insert_header("location", location.as_str()))
                .mount(&provider)
                .await;
            Mock::given(wiremock::matchers::any())
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": 1})))
                .mount(&elsewhere)
                .await;

            let outcome = (case.call)(&provider.uri()).await;

            let label = format!("{} ({status})", case.name);
            let reached = elsewhere.received_requests().await.unwrap();
            assert!(reached.is_empty(), "{label}: the other origin received {} request(s)", reached.len());
            let sent = provider.received_requests().await.unwrap();
            assert_eq!(sent.len(), 1, "{label}: a refused redirect is not retried");
            assert!(sent[0].url.path().ends_with(case.path), "{label}: {}", sent[0].url);
            assert_eq!(outcome.operation, Some(case.operation), "{label}");
            assert_eq!(outcome.status, Some(status), "{label}");
            assert_eq!(outcome.target.as_deref(), Some(target_origin.as_str()), "{label}");
            let expected =
                format!("{}: HTTP {status} redirect to another origin ({target_origin}) not followed", case.operation);
            assert!(outcome.message.contains(&expected), "{label}: {}", outcome.message);
            for shown in [&outcome.message, &outcome.debug] {
                assert!(!shown.contains("from=redirect") && !shown.contains("/landing"), "{label}: {shown}");
                for secret in SECRETS {
                    assert!(!shown.contains(secret), "{label}: {shown}");
                }
            }
        }
    }
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed_a_few_times_at_most() {
    use wapio::prelude::*;
    let provider = MockServer::start().await;
    Mock::given(path("/v1/whatsapp-sessions/old"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", "/v1/whatsapp-sessions/sess_2"))
        .mount(&provider)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/whatsapp-sessions/sess_2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"session_id": "sess_2", "status": "connected"})))
        .mount(&provider)
        .await;
    Mock::given(path("/v1/whatsapp-sessions/loop"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/v1/whatsapp-sessions/loop"))
        .mount(&provider)
        .await;
    let client = wapio(&provider.uri());

    let session = client.get_session("old").send().await.expect("a redirect within the origin is followed");
    assert_eq!(session.into_inner().session_id, "sess_2");
    let followed = provider.received_requests().await.unwrap();
    assert_eq!(followed.len(), 2);
    assert_eq!(
        followed[1].headers.get("authorization").unwrap(),
        &format!("Bearer {WAPIO_TOKEN}"),
        "the credential goes along within the origin"
    );

    let error = client.get_session("loop").send().await.unwrap_err();
    assert!(matches!(error.kind(), wapio::ErrorKind::Redirect(r) if r.target_origin().is_none()), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!(
            "wapio get_session: HTTP 302 redirect not followed: more than {} redirects",
            whatsapp_sdk_runtime::MAX_REDIRECTS
        )
    );
    let looped = provider.received_requests().await.unwrap().len() - followed.len();
    assert_eq!(looped, whatsapp_sdk_runtime::MAX_REDIRECTS + 1);
}
