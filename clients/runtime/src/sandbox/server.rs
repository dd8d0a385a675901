//! The HTTP side: a hyper 1 server on 127.0.0.1 that hands each request to [`answer`].

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::answer::{SandboxRequest, answer};
use super::routes::RouteTable;

/// Bodies above this size are refused; the sandbox answers examples, it does not store uploads.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The route table is not the JSON `cargo xtask regen` writes.
    #[error("the sandbox route table is invalid: {0}")]
    InvalidRoutes(#[from] serde_json::Error),
    /// The port could not be bound.
    #[error("the sandbox cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for (0: any).
        port: u16,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

/// A provider stand-in on 127.0.0.1, answering every operation of its route table with the
/// documented example. It stops when dropped: open connections finish their current request.
#[derive(Debug)]
pub struct Sandbox {
    address: SocketAddr,
    base_path: String,
    // Dropping the sender is the shutdown signal every connection waits on.
    _stop: watch::Sender<()>,
}

impl Sandbox {
    /// Serves `routes_json` (a generated crate's `SANDBOX_ROUTES`) on `port`, or on a free port
    /// when `None`. Must be called within a Tokio runtime.
    pub async fn start(routes_json: &str, port: Option<u16>) -> Result<Sandbox, SandboxError> {
        let table: RouteTable = serde_json::from_str(routes_json)?;
        let port = port.unwrap_or(0);
        let bind_error = |source| SandboxError::Bind { port, source };
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await.map_err(bind_error)?;
        let address = listener.local_addr().map_err(bind_error)?;
        let (stop, stopped) = watch::channel(());
        let base_path = table.base_path.clone();
        tokio::spawn(serve(listener, Arc::new(table), stopped));
        Ok(Sandbox { address, base_path, _stop: stop })
    }

    /// The base URL to give a client (`Config::with_base_url`), including the provider's
    /// base path: `http://127.0.0.1:<port>/api/v2`.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.address, self.base_path)
    }

    /// The port the sandbox listens on.
    pub fn port(&self) -> u16 {
        self.address.port()
    }
}

async fn serve(listener: TcpListener, table: Arc<RouteTable>, mut stopped: watch::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    connections.spawn(serve_connection(stream, table.clone(), stopped.clone()));
                }
            }
            _ = stopped.changed() => break,
        }
        while connections.try_join_next().is_some() {}
    }
    while connections.join_next().await.is_some() {}
}

async fn serve_connection(stream: TcpStream, table: Arc<RouteTable>, mut stopped: watch::Receiver<()>) {
    let service = service_fn(move |request| {
        let table = table.clone();
        async move { Ok::<_, Infallible>(respond(&table, request).await) }
    });
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        _ = stopped.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

async fn respond(table: &RouteTable, request: hyper::Request<Incoming>) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let Ok(body) = Limited::new(body, MAX_BODY_BYTES).collect().await.map(|collected| collected.to_bytes()) else {
        return plain(413, "the request body is too large or was cut off");
    };
    let query = parts
        .uri
        .query()
        .map(|query| form_urlencoded::parse(query.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let request = SandboxRequest {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query,
        headers: parts.headers,
        body,
    };
    let answer = answer(table, &request);
    let mut response = hyper::Response::new(Full::new(answer.body));
    *response.status_mut() = http::StatusCode::from_u16(answer.status).unwrap_or(http::StatusCode::OK);
    if let Some(media) = answer.content_type.and_then(|media| http::HeaderValue::from_str(&media).ok()) {
        response.headers_mut().insert(http::header::CONTENT_TYPE, media);
    }
    response
}

fn plain(status: u16, message: &'static str) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(Bytes::from_static(message.as_bytes())));
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_REQUEST);
    response
}
