//! `Runtime::prepare` + `execute` against a local server: what is retried, what is not, and
//! that an idempotency key survives retries.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use whatsapp_sdk_runtime::{Authorize, Config, CredentialError, Error, OperationSpec, Reply, RetryPolicy, Runtime};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

#[derive(Debug)]
struct StaticToken;

impl Authorize for StaticToken {
    fn authorize(&self, request: &mut reqwest::Request, _: &OperationSpec) -> Result<(), CredentialError> {
        request.headers_mut().insert("authorization", "Bearer t0ken".parse().unwrap());
        Ok(())
    }
}

const SEND: OperationSpec = OperationSpec {
    provider: "test",
    id: "send",
    method: "POST",
    path: "/send",
    security: &[&["token"]],
    idempotency_header: Some(reqwest::header::HeaderName::from_static("idempotency-key")),
    credential_body_field: None,
    success_content_type: None,
    error_content_type: None,
};
const CREATE: OperationSpec = OperationSpec {
    provider: "test",
    id: "create",
    method: "POST",
    path: "/send",
    security: &[&["token"]],
    idempotency_header: None,
    credential_body_field: None,
    success_content_type: None,
    error_content_type: None,
};
const READ: OperationSpec = OperationSpec { id: "read", method: "GET", ..CREATE };

fn runtime(max_retries: u32) -> Runtime {
    let policy = RetryPolicy::default()
        .with_max_retries(max_retries)
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(5));
    Runtime::new(StaticToken, &Config::new("http://127.0.0.1").with_retry_policy(policy))
}

/// A `reqwest::Client` with the TLS backend of the enabled feature (`reqwest::Client::new()`
/// would need a process-wide rustls provider with the default, ring).
fn http_client() -> reqwest::Client {
    Config::new("http://127.0.0.1").http_client().unwrap()
}

/// Answers with the statuses in order, then 200.
struct Sequence {
    statuses: Vec<(u16, Option<&'static str>)>,
    calls: Arc<AtomicUsize>,
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        match self.statuses.get(n) {
            Some((status, retry_after)) => {
                let template = ResponseTemplate::new(*status);
                match retry_after {
                    Some(value) => template.insert_header("retry-after", *value),
                    None => template,
                }
            }
            None => ResponseTemplate::new(200),
        }
    }
}

async fn server(statuses: Vec<(u16, Option<&'static str>)>) -> (MockServer, Arc<AtomicUsize>) {
    let server = MockServer::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    Mock::given(path("/send")).respond_with(Sequence { statuses, calls: calls.clone() }).mount(&server).await;
    (server, calls)
}

async fn send(runtime: &Runtime, server: &MockServer, op: &OperationSpec) -> reqwest::Result<reqwest::Response> {
    let http = http_client();
    let mut request = http.post(format!("{}/send", server.uri())).body("{}").build().unwrap();
    if op.method == "GET" {
        *request.method_mut() = reqwest::Method::GET;
    }
    runtime.prepare(&mut request, Some(op)).unwrap();
    runtime.execute(&http, request, Some(op)).await
}

#[tokio::test]
async fn keyed_send_is_retried_with_the_same_key() {
    let (server, calls) = server(vec![(503, None), (429, Some("0")), (502, None)]).await;
    let response = send(&runtime(3), &server, &SEND).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    let requests = server.received_requests().await.unwrap();
    let keys: Vec<_> = requests.iter().map(|r| r.headers.get("idempotency-key").unwrap().clone()).collect();
    assert!(keys.windows(2).all(|pair| pair[0] == pair[1]), "{keys:?}");
    let key = keys[0].to_str().unwrap();
    assert_eq!(uuid::Uuid::parse_str(key).unwrap().get_version_num(), 4);
    assert!(requests.iter().all(|r| r.headers.get("authorization").unwrap() == "Bearer t0ken"));
}

#[tokio::test]
async fn caller_supplied_key_is_kept() {
    let (server, _) = server(vec![]).await;
    let http = http_client();
    let mut request = http.post(format!("{}/send", server.uri())).header("Idempotency-Key", "mine-1").build().unwrap();
    let runtime = runtime(0);
    runtime.prepare(&mut request, Some(&SEND)).unwrap();
    runtime.execute(&http, request, Some(&SEND)).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received[0].headers.get("idempotency-key").unwrap(), "mine-1");
}

