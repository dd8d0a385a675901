//! https through the TLS backend of the enabled feature, against a local server whose
//! certificate is made on the fly: trusted once added with `Config::with_root_certificate`,
//! refused in the handshake otherwise. Cargo unifies features, so CI runs this file once per
//! backend:
//!
//! ```sh
//! cargo test -p whatsapp-sdk-runtime --test tls                                               # rustls + ring
//! cargo test -p whatsapp-sdk-runtime --test tls --no-default-features --features rustls-aws-lc
//! cargo test -p whatsapp-sdk-runtime --test tls --no-default-features --features native-tls
//! ```
#![cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::rustls;
use whatsapp_sdk_runtime::{Config, Error, NoCredential, OperationSpec, Reply, Runtime};

const GET: OperationSpec = OperationSpec {
    provider: "test",
    id: "get_status",
    method: "GET",
    path: "/status",
    security: &[],
    idempotency_header: None,
    credential_body_field: None,
    success_content_type: None,
    error_content_type: None,
};

/// The backend these tests run against, as the features choose it.
const BACKEND: &str = if cfg!(feature = "native-tls") {
    "native-tls"
} else if cfg!(feature = "rustls-aws-lc") {
    "rustls-aws-lc"
} else {
    "rustls"
};

/// A local HTTPS server answering every request with `200 {"ok":1}` until dropped.
struct TlsServer {
    port: u16,
    /// Its self-signed certificate for `localhost`, as PEM.
    certificate_pem: String,
    task: tokio::task::JoinHandle<()>,
}

impl TlsServer {
    async fn start() -> Self {
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("a certificate");
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(vec![certified.cert.der().clone()], key)
            .expect("a server certificate");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a local port");
        let port = listener.local_addr().expect("its address").port();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A client that does not trust the certificate ends the handshake here.
                    let Ok(mut stream) = acceptor.accept(stream).await else { return };
                    let mut head = Vec::new();
                    let mut buffer = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buffer[..n]),
                        }
                    }
                    let reply = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 8\r\n\
                                 connection: close\r\n\r\n{\"ok\":1}";
                    let _ = stream.write_all(reply.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self { port, certificate_pem: certified.cert.pem(), task }
    }

    fn url(&self) -> String {
        format!("https://localhost:{}", self.port)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `GET /status` through the runtime, as a client crate sends an operation.
async fn get_status(config: Config) -> Result<serde_json::Value, Error<serde_json::Value>> {
    let runtime = Runtime::new(NoCredential, &config.clone().with_max_retries(0));
    let http = config.http_client().expect("the HTTP client");
    let url = format!("{}/status", config.base_url());
    let reply = |status| if status == 200 { Reply::Success } else { Reply::Unexpected };
    let build = || Ok(http.get(&url).build().expect("a request"));
    Ok(runtime.respond::<serde_json::Value, _, _, _>(&http, &GET, build, reply).await?.into_inner())
}

#[tokio::test]
async fn a_server_is_trusted_once_its_root_is_added() {
    let server = TlsServer::start().await;
    let config = Config::new(server.url()).with_root_certificate(server.certificate_pem.as_bytes()).unwrap();
    let body = get_status(config).await.unwrap_or_else(|e| panic!("{BACKEND}: {e}"));
    assert_eq!(body, serde_json::json!({"ok": 1}), "{BACKEND}");
}

#[tokio::test]
async fn without_its_root_the_handshake_fails() {
    let server = TlsServer::start().await;
    let error = get_status(Config::new(server.url())).await.unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with("test get_status: TLS handshake failed: "), "{BACKEND}: {message}");
    assert!(error.is_connect(), "{BACKEND}: {error:?}");
    // The cause is the backend's own: rustls names the issuer, OpenSSL its verify failure.
    let expected = if BACKEND == "native-tls" { "certificate verify failed" } else { "UnknownIssuer" };
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(&error);
    while let Some(cause) = source {
        chain.push_str(&format!("{cause}: "));
        source = cause.source();
    }
    assert!(chain.contains(expected), "{BACKEND}: expected `{expected}` in {chain}");
}

#[tokio::test]
async fn another_root_does_not_make_the_server_trusted() {
    let server = TlsServer::start().await;
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap().cert.pem();
    let config = Config::new(server.url()).with_root_certificate(other.as_bytes()).unwrap();
    let error = get_status(config).await.unwrap_err();
    assert!(error.to_string().contains("TLS handshake failed"), "{BACKEND}: {error}");
}

#[test]
fn a_bundle_of_roots_is_read_whole() {
    let pem = |name: &str| rcgen::generate_simple_self_signed(vec![name.to_string()]).unwrap().cert.pem();
    let bundle = format!("{}\n# a comment between the sections\n{}", pem("a.example"), pem("b.example"));
    let config = Config::new("https://a.example").with_root_certificate(bundle.as_bytes()).unwrap();
    assert!(format!("{config:?}").contains("root_certificates: 2"), "{config:?}");
    config.http_client().expect("a client trusting both");
}

#[test]
fn an_unusable_root_is_refused_naming_the_problem() {
    let refused = |pem: &[u8]| Config::new("https://a.example").with_root_certificate(pem).unwrap_err().to_string();
    let none = refused(b"not a certificate");
    assert!(none.contains("no `-----BEGIN CERTIFICATE-----` section"), "{none}");
    // DER, not PEM.
    let der = rcgen::generate_simple_self_signed(vec!["a.example".to_string()]).unwrap().cert.der().to_vec();
    let der = refused(&der);
    assert!(der.contains("no `-----BEGIN CERTIFICATE-----` section"), "{der}");
    let broken = refused(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    assert!(broken.contains("root certificate 1 is not usable"), "{BACKEND}: {broken}");
    let unreadable = refused(b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n");
    assert!(unreadable.contains("root certificate 1 of the PEM text is unreadable"), "{unreadable}");
}
