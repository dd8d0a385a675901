//! The whole exchange of an operation: build the request, authorize it, send it under the
//! retry policy, classify the response's status as the spec does, and decode its body. Every
//! failure comes back as the runtime's [`Error`], attributed to the operation.

use bytes::{Bytes, BytesMut};
use futures::TryStreamExt;
use progenitor_client::ByteStream;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorBody, ErrorKind, InvalidResponse, RawResponse, summarize};
use crate::json_pointer::locate_mismatch;
use crate::redirect::RedirectError;
use crate::transport::TransportError;
use crate::{Drift, DriftKind, Error, OperationSpec, Response, Runtime, redact};

/// A response's whole body. `Response::bytes` would keep a second copy of the response (and a
/// trailer map nobody reads) in every operation's future; one chunk, the usual case, is
/// returned as it came.
async fn read_body(response: &mut reqwest::Response) -> reqwest::Result<Bytes> {
    let Some(first) = response.chunk().await? else { return Ok(Bytes::new()) };
    let Some(second) = response.chunk().await? else { return Ok(first) };
    let mut body = BytesMut::with_capacity(first.len() + second.len());
    body.extend_from_slice(&first);
    body.extend_from_slice(&second);
    while let Some(chunk) = response.chunk().await? {
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// What the spec says a response status is, for one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// A documented success: its body is the operation's success type.
    Success,
    /// A documented success without a body (the success type is `()`): the body is not read.
    Empty,
    /// A documented error: its body is the operation's error type.
    Error,
    /// A status the spec does not list.
    Unexpected,
}

impl Runtime {
    /// One operation, start to end. Nothing happens until the future is polled: then `build`
    /// makes the request, the credential and idempotency key are added, the request is sent
    /// (retried when safe: `build` makes each retry's request), `reply` classifies the status
    /// and the body is decoded so. What the response shows that the spec does not describe is
    /// reported as drift (when enabled).
    ///
    /// Not an `async fn`, which would keep `build` (the operation's parameters) twice in the
    /// future: as its argument and as the body's binding of it.
    #[expect(clippy::manual_async_fn, reason = "an `async fn` would hold `build` twice")]
    pub fn respond<'a, T, E, F, C>(
        &'a self,
        client: &'a reqwest::Client,
        operation: &'static OperationSpec,
        build: F,
        reply: C,
    ) -> impl Future<Output = Result<Response<T>, Error<E>>> + 'a
    where
        T: DeserializeOwned,
        E: DeserializeOwned + ErrorBody,
        F: Fn() -> Result<reqwest::Request, Error<E>> + 'a,
        C: FnOnce(u16) -> Reply + 'a,
    {
        async move {
            // Boxed: without a limiter, nothing of the wait is kept in the future.
            if let Some(limit) = self.shared_limit() {
                Box::pin(limit.admit(self, operation)).await?;
            }
            let mut response = match self.start(client, operation, &build) {
                Ok(sending) => sending.await.map_err(|error| self.transport_error(error, operation))?,
                Err(error) => return Err(error.at(operation)),
            };
            let status = response.status();
            let reply = reply(status.as_u16());
            if reply == Reply::Empty {
                let headers = std::mem::take(response.headers_mut());
                return self.decode(operation, Reply::Success, status, headers, Bytes::new());
            }
            let body = read_body(&mut response).await.map_err(|error| self.transport_error(error, operation))?;
            let headers = std::mem::take(response.headers_mut());
            self.decode(operation, reply, status, headers, body)
        }
    }

    /// [`Runtime::respond`] for an operation whose success is a byte stream (a download): the
    /// success body is handed over unread (a read that breaks off yields reqwest's error
    /// without its URL); errors are decoded as usual. Not an `async fn`, as `respond`.
    #[expect(clippy::manual_async_fn, reason = "an `async fn` would hold `build` twice")]
    pub fn respond_stream<'a, E, F, C>(
        &'a self,
        client: &'a reqwest::Client,
        operation: &'static OperationSpec,
        build: F,
        reply: C,
    ) -> impl Future<Output = Result<Response<ByteStream>, Error<E>>> + 'a
    where
        E: DeserializeOwned + ErrorBody,
        F: Fn() -> Result<reqwest::Request, Error<E>> + 'a,
        C: FnOnce(u16) -> Reply + 'a,
    {
        async move {
            // Boxed: without a limiter, nothing of the wait is kept in the future.
            if let Some(limit) = self.shared_limit() {
                Box::pin(limit.admit(self, operation)).await?;
            }
            let mut response = match self.start(client, operation, &build) {
                Ok(sending) => sending.await.map_err(|error| self.transport_error(error, operation))?,
                Err(error) => return Err(error.at(operation)),
            };
            let status = response.status();
            let reply = reply(status.as_u16());
            if matches!(reply, Reply::Success | Reply::Empty) {
                let headers = std::mem::take(response.headers_mut());
                let body = response.bytes_stream().map_err(reqwest::Error::without_url);
                return Ok(Response::new(ByteStream::new(Box::pin(body)), status, headers));
            }
            let body = read_body(&mut response).await.map_err(|error| self.transport_error(error, operation))?;
            let headers = std::mem::take(response.headers_mut());
            match self.decode::<(), E>(operation, reply, status, headers, body) {
                Ok(_) => unreachable!("only an error reply is decoded here"),
                Err(error) => Err(error),
            }
        }
    }

    /// Builds and authorizes the request and starts sending it. A retry calls `build` again
    /// (and authorizes again, with the first attempt's idempotency key): nothing is copied for
    /// a retry that does not happen.
    fn start<'a, E>(
        &'a self,
        client: &'a reqwest::Client,
        operation: &'static OperationSpec,
        build: &'a impl Fn() -> Result<reqwest::Request, Error<E>>,
    ) -> Result<impl Future<Output = reqwest::Result<reqwest::Response>> + 'a, Error<E>> {
        let mut request = build()?;
        let mut key = None;
        self.prepare_attempt(&mut request, operation, &mut key)?;
        let rebuild = move || {
            let mut request = build().ok()?;
            self.prepare_attempt(&mut request, operation, &mut key).ok()?;
            Some(request)
        };
        Ok(self.send(client, request, Some(operation), rebuild))
    }

    fn transport_error<E>(&self, error: reqwest::Error, operation: &'static OperationSpec) -> Error<E> {
        let kind = match RedirectError::find(&error) {
            Some(redirect) => ErrorKind::Redirect(redirect),
            None => ErrorKind::Transport(TransportError::new(error, self.timeouts())),
        };
        Error::new(kind).at(operation)
    }

    fn decode<T, E>(
        &self,
        operation: &'static OperationSpec,
        reply: Reply,
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<Response<T>, Error<E>>
    where
        T: DeserializeOwned,
        E: DeserializeOwned + ErrorBody,
    {
        let tracking = self.drift_detection();
        let members = tracking && self.sample_members(operation);
        let mut drift =
            if tracking { self.status_and_type_drift(operation, reply, status, &headers, &body) } else { Vec::new() };
        let kind = match reply {
            Reply::Success | Reply::Empty => match decode_json::<T>(&body, tracking, members) {
                (Ok(value), found) => {
                    drift.extend(found);
                    let drift = self.report(operation, status, drift);
                    return Ok(Response::new(value, status, headers).with_drift(drift));
                }
                (Err(_), found) => {
                    drift.extend(found);
                    let (path, message) = locate_mismatch::<T>(&body);
                    if tracking {
                        drift.push(Drift::new(DriftKind::InvalidBody, path.clone(), None, None));
                    }
                    let secrets = self.secret_values();
                    let message = redact::scrub(&message, &secrets);
                    ErrorKind::InvalidResponse(InvalidResponse::new(
                        status,
                        headers,
                        body.clone(),
                        path,
                        redact::snippet(&body, &secrets),
                        message,
                    ))
                }
            },
            Reply::Error => match decode_json::<E>(&body, tracking, members) {
                (Ok(documented), found) => {
                    drift.extend(found);
                    let secrets = self.secret_values();
                    let summary = redact::scrub(&summarize(&documented), &secrets);
                    let snippet = redact::snippet(&body, &secrets);
                    ErrorKind::Api(ApiError::new(status, headers, documented, summary, snippet))
                }
                (Err(_), _) => {
                    if tracking {
                        let (path, _) = locate_mismatch::<E>(&body);
                        drift.push(Drift::new(DriftKind::InvalidBody, path, None, None));
                    }
                    self.unexpected(status, headers, body)
                }
            },
            Reply::Unexpected => self.unexpected(status, headers, body),
        };
        let drift = self.report(operation, status, drift);
        Err(Error::new(kind).at(operation).with_drift(drift))
    }

    /// An undocumented status, or a content type other than the documented one.
    fn status_and_type_drift(
        &self,
        operation: &OperationSpec,
        reply: Reply,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Vec<Drift> {
        let documented = match reply {
            Reply::Unexpected => {
                return vec![Drift::new(
                    DriftKind::UndocumentedStatus,
                    String::new(),
                    None,
                    Some(status.as_u16().to_string()),
                )];
            }
            Reply::Empty => return Vec::new(),
            Reply::Success => operation.success_content_type,
            Reply::Error => operation.error_content_type,
        };
        let Some(documented) = documented else { return Vec::new() };
        if body.is_empty() {
            return Vec::new();
        }
        let received = headers.get(CONTENT_TYPE).map_or(&[][..], |value| value.as_bytes());
        if is_media_type(received, documented) {
            return Vec::new();
        }
        let received = String::from_utf8_lossy(received);
        let media_type = received.split(';').next().unwrap_or_default().trim();
        vec![Drift::new(DriftKind::UnexpectedContentType, String::new(), None, Some(media_type.to_string()))]
    }

    /// The findings without secret values, logged as drift events.
    fn report(&self, operation: &OperationSpec, status: StatusCode, drift: Vec<Drift>) -> Vec<Drift> {
        if drift.is_empty() {
            return drift;
        }
        let secrets = self.secret_values();
        let drift: Vec<Drift> = drift.into_iter().map(|finding| finding.without_secrets(&secrets)).collect();
        crate::drift::emit(operation.provider, operation.id, Some(status.as_u16()), &drift);
        drift
    }

    fn unexpected<E>(&self, status: StatusCode, headers: HeaderMap, body: Bytes) -> ErrorKind<E> {
        let snippet = redact::snippet(&body, &self.secret_values());
        ErrorKind::UnexpectedResponse(RawResponse::new(status, headers, body, snippet))
    }
}

/// Whether a `Content-Type` value names `media_type` (any case, parameters after `;` ignored):
/// on bytes, since it runs on every response.
fn is_media_type(value: &[u8], media_type: &str) -> bool {
    let value = value.trim_ascii_start();
    let Some((head, rest)) = value.split_at_checked(media_type.len()) else { return false };
    head.eq_ignore_ascii_case(media_type.as_bytes()) && matches!(rest.trim_ascii_start().first(), None | Some(b';'))
}

/// An empty body reads as JSON `null`, so an operation whose schema admits any value accepts a
/// bodiless answer, and a bodiless success decodes as `()`. With `tracking`, unknown enum
/// values are listed too, and with `members` unknown members.
fn decode_json<T: DeserializeOwned>(body: &[u8], tracking: bool, members: bool) -> (serde_json::Result<T>, Vec<Drift>) {
    if body.iter().all(u8::is_ascii_whitespace) {
        (serde_json::from_value(serde_json::Value::Null), Vec::new())
    } else if tracking {
        crate::drift::decode_tracking(body, members)
    } else {
        (serde_json::from_slice(body), Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_match_in_any_case_with_parameters() {
        for value in
            ["application/json", "Application/JSON", "application/json; charset=utf-8", " application/json ;x=1"]
        {
            assert!(is_media_type(value.as_bytes(), "application/json"), "{value}");
        }
        for value in ["", "application/jsonl", "application/json-patch+json", "text/plain", "application/js"] {
            assert!(!is_media_type(value.as_bytes(), "application/json"), "{value}");
        }
    }
}
