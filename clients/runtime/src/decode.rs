//! Response decoding. The decoders are combinators rather than `async fn`s, which would keep a
//! second copy of the response; `respond`, a whole exchange, takes only closures. Headers are
//! moved out of the response rather than copied.

// The size of the error is progenitor's (`Error<E>`), which generated code expects.
#![allow(clippy::result_large_err)]

use std::future::Future;

use bytes::Bytes;
use futures::FutureExt;
use progenitor_client::{Error, ResponseValue};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

/// The body of a response that ended in `Error::UnexpectedResponse`, already read, so that
/// error conversions (which are not async) can show it. Kept in the response's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBody(pub Bytes);

/// What the spec says a response status is, for one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// A documented success: its body is the operation's success type.
    Success,
    /// A documented success without a body (the success type is `()`): the body is not read,
    /// as with progenitor's `ResponseValue::empty`.
    Empty,
    /// A documented error: its body is the operation's error type.
    Error,
    /// A status the spec does not list.
    Unexpected,
}

/// The whole exchange of a generated operation's `send`. On the first poll (futures do
/// nothing until polled) `start` builds the request and starts sending it; then the response's
/// status is classified by `reply` and its body decoded so. Its arguments are only `start` and
/// the zero-sized `reply` (measured: fewer instructions than the same steps as combinators).
pub async fn respond<T, E, S, F, C>(start: F, reply: C) -> Result<ResponseValue<T>, Error<E>>
where
    T: DeserializeOwned,
    E: DeserializeOwned,
    S: Future<Output = reqwest::Result<reqwest::Response>>,
    F: FnOnce() -> Result<S, Error<E>>,
    C: FnOnce(u16) -> Reply,
{
    let mut response = start()?.await?;
    let reply = reply(response.status().as_u16());
    if reply == Reply::Empty {
        let value = serde_json::from_value(serde_json::Value::Null)
            .map_err(|e| Error::InvalidResponsePayload(Bytes::new(), e))?;
        return Ok(ResponseValue::new(value, response.status(), std::mem::take(response.headers_mut())));
    }
    let (head, body) = read(response).await?;
    match reply {
        // `Empty` has returned above.
        Reply::Success | Reply::Empty => success(head, body),
        Reply::Error => Err(match documented(head, body) {
            Ok(value) => Error::ErrorResponse(value),
            Err(error) => error,
        }),
        Reply::Unexpected => Err(Error::UnexpectedResponse(head.rebuild(body))),
    }
}

/// Decodes a documented success response. An empty body is read as JSON `null`, so an
/// operation whose schema admits any value accepts a bodiless answer; any other type reports
/// `Error::InvalidResponsePayload` as before.
pub fn decode_success<T: DeserializeOwned, E>(
    response: reqwest::Response,
) -> impl Future<Output = Result<ResponseValue<T>, Error<E>>> {
    read(response).map(|read| {
        let (head, body) = read?;
        success(head, body)
    })
}

/// Decodes a documented error response. A body that is not the documented JSON becomes
/// `Error::UnexpectedResponse` with the status, headers and body intact (progenitor's own
/// decoding would lose the status).
pub fn decode_error<T: DeserializeOwned, E>(
    response: reqwest::Response,
) -> impl Future<Output = Result<ResponseValue<T>, Error<E>>> {
    read(response).map(|read| {
        let (head, body) = read?;
        documented(head, body)
    })
}

/// A response whose status the spec does not list, with its body read into [`RawBody`].
pub fn unexpected_response<E>(response: reqwest::Response) -> impl Future<Output = Error<E>> {
    read(response).map(|read| match read {
        Ok((head, body)) => Error::UnexpectedResponse(head.rebuild(body)),
        Err(error) => error,
    })
}

fn success<T: DeserializeOwned, E>(head: Head, body: Bytes) -> Result<ResponseValue<T>, Error<E>> {
    let decoded = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::from_value(serde_json::Value::Null)
    } else {
        serde_json::from_slice(&body)
    };
    decoded
        .map(|value| ResponseValue::new(value, head.status, head.headers))
        .map_err(|e| Error::InvalidResponsePayload(body, e))
}

fn documented<T: DeserializeOwned, E>(head: Head, body: Bytes) -> Result<ResponseValue<T>, Error<E>> {
    match serde_json::from_slice::<T>(&body) {
        Ok(value) => Ok(ResponseValue::new(value, head.status, head.headers)),
        Err(_) => Err(Error::UnexpectedResponse(head.rebuild(body))),
    }
}

/// What is kept of a response while its body is read.
struct Head {
    status: StatusCode,
    headers: HeaderMap,
    version: reqwest::Version,
}

impl Head {
    /// The response again, with its body already read (and kept as [`RawBody`]).
    fn rebuild(self, body: Bytes) -> reqwest::Response {
        let mut rebuilt = http::Response::new(body.clone());
        *rebuilt.status_mut() = self.status;
        *rebuilt.headers_mut() = self.headers;
        *rebuilt.version_mut() = self.version;
        rebuilt.extensions_mut().insert(RawBody(body));
        reqwest::Response::from(rebuilt)
    }
}

/// The response's head and whole body; the headers are moved out before the body is read.
fn read<E>(mut response: reqwest::Response) -> impl Future<Output = Result<(Head, Bytes), Error<E>>> {
    let head = Head {
        status: response.status(),
        headers: std::mem::take(response.headers_mut()),
        version: response.version(),
    };
    response.bytes().map(move |body| match body {
        Ok(body) => Ok((head, body)),
        Err(e) => Err(Error::ResponseBodyError(e.without_url())),
    })
}
