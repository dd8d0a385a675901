//! Behaviour of the `woztell` client beyond the wire contract: the signed context against an
//! independent vector, where the access token goes, paging streams, and secret hygiene.

use futures::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};
use woztell::prelude::*;

const TOKEN: &str = "woz-s3cret-access-token";
const SIGNATURE: &str = "sig-s3cret";
/// `printf '%s' '{"app":"a1","appIntegration":"i1","channel":"c1"}' | base64 -w0`
const PAYLOAD_BASE64: &str = "eyJhcHAiOiJhMSIsImFwcEludGVncmF0aW9uIjoiaTEiLCJjaGFubmVsIjoiYzEifQ==";

fn client(server: &MockServer) -> Client {
    let config = woztell::config().with_base_url(format!("{}/v1.2/api", server.uri())).with_max_retries(0);
    Client::with_config(config, AccessToken::new(TOKEN).unwrap()).unwrap()
}

fn signed(server: &MockServer) -> SignedClient {
    client(server).signed(SignedContext::new(SIGNATURE, "a1", "i1", "c1").unwrap()).unwrap()
}

#[tokio::test]
async fn signed_context_headers_match_an_independent_vector() {
    let server = MockServer::start().await;
    Mock::given(path("/v1.2/api/catalogs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": 1, "data": []})))
        .mount(&server)
        .await;
    signed(&server).list_catalogs().send().await.unwrap();
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        request.headers.get("x-woztell-payload").unwrap(),
        r#"{"app":"a1","appIntegration":"i1","channel":"c1"}"#
    );
    assert_eq!(request.headers.get("x-woztell-signedcontext").unwrap(), &format!("{SIGNATURE}.{PAYLOAD_BASE64}"));
    assert!(!request.url.query().unwrap_or_default().contains("accessToken"), "catalogs take only the signed context");
}

#[tokio::test]
async fn access_token_goes_in_the_query_on_reads_and_the_body_on_writes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1.2/api/waba-info"))
        .and(query_param("accessToken", TOKEN))
        .and(query_param("wabaId", "w1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": 1})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/v1.2/api/whatsapp-business-profile"))
        .and(query_param_is_missing("accessToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": 1, "success": true})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    client.get_waba_info().waba_id("w1").send().await.unwrap();
    let profile = serde_json::from_value::<woztell::types::UpdateBusinessProfileRequest>(
        json!({"phoneNumberId": "p1", "profile": {"messaging_product": "whatsapp", "about": "hi"}}),
    )
    .unwrap();
    client.update_business_profile(profile).send().await.unwrap();
    let write = &server.received_requests().await.unwrap()[1];
    let body: serde_json::Value = serde_json::from_slice(&write.body).unwrap();
    assert_eq!(
        body,
        json!({"phoneNumberId": "p1", "profile": {"messaging_product": "whatsapp", "about": "hi"}, "accessToken": TOKEN})
    );
    assert!(write.headers.get("x-woztell-signedcontext").is_none());
}

