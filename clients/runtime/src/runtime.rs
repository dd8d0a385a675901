use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use futures::FutureExt;
use futures::future::Either;
use reqwest::header::HeaderValue;
use tracing::Instrument;

#[cfg(feature = "rate-limit")]
use crate::limit::SharedLimit;
#[cfg(not(feature = "rate-limit"))]
use crate::no_limit::SharedLimit;
use crate::retry::Outcome;
use crate::transport::Timeouts;
use crate::{Authorize, Config, CredentialError, OperationSpec, RetryPolicy};

/// The inner value of every generated client: the credential, the retry policy, and the
/// timeouts (to say which one ran out).
#[derive(Clone)]
pub struct Runtime {
    credential: Arc<dyn Authorize>,
    retry: RetryPolicy,
    timeouts: Timeouts,
    drift_detection: bool,
    member_sampling: u32,
    /// Responses decoded per operation (hashed into a few counters), for sampling.
    decoded: Arc<[AtomicU32; SAMPLING_COUNTERS]>,
    /// The config's rate limiter, keyed by this credential; shared by clones.
    limit: Option<Arc<SharedLimit>>,
}

/// Operations share these counters by a hash of their id's address; a collision only makes
/// two operations share one sample.
const SAMPLING_COUNTERS: usize = 64;

impl Runtime {
    /// A runtime that authorizes with `credential` and retries under `config`'s policy.
    pub fn new(credential: impl Authorize, config: &Config) -> Self {
        Self {
            credential: Arc::new(credential),
            retry: config.retry_policy().clone(),
            timeouts: config.timeouts(),
            drift_detection: config.drift_detection(),
            member_sampling: config.member_drift_sampling(),
            decoded: Arc::new(std::array::from_fn(|_| AtomicU32::new(0))),
            limit: SharedLimit::of(config),
        }
    }

    /// Whether this response of `operation` is checked for unknown members: the first of each
    /// operation, then one in `member_sampling`.
    pub(crate) fn sample_members(&self, operation: &OperationSpec) -> bool {
        let counter = &self.decoded[(operation.id.as_ptr() as usize >> 3) % SAMPLING_COUNTERS];
        counter.fetch_add(1, Ordering::Relaxed).is_multiple_of(self.member_sampling)
    }

    /// Whether responses are checked for spec drift.
    pub fn drift_detection(&self) -> bool {
        self.drift_detection
    }

    pub(crate) fn shared_limit(&self) -> Option<&SharedLimit> {
        self.limit.as_deref()
    }

