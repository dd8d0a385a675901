//! A request that got no response, described by its cause: a timeout, a refused connection, a
//! failed DNS lookup or TLS handshake. reqwest's own message is "error sending request" for
//! all of them; the cause is at the bottom of its `source()` chain.

use std::error::Error;
use std::fmt;
use std::time::Duration;

/// No response arrived. `Display` says why in a few words; `source()` is reqwest's error,
/// without its URL (a URL may carry a credential in its query).
#[derive(Debug)]
pub struct TransportError {
    cause: Cause,
    source: reqwest::Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Cause {
    /// Connecting took longer than the connect timeout.
    ConnectTimeout(Option<Duration>),
    /// The answer took longer than the request timeout.
    Timeout(Option<Duration>),
    Refused,
    Dns(String),
    Tls(String),
    Connect(String),
    /// The response started but its body could not be read.
    Body(String),
    Other(String),
}

/// The timeouts a client was configured with, for the message of a timeout (`None` when a
/// caller-supplied `reqwest::Client` applies its own).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Timeouts {
    pub(crate) connect: Option<Duration>,
    pub(crate) request: Option<Duration>,
}

impl TransportError {
    pub(crate) fn new(error: reqwest::Error, timeouts: Timeouts) -> Self {
        let error = error.without_url();
        let root = root_cause(&error);
        let chain = chain_text(&error);
        let cause = if error.is_timeout() && error.is_connect() {
            Cause::ConnectTimeout(timeouts.connect)
        } else if error.is_timeout() {
            Cause::Timeout(timeouts.request)
        } else if error.is_connect() {
            if io_kind(&error) == Some(std::io::ErrorKind::ConnectionRefused) {
                Cause::Refused
            } else if chain.contains("dns error") || chain.contains("lookup") || chain.contains("resolve") {
                Cause::Dns(root)
            } else if ["certificate", "tls", "ssl", "handshake"].iter().any(|word| chain.contains(word)) {
                Cause::Tls(root)
            } else {
                Cause::Connect(root)
            }
        } else if error.is_body() || error.is_decode() {
            Cause::Body(root)
        } else {
            Cause::Other(root)
        };
        Self { cause, source: error }
    }

    /// Whether connecting or answering took longer than allowed.
    pub fn is_timeout(&self) -> bool {
        matches!(self.cause, Cause::Timeout(_) | Cause::ConnectTimeout(_))
    }

    /// Whether no connection could be made: nothing reached the provider.
    pub fn is_connect(&self) -> bool {
        matches!(
            self.cause,
            Cause::ConnectTimeout(_) | Cause::Refused | Cause::Dns(_) | Cause::Tls(_) | Cause::Connect(_)
        )
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let after = |f: &mut fmt::Formatter<'_>, limit: &Option<Duration>| match limit {
            Some(limit) => write!(f, " after {}", seconds(*limit)),
            None => Ok(()),
        };
        match &self.cause {
            Cause::ConnectTimeout(limit) => {
                f.write_str("connect timed out")?;
                after(f, limit)
            }
            Cause::Timeout(limit) => {
                f.write_str("timed out")?;
                after(f, limit)
            }
            Cause::Refused => f.write_str("connection refused"),
            Cause::Dns(root) => write!(f, "DNS lookup failed: {root}"),
            Cause::Tls(root) => write!(f, "TLS handshake failed: {root}"),
            Cause::Connect(root) => write!(f, "connection failed: {root}"),
            Cause::Body(root) => write!(f, "the response body could not be read: {root}"),
            Cause::Other(root) => write!(f, "request failed: {root}"),
        }
    }
}

impl Error for TransportError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}

/// `30 s`, `1.5 s`, `250 ms`.
fn seconds(limit: Duration) -> String {
    if limit.subsec_millis() == 0 {
        format!("{} s", limit.as_secs())
    } else if limit < Duration::from_secs(1) {
        format!("{} ms", limit.as_millis())
    } else {
        format!("{:.1} s", limit.as_secs_f64())
    }
}

/// The message of the deepest error in the chain: the actual cause.
fn root_cause(error: &reqwest::Error) -> String {
    let mut current: &dyn Error = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string().lines().next().unwrap_or_default().trim().to_string()
}

/// Every message of the chain, lower case, for classifying the cause.
fn chain_text(error: &reqwest::Error) -> String {
    let mut text = String::new();
    let mut current: Option<&dyn Error> = Some(error);
    while let Some(error) = current {
        text.push_str(&error.to_string().to_lowercase());
        text.push('\n');
        current = error.source();
    }
    text
}

/// The kind of the first `io::Error` in the chain.
fn io_kind(error: &reqwest::Error) -> Option<std::io::ErrorKind> {
    let mut current = error.source();
    while let Some(error) = current {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        current = error.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(seconds(Duration::from_secs(30)), "30 s");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(seconds(Duration::from_millis(250)), "250 ms");
    }
}
