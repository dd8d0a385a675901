//! Rate-limit and request-id headers and drift findings, readable from successes and errors alike.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

use crate::Drift;
use crate::retry::retry_after;

/// What a response says about rate limits and how to trace it, and what it showed that the
/// spec does not describe.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseMeta {
    /// `x-request-id`, to quote to the provider's support.
    pub request_id: Option<String>,
    /// `x-ratelimit-limit`: requests allowed in the window.
    pub rate_limit: Option<u64>,
    /// `x-ratelimit-remaining`: requests left in the window.
    pub rate_limit_remaining: Option<u64>,
    /// `x-ratelimit-reset`: as the provider sends it (seconds or a timestamp).
    pub rate_limit_reset: Option<String>,
    /// `retry-after`, as a delay from now.
    pub retry_after: Option<Duration>,
    drift: Vec<Drift>,
}

impl ResponseMeta {
    /// Reads the headers of a response.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(|v| v.trim().to_string());
        let number = |name: &str| text(name).and_then(|v| v.parse().ok());
        Self {
            request_id: text("x-request-id"),
            rate_limit: number("x-ratelimit-limit"),
            rate_limit_remaining: number("x-ratelimit-remaining"),
            rate_limit_reset: text("x-ratelimit-reset"),
            retry_after: retry_after(headers, SystemTime::now()),
            drift: Vec::new(),
        }
    }

    pub(crate) fn with_drift(mut self, drift: Vec<Drift>) -> Self {
        self.drift = drift;
        self
    }

    /// What the response showed that the spec does not describe.
    pub fn drift(&self) -> &[Drift] {
        &self.drift
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", "req-1".parse().unwrap());
        headers.insert("x-ratelimit-limit", "100".parse().unwrap());
        headers.insert("x-ratelimit-remaining", " 7 ".parse().unwrap());
        headers.insert("x-ratelimit-reset", "1700000000".parse().unwrap());
        headers.insert("retry-after", "3".parse().unwrap());
        let meta = ResponseMeta::from_headers(&headers);
        assert_eq!(meta.request_id.as_deref(), Some("req-1"));
        assert_eq!((meta.rate_limit, meta.rate_limit_remaining), (Some(100), Some(7)));
        assert_eq!(meta.rate_limit_reset.as_deref(), Some("1700000000"));
        assert_eq!(meta.retry_after, Some(Duration::from_secs(3)));
        assert_eq!(ResponseMeta::from_headers(&HeaderMap::new()), ResponseMeta::default());
    }
}