#[tokio::test]
async fn json_array_filters_are_sent_as_documented() {
    let server = MockServer::start().await;
    Mock::given(path("/v1.2/api/whatsapp-message-templates"))
        .and(query_param("status", r#"["APPROVED","PENDING"]"#))
        .and(query_param("language", r#"["en_US"]"#))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": 1, "data": []})))
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .list_templates()
        .waba_id("w1")
        .first(10)
        .status(woztell::json_array(["APPROVED", "PENDING"]))
        .language(woztell::json_array(["en_US"]))
        .send()
        .await
        .unwrap();
}

fn template_page(names: &[&str], after: Option<&str>, has_next: bool) -> serde_json::Value {
    let data: Vec<_> = names.iter().map(|n| json!({"name": n, "category": "MARKETING"})).collect();
    json!({"ok": 1, "data": data, "paging": {"cursors": {"before": "b", "after": after}, "hasNext": has_next}})
}

#[tokio::test]
async fn templates_stream_follows_after_cursors_while_has_next() {
    let server = MockServer::start().await;
    let pages = [
        (None, template_page(&["t1", "t2"], Some("c1"), true)),
        (Some("c1"), template_page(&["t3"], Some("c2"), true)),
        (Some("c2"), template_page(&["t4"], Some("c3"), false)),
    ];
    for (cursor, body) in pages {
        let mock = Mock::given(path("/v1.2/api/whatsapp-message-templates")).and(query_param("first", "2"));
        let mock = match cursor {
            Some(cursor) => mock.and(query_param("after", cursor)),
            None => mock.and(query_param_is_missing("after")),
        };
        mock.respond_with(ResponseTemplate::new(200).set_body_json(body)).expect(1).mount(&server).await;
    }
    let client = client(&server);
    let names: Vec<String> = client
        .templates(|query| query.waba_id("w1").first(2))
        .map_ok(|template| template.name.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["t1", "t2", "t3", "t4"]);
}

#[tokio::test]
async fn flows_and_products_stream_too() {
    let server = MockServer::start().await;
    Mock::given(path("/v1.2/api/flow"))
        .and(query_param_is_missing("after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"ok": 1, "data": [{"label": "f1"}], "paging": {"cursors": {"after": "n"}, "hasNext": true}}),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/v1.2/api/flow"))
        .and(query_param("after", "n"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"ok": 1, "data": [{"label": "f2"}], "paging": {"hasNext": false}})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/v1.2/api/products"))
        .and(query_param("catalogId", "cat"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": 1, "data": [{}, {}]})))
        .mount(&server)
        .await;
    let signed = signed(&server);
    let flows: Vec<_> = signed.flows(|query| query.limit(1)).try_collect().await.unwrap();
    assert_eq!(flows.iter().map(|f| f.label.clone().unwrap()).collect::<Vec<_>>(), ["f1", "f2"]);
    let products: Vec<_> = signed.products(|query| query.catalog_id("cat")).try_collect().await.unwrap();
    assert_eq!(products.len(), 2);
}

#[tokio::test]
async fn transport_errors_and_debug_output_hold_no_secret() {
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = woztell::config().with_base_url(format!("http://127.0.0.1:{closed_port}")).with_max_retries(1);
    let offline = Client::with_config(config, AccessToken::new(TOKEN).unwrap()).unwrap();
    let error: woztell::Error = offline.get_waba_info().waba_id("w1").send().await.unwrap_err();
    assert!(matches!(error.kind(), woztell::ErrorKind::Transport(_)), "{error:?}");

    let server = MockServer::start().await;
    Mock::given(path("/v1.2/api/waba-info"))
        .respond_with(ResponseTemplate::new(500).set_body_string("oops"))
        .mount(&server)
        .await;
    let api: woztell::Error = client(&server).get_waba_info().waba_id("w1").send().await.unwrap_err();
    assert_eq!(api.status().map(|s| s.as_u16()), Some(500));

    let context = SignedContext::new(SIGNATURE, "a1", "i1", "c1").unwrap();
    let shown = format!(
        "{error} {error:?} {api} {api:?} {offline:?} {:?} {context:?} {:?}",
        signed(&server),
        AccessToken::new(TOKEN).unwrap()
    );
    assert!(!shown.contains("s3cret"), "secret leaked: {shown}");
    assert!(shown.contains("a1"), "the payload is not secret and helps debugging");
}

#[tokio::test]
async fn operation_futures_can_be_spawned_on_a_multi_threaded_runtime() {
    fn is_send<T: Send>(_: &T) {}
    let server = MockServer::start().await;
    is_send(&client(&server).list_templates().waba_id("w1").first(5).send());
    is_send(&signed(&server).list_catalogs().send());
}

/// The size of the future `send` returns, found from the closure's type: the closure is not
/// called, so its request values need not be valid.
fn future_size<F: Future>(_: impl FnOnce() -> F) -> usize {
    std::mem::size_of::<F>()
}

/// Every request's future is moved (into the executor, through combinators): what it holds is
/// copied each time. The operation with the largest parameters (`list_templates`, nine query
/// parameters) bounds them all; retry and tracing state are boxed, the parameters held once.
#[test]
fn the_largest_operations_future_stays_small() {
    let client = Client::with_config(woztell::config(), AccessToken::new(TOKEN).unwrap()).unwrap();
    let list_templates = future_size(|| client.list_templates().waba_id("w1").first(10).send());
    let update_profile = future_size(|| {
        client
            .update_business_profile(
                serde_json::from_value::<woztell::types::UpdateBusinessProfileRequest>(json!({})).unwrap(),
            )
            .send()
    });
    eprintln!("future sizes: list_templates {list_templates}, update_business_profile {update_profile} bytes");
    assert!(list_templates <= 768, "list_templates's future has {list_templates} bytes");
    assert!(update_profile <= list_templates);
}