#[tokio::test]
async fn unkeyed_post_is_not_repeated_after_reaching_the_server() {
    let (server, calls) = server(vec![(503, None), (503, None)]).await;
    let response = send(&runtime(3), &server, &CREATE).await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn idempotent_read_is_retried_until_the_budget_is_spent() {
    let (server, calls) = server(vec![(500, None); 10]).await;
    let response = send(&runtime(2), &server, &READ).await.unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn long_retry_after_is_returned_not_waited_for() {
    let (server, calls) = server(vec![(429, Some("3600"))]).await;
    let response = send(&runtime(3), &server, &SEND).await.unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported_without_the_url() {
    // Bind then drop a listener: the port is closed, so every connect fails.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let http = http_client();
    let url = format!("http://127.0.0.1:{port}/send?accessToken=s3cret-token");
    let mut request = http.post(url).build().unwrap();
    let runtime = runtime(2);
    runtime.prepare(&mut request, Some(&CREATE)).unwrap();
    let error = runtime.execute(&http, request, Some(&CREATE)).await.unwrap_err();
    assert!(error.is_connect());
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("s3cret-token"), "{shown}");
}

#[tokio::test]
async fn unknown_operation_is_a_typed_error() {
    let http = http_client();
    let mut request = http.get("http://127.0.0.1:9/x").build().unwrap();
    let error = runtime(0).prepare(&mut request, None).unwrap_err();
    assert!(error.to_string().contains("operation"));
}

#[test]
fn public_routes_get_no_credential() {
    const LOGIN: OperationSpec = OperationSpec { security: &[], id: "login", ..CREATE };
    let mut request = http_client().post("http://127.0.0.1:9/auth").build().unwrap();
    runtime(0).prepare(&mut request, Some(&LOGIN)).unwrap();
    assert!(request.headers().get("authorization").is_none());
    let mut request = http_client().post("http://127.0.0.1:9/x").build().unwrap();
    runtime(0).prepare(&mut request, Some(&CREATE)).unwrap();
    assert!(request.headers().get("authorization").is_some());
}

#[test]
fn debug_hides_the_credential() {
    let shown = format!("{:?}", runtime(1));
    assert!(shown.contains("StaticToken") && !shown.contains("t0ken"), "{shown}");
}

/// `respond`'s way: each retry builds the request again (nothing is copied before the first
/// attempt), authorized again, with the key drawn for the first attempt.
#[tokio::test]
async fn respond_builds_each_retry_again_with_the_first_attempts_key() {
    static KEYED: OperationSpec = SEND;
    let (server, calls) = server(vec![(503, None), (429, Some("0"))]).await;
    let (runtime, http) = (runtime(3), http_client());
    let (url, builds) = (format!("{}/send", server.uri()), AtomicUsize::new(0));
    let build = || {
        builds.fetch_add(1, Ordering::SeqCst);
        Ok(http.post(&url).body("{}").build().unwrap())
    };
    let reply = |status| if status == 200 { Reply::Empty } else { Reply::Unexpected };
    let response = runtime.respond::<(), serde_json::Value, _, _>(&http, &KEYED, build, reply).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!((calls.load(Ordering::SeqCst), builds.load(Ordering::SeqCst)), (3, 3));
    let requests = server.received_requests().await.unwrap();
    let keys: Vec<_> = requests.iter().map(|r| r.headers.get("idempotency-key").unwrap().clone()).collect();
    assert!(keys.windows(2).all(|pair| pair[0] == pair[1]), "{keys:?}");
    assert!(requests.iter().all(|r| r.headers.get("authorization").unwrap() == "Bearer t0ken" && r.body == b"{}"));
}

/// A retry whose request cannot be built again is not sent: the last attempt's answer stands.
#[tokio::test]
async fn a_retry_that_cannot_be_built_returns_the_last_answer() {
    static IDEMPOTENT: OperationSpec = READ;
    let (server, calls) = server(vec![(503, None), (503, None)]).await;
    let (runtime, http) = (runtime(3), http_client());
    let (url, builds) = (format!("{}/send", server.uri()), AtomicUsize::new(0));
    let build = || match builds.fetch_add(1, Ordering::SeqCst) {
        0 => Ok(http.get(&url).build().unwrap()),
        _ => Err(Error::invalid_request("built once only")),
    };
    let reply = |status| if status == 200 { Reply::Empty } else { Reply::Unexpected };
    let error = runtime.respond::<(), serde_json::Value, _, _>(&http, &IDEMPOTENT, build, reply).await.unwrap_err();
    assert_eq!(error.status().map(|status| status.as_u16()), Some(503), "{error}");
    assert_eq!((calls.load(Ordering::SeqCst), builds.load(Ordering::SeqCst)), (1, 2));
}
