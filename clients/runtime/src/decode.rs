use bytes::Bytes;
use progenitor_client::{Error, ResponseValue};
use serde::de::DeserializeOwned;

/// The body of a response that ended in `Error::UnexpectedResponse`, already read, so that
/// error conversions (which are not async) can show it. Kept in the response's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBody(pub Bytes);

/// Decodes a documented error response. A body that is not the documented JSON becomes
/// `Error::UnexpectedResponse` with the status, headers and body intact (progenitor's own
/// decoding would lose the status).
pub async fn decode_error<T: DeserializeOwned, E>(response: reqwest::Response) -> Result<ResponseValue<T>, Error<E>> {
    let (status, headers, version) = (response.status(), response.headers().clone(), response.version());
    let body = response.bytes().await.map_err(|e| Error::ResponseBodyError(e.without_url()))?;
    match serde_json::from_slice::<T>(&body) {
        Ok(value) => Ok(ResponseValue::new(value, status, headers)),
        Err(_) => Err(Error::UnexpectedResponse(rebuild(status, headers, version, body))),
    }
}

/// A response whose status the spec does not list, with its body read into [`RawBody`].
pub async fn unexpected_response<E>(response: reqwest::Response) -> Error<E> {
    let (status, headers, version) = (response.status(), response.headers().clone(), response.version());
    match response.bytes().await {
        Ok(body) => Error::UnexpectedResponse(rebuild(status, headers, version, body)),
        Err(e) => Error::ResponseBodyError(e.without_url()),
    }
}

fn rebuild(
    status: reqwest::StatusCode,
    headers: reqwest::header::HeaderMap,
    version: reqwest::Version,
    body: Bytes,
) -> reqwest::Response {
    let mut rebuilt = http::Response::new(body.clone());
    *rebuilt.status_mut() = status;
    *rebuilt.headers_mut() = headers;
    *rebuilt.version_mut() = version;
    rebuilt.extensions_mut().insert(RawBody(body));
    reqwest::Response::from(rebuilt)
}

/// Decodes a documented success response. An empty body is read as JSON `null`, so an
/// operation whose schema admits any value accepts a bodiless answer; any other type reports
/// `Error::InvalidResponsePayload` as before.
pub async fn decode_success<T: DeserializeOwned, E>(response: reqwest::Response) -> Result<ResponseValue<T>, Error<E>> {
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.bytes().await.map_err(|e| Error::ResponseBodyError(e.without_url()))?;
    let decoded = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::from_value(serde_json::Value::Null)
    } else {
        serde_json::from_slice(&body)
    };
    decoded.map(|value| ResponseValue::new(value, status, headers)).map_err(|e| Error::InvalidResponsePayload(body, e))
}
