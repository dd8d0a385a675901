use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// When and how long to wait before sending a request again.
///
/// Only requests that are safe to repeat are retried: idempotent methods, and requests that
/// carry an idempotency key. Others are retried only when the request cannot have been
/// processed: the connection could not be established, or the server answered 429 (refused
/// before processing).
///
/// Built from the default and adjusted with `with_*`, like [`Config`](crate::Config), so a
/// setting added later breaks no caller:
///
/// ```
/// use std::time::Duration;
/// let policy = whatsapp_sdk_runtime::RetryPolicy::default()
///     .with_max_retries(5)
///     .with_base_delay(Duration::from_millis(50));
/// assert_eq!(policy.max_retries, 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 disables retrying.
    pub max_retries: u32,
    /// Backoff base: attempt `n` waits a random time up to `base_delay * 2^(n-1)`.
    pub base_delay: Duration,
    /// Upper bound of the backoff before jitter.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for: the response is returned.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// What happened on one attempt, as far as the retry decision is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome<'a> {
    /// The connection could not be established: nothing was sent.
    ConnectFailed,
    /// The request may have been sent, but no response arrived (timeout, reset).
    NoResponse,
    /// A response arrived.
    Response(StatusCode, &'a HeaderMap),
}

impl RetryPolicy {
    /// Retries after the first attempt; 0 disables retrying.
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// Backoff base: attempt `n` waits a random time up to `base_delay * 2^(n-1)`.
    pub fn with_base_delay(mut self, base_delay: Duration) -> Self {
        self.base_delay = base_delay;
        self
    }

    /// Upper bound of the backoff before jitter.
    pub fn with_max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = max_delay;
        self
    }

    /// A `Retry-After` longer than this is not waited for: the response is returned.
    pub fn with_max_retry_after(mut self, max_retry_after: Duration) -> Self {
        self.max_retry_after = max_retry_after;
        self
    }

    /// The wait before retry number `retry` (1-based), or `None` to stop.
    pub(crate) fn next_delay(&self, retry: u32, safe_to_repeat: bool, outcome: Outcome<'_>) -> Option<Duration> {
        if retry > self.max_retries {
            return None;
        }
        match outcome {
            Outcome::ConnectFailed => Some(self.backoff(retry)),
            Outcome::NoResponse if safe_to_repeat => Some(self.backoff(retry)),
            Outcome::Response(status, headers) if is_retryable(status, safe_to_repeat) => {
                match retry_after(headers, SystemTime::now()) {
                    Some(wait) if wait > self.max_retry_after => None,
                    Some(wait) => Some(wait),
                    None => Some(self.backoff(retry)),
                }
            }
            _ => None,
        }
    }

    /// Full jitter: uniform in `[0, min(max_delay, base_delay * 2^(retry-1))]`.
    fn backoff(&self, retry: u32) -> Duration {
        let exponential = self.base_delay.saturating_mul(1u32.checked_shl(retry.saturating_sub(1)).unwrap_or(u32::MAX));
        let ceiling = exponential.min(self.max_delay);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// Whether a response with `status` is sent again: a 429 always, a server error only when the
/// request is safe to repeat.
pub(crate) fn is_retryable(status: StatusCode, safe_to_repeat: bool) -> bool {
    match status.as_u16() {
        429 => true,
        500 | 502 | 503 | 504 => safe_to_repeat,
        _ => false,
    }
}

/// `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(retry_after).unwrap());
        headers
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(retry_after(&headers("7"), now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(retry_after(&headers(&later), now), Some(Duration::from_secs(30)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(retry_after(&headers(&earlier), now), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers("soon"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn unsafe_requests_retry_only_when_nothing_was_sent() {
        let policy = RetryPolicy::default();
        let empty = HeaderMap::new();
        assert!(policy.next_delay(1, false, Outcome::ConnectFailed).is_some());
        assert!(policy.next_delay(1, false, Outcome::NoResponse).is_none());
        assert!(policy.next_delay(1, false, Outcome::Response(StatusCode::SERVICE_UNAVAILABLE, &empty)).is_none());
        assert!(policy.next_delay(1, true, Outcome::NoResponse).is_some());
        assert!(policy.next_delay(1, true, Outcome::Response(StatusCode::SERVICE_UNAVAILABLE, &empty)).is_some());
        // A 429 was refused before processing: safe to send again whatever the method.
        assert!(policy.next_delay(1, false, Outcome::Response(StatusCode::TOO_MANY_REQUESTS, &empty)).is_some());
        let too_long = headers("3600");
        assert!(policy.next_delay(1, false, Outcome::Response(StatusCode::TOO_MANY_REQUESTS, &too_long)).is_none());
    }

    #[test]
    fn client_errors_and_exhausted_budget_stop() {
        let policy = RetryPolicy { max_retries: 2, ..RetryPolicy::default() };
        let empty = HeaderMap::new();
        assert!(policy.next_delay(1, true, Outcome::Response(StatusCode::UNPROCESSABLE_ENTITY, &empty)).is_none());
        assert!(policy.next_delay(2, true, Outcome::ConnectFailed).is_some());
        assert!(policy.next_delay(3, true, Outcome::ConnectFailed).is_none());
        let disabled = RetryPolicy { max_retries: 0, ..RetryPolicy::default() };
        assert!(disabled.next_delay(1, true, Outcome::ConnectFailed).is_none());
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let policy = RetryPolicy::default();
        let wait = policy.next_delay(1, true, Outcome::Response(StatusCode::TOO_MANY_REQUESTS, &headers("2")));
        assert_eq!(wait, Some(Duration::from_secs(2)));
        let too_long = policy.next_delay(1, true, Outcome::Response(StatusCode::TOO_MANY_REQUESTS, &headers("3600")));
        assert_eq!(too_long, None);
    }

    #[test]
    fn backoff_is_jittered_under_an_exponential_cap() {
        let policy = RetryPolicy::default();
        for retry in 1..=12 {
            let ceiling = (policy.base_delay * 2u32.pow(retry - 1)).min(policy.max_delay);
            for _ in 0..50 {
                assert!(policy.backoff(retry) <= ceiling);
            }
        }
        assert!(policy.backoff(200) <= policy.max_delay);
    }
}
