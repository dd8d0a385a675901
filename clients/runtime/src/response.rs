//! A successful response: the decoded value with its status, headers and drift findings.

use std::ops::{Deref, DerefMut};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::{Drift, ResponseMeta};

/// What a successful operation returns: the value (also reachable through `Deref`), the status,
/// the headers, and what the response showed that the spec does not describe.
#[derive(Debug)]
pub struct Response<T> {
    inner: T,
    status: StatusCode,
    headers: HeaderMap,
    drift: Vec<Drift>,
}

impl<T> Response<T> {
    /// A response (for tests and typed mocks of a service's own code).
    pub fn new(inner: T, status: StatusCode, headers: HeaderMap) -> Self {
        Self { inner, status, headers, drift: Vec::new() }
    }

    pub(crate) fn with_drift(mut self, drift: Vec<Drift>) -> Self {
        self.drift = drift;
        self
    }

    /// The decoded value.
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// What the response showed that the spec does not describe (empty when nothing drifted,
    /// or when drift detection is off in the `Config`).
    pub fn drift(&self) -> &[Drift] {
        &self.drift
    }

    /// The rate-limit and request-id headers, and the drift findings.
    pub fn meta(&self) -> ResponseMeta {
        ResponseMeta::from_headers(&self.headers).with_drift(self.drift.clone())
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T> DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}