    pub(crate) fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// The credential's secret values, for removing them from error messages.
    pub(crate) fn secret_values(&self) -> Vec<String> {
        self.credential.secret_values()
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Runs before a request is sent: adds the credential (unless the route is public), and an
    /// idempotency key (UUID v4) when the operation declares one and the caller did not supply
    /// it. [`Runtime::execute`] sends copies of the prepared request, so every retry carries
    /// the same key.
    pub fn prepare(
        &self,
        request: &mut reqwest::Request,
        operation: Option<&OperationSpec>,
    ) -> Result<(), CredentialError> {
        let operation =
            operation.ok_or_else(|| CredentialError::new("operation missing from the generated operation table"))?;
        self.prepare_attempt(request, operation, &mut None)
    }

    /// [`Runtime::prepare`] for one attempt of a request that is built again for each attempt:
    /// the idempotency key the runtime adds is drawn on the first attempt and kept in `key`, so
    /// that every attempt carries the same one.
    pub(crate) fn prepare_attempt(
        &self,
        request: &mut reqwest::Request,
        operation: &OperationSpec,
        key: &mut Option<uuid::Uuid>,
    ) -> Result<(), CredentialError> {
        if let Some(name) = &operation.idempotency_header
            && !request.headers().contains_key(name)
        {
            let key = key.get_or_insert_with(uuid::Uuid::new_v4);
            let key =
                HeaderValue::from_bytes(key.hyphenated().encode_lower(&mut uuid::Uuid::encode_buffer()).as_bytes())
                    .map_err(|_| CredentialError::new("idempotency key is not a header value"))?;
            request.headers_mut().insert(name.clone(), key);
        }
        if operation.security.is_empty() {
            // A public route (`security: []`, e.g. a login) gets no credential.
            return Ok(());
        }
        self.credential.authorize(request, operation)
    }

    /// Sends `request`, retrying under the policy when it is safe. Transport errors are
    /// returned without their URL, which may carry a credential in its query.
    ///
    /// A retry sends a copy of `request`, made before the first attempt (a request with a
    /// streaming body cannot be copied and gets one attempt). Generated operations do not copy:
    /// they build the request again, only when a retry happens.
    pub fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: Option<&'a OperationSpec>,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> + 'a {
        // Boxed: kept in the future of every request sent so, used only by a retry.
        let mut spare = if self.retry.max_retries > 0 { request.try_clone().map(Box::new) } else { None };
        let rebuild = move || {
            let next = spare.take()?;
            spare = next.try_clone().map(Box::new);
            Some(*next)
        };
        self.send(client, request, operation, rebuild)
    }

    /// Sends `first`, then, for each retry the policy allows, what `rebuild` makes (no retry
    /// when it makes nothing). Traced as one `http_request` span.
    ///
    /// Not an `async fn`: its future is what every request awaits, and an `async fn` would keep
    /// a second copy of the request in it (arguments stay in the future beside their moves).
    pub(crate) fn send<'a>(
        &'a self,
        client: &'a reqwest::Client,
        first: reqwest::Request,
        operation: Option<&'a OperationSpec>,
        rebuild: impl FnMut() -> Option<reqwest::Request> + 'a,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> + 'a {
        // The path template, never the URL: a URL may carry a credential in its query.
        let span = tracing::debug_span!(
            "http_request",
            provider = operation.map(|op| op.provider),
            operation = operation.map(|op| op.id),
            method = %first.method(),
            path = operation.map(|op| op.path),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let attempts = self.send_with_retries(client, first, operation, rebuild);
        if span.is_disabled() {
            // Nobody listens: no span to enter on every poll, nothing to record.
            return Either::Left(attempts.map(|(result, _)| result));
        }
        let started = Instant::now();
        // Boxed: only a debug subscriber wants the span, whose state would otherwise enlarge
        // every request's future.
        Either::Right(Box::pin(attempts.instrument(span.clone()).map(move |(result, attempts)| {
            span.record("attempts", attempts);
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            if let Ok(response) = &result {
                span.record("status", response.status().as_u16());
            }
            result
        })))
    }

    /// The first attempt starts here; the returned future holds what later attempts need
    /// (`rebuild`, which borrows the operation's parameters) and reqwest's boxed future.
    fn send_with_retries<'a>(
        &'a self,
        client: &'a reqwest::Client,
        first: reqwest::Request,
        operation: Option<&'a OperationSpec>,
        mut rebuild: impl FnMut() -> Option<reqwest::Request> + 'a,
    ) -> impl Future<Output = (reqwest::Result<reqwest::Response>, u32)> + 'a {
        let safe_to_repeat = operation.is_some_and(|op| {
            op.is_idempotent_method()
                || op.idempotency_header.as_ref().is_some_and(|name| first.headers().contains_key(name))
        });
        let mut attempt: u32 = 1;
        let mut started = attempt_clock();
        let mut pending = client.execute(first);
        async move {
            loop {
                // In a block, so that the response is not kept in the future during the wait.
                let (next, delay) = 'attempt: {
                    // In a block, so that the attempt's result (borrowed here, so kept until the
                    // block ends) is not kept in the future during the limiter's wait.
                    let waiting = {
                        let result = (&mut pending).await;
                        let delay = self.retry_delay(attempt, safe_to_repeat, &result, started);
                        // Built before the wait, so that an attempt that cannot be built again
                        // returns this attempt's result.
                        let retry = delay.and_then(|delay| Some((rebuild()?, delay)));
                        let Some(limit) = &self.limit else {
                            match retry {
                                Some(retry) => break 'attempt retry,
                                None => return (result.map_err(reqwest::Error::without_url), attempt),
                            }
                        };
                        // Shared rate limit: a 429's Retry-After pauses the key; a retry waits
                        // its turn. The attempt goes into the boxed wait and comes back boxed.
                        Box::pin(limit.around_retry(self, operation, result, retry))
                    };
                    let (result, retry) = *waiting.await;
                    match retry {
                        Some(retry) => retry,
                        None => return (result.map_err(reqwest::Error::without_url), attempt),
                    }
                };
                tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, "retrying");
                // The wait owns the next request, boxed: retries are rare, and their state would
                // otherwise enlarge every request's future.
                let next = Box::pin(async move {
                    tokio::time::sleep(delay).await;
                    next
                })
                .await;
                attempt += 1;
                started = attempt_clock();
                pending = client.execute(next);
            }
        }
    }

    /// Logs how an attempt ended and decides whether (and after how long) to send it again.
    fn retry_delay(
        &self,
        attempt: u32,
        safe_to_repeat: bool,
        result: &reqwest::Result<reqwest::Response>,
        started: Option<Instant>,
    ) -> Option<std::time::Duration> {
        let elapsed_ms = started.map_or(0, |started| started.elapsed().as_millis() as u64);
        let outcome = match result {
            Ok(response) => {
                tracing::debug!(attempt, status = response.status().as_u16(), elapsed_ms, "response");
                Outcome::Response(response.status(), response.headers())
            }
            // A redirect the policy refused would be refused again.
            Err(error) if error.is_redirect() => return None,
            Err(error) if error.is_connect() => {
                tracing::debug!(attempt, elapsed_ms, error = redacted(error), "connect failed");
                Outcome::ConnectFailed
            }
            Err(error) => {
                tracing::debug!(attempt, elapsed_ms, error = redacted(error), "no response");
                Outcome::NoResponse
            }
        };
        self.retry.next_delay(attempt, safe_to_repeat, outcome)
    }
}

/// When an attempt started, for its debug events only: reading the clock costs more than the
/// rest of the bookkeeping of an attempt, so it is read only when those events are wanted.
fn attempt_clock() -> Option<Instant> {
    tracing::enabled!(tracing::Level::DEBUG).then(Instant::now)
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("credential", &self.credential)
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .field("drift_detection", &self.drift_detection)
            .field("member_sampling", &self.member_sampling)
            .field("rate_limited", &self.limit.is_some())
            .finish()
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
