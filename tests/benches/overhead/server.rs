//! A cheap, predictable HTTP/1.1 keep-alive server on 127.0.0.1: each route answers with a
//! fixed status and body, so the figures measure the clients, not the server.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

use crate::common::BoxError;

/// A canned answer: status and JSON body.
#[derive(Clone)]
pub struct Canned {
    pub status: StatusCode,
    pub body: Bytes,
}

/// Answers by `(method, path)`; anything else gets an empty 404.
pub type Routes = HashMap<(hyper::Method, String), Canned>;

/// Starts the server on its own thread and single-threaded runtime; returns its address.
pub fn start(routes: Routes) -> Result<SocketAddr, BoxError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let address = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    std::thread::Builder::new().name("bench-server".into()).spawn(move || {
        if let Err(error) = runtime.block_on(serve(listener, Arc::new(routes))) {
            eprintln!("bench server stopped: {error}");
        }
    })?;
    Ok(address)
}

async fn serve(listener: std::net::TcpListener, routes: Arc<Routes>) -> Result<(), BoxError> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let routes = routes.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(routes.clone(), request));
            // A client closing its connection ends this task; that is not an error here.
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

async fn answer(routes: Arc<Routes>, request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let key = (request.method().clone(), request.uri().path().to_string());
    // Read the whole request body, as a real server would, before answering.
    let _ = request.into_body().collect().await;
    let canned = routes.get(&key).cloned().unwrap_or(Canned { status: StatusCode::NOT_FOUND, body: Bytes::new() });
    let mut response = Response::new(Full::new(canned.body));
    *response.status_mut() = canned.status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(response)
}
