use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use reqwest::header::{HeaderName, HeaderValue};
use tracing::Instrument;

use crate::retry::Outcome;
use crate::{Authorize, CredentialError, OperationSpec, RetryPolicy};

/// The inner value of every generated client: the credential and the retry policy.
#[derive(Clone)]
pub struct Runtime {
    credential: Arc<dyn Authorize>,
    retry: RetryPolicy,
}

impl Runtime {
    /// A runtime that authorizes with `credential` and retries under `retry`.
    pub fn new(credential: impl Authorize, retry: RetryPolicy) -> Self {
        Self { credential: Arc::new(credential), retry }
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Runs before a request is sent: adds the credential (unless the route is public), and an
    /// idempotency key (UUID v4) when the operation declares one and the caller did not supply
    /// it. The key is set once here, so every retry of the request carries the same key.
    pub fn prepare(
        &self,
        request: &mut reqwest::Request,
        operation: Option<&OperationSpec>,
    ) -> Result<(), CredentialError> {
        let operation =
            operation.ok_or_else(|| CredentialError::new("operation missing from the generated operation table"))?;
        if let Some(name) = operation.idempotency_header
            && !request.headers().contains_key(name)
        {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| CredentialError::new(format!("invalid idempotency header name `{name}`")))?;
            let key = HeaderValue::try_from(uuid::Uuid::new_v4().hyphenated().to_string())
                .map_err(|_| CredentialError::new("idempotency key is not a header value"))?;
            request.headers_mut().insert(name, key);
        }
        if operation.security.is_empty() {
            // A public route (`security: []`, e.g. a login) gets no credential.
            return Ok(());
        }
        self.credential.authorize(request, operation)
    }

    /// Sends `request`, retrying under the policy when it is safe. Transport errors are
    /// returned without their URL, which may carry a credential in its query.
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        operation: Option<&OperationSpec>,
    ) -> reqwest::Result<reqwest::Response> {
        // The path template, never the URL: a URL may carry a credential in its query.
        let span = tracing::debug_span!(
            "http_request",
            operation = operation.map(|op| op.id),
            method = %request.method(),
            path = operation.map(|op| op.path),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let (result, attempts) = self.send_with_retries(client, request, operation).instrument(span.clone()).await;
        span.record("attempts", attempts);
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        if let Ok(response) = &result {
            span.record("status", response.status().as_u16());
        }
        result
    }

    async fn send_with_retries(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        operation: Option<&OperationSpec>,
    ) -> (reqwest::Result<reqwest::Response>, u32) {
        let safe_to_repeat = operation.is_some_and(|op| {
            op.is_idempotent_method() || op.idempotency_header.is_some_and(|name| request.headers().contains_key(name))
        });
        let mut attempt: u32 = 1;
        loop {
            // A streaming body cannot be cloned; such a request gets one attempt.
            let spare = if attempt <= self.retry.max_retries { request.try_clone() } else { None };
            let started = Instant::now();
            let result = client.execute(request).await;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let outcome = match &result {
                Ok(response) => {
                    tracing::debug!(attempt, status = response.status().as_u16(), elapsed_ms, "response");
                    Outcome::Response(response.status(), response.headers())
                }
                Err(error) if error.is_connect() => {
                    tracing::debug!(attempt, elapsed_ms, error = redacted(error), "connect failed");
                    Outcome::ConnectFailed
                }
                Err(error) => {
                    tracing::debug!(attempt, elapsed_ms, error = redacted(error), "no response");
                    Outcome::NoResponse
                }
            };
            let delay = self.retry.next_delay(attempt, safe_to_repeat, outcome);
            match (spare, delay) {
                (Some(next), Some(delay)) => {
                    tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, "retrying");
                    tokio::time::sleep(delay).await;
                    request = next;
                    attempt += 1;
                }
                _ => return (result.map_err(reqwest::Error::without_url), attempt),
            }
        }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime").field("credential", &self.credential).field("retry", &self.retry).finish()
    }
}

/// The error's message without its URL, which may carry a credential in its query.
fn redacted(error: &reqwest::Error) -> String {
    let text = error.to_string();
    match error.url() {
        Some(url) => text.replace(url.as_str(), "<redacted url>"),
        None => text,
    }
}
