//! The shared stores behind the rate limiter and the webhook de-duplication, and what a
//! client does when one of them fails.

#[cfg(feature = "redis")]
mod redis;

use std::fmt;

#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use self::redis::RedisStore;

/// What to do when a shared store cannot answer (unreachable, too slow, restarting).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailMode {
    /// Go on without the store: send without the shared limit, or take a webhook delivery as
    /// new. Each time, a WARN event (target `whatsapp_sdk::store`) names the store.
    #[default]
    Open,
    /// Refuse: the call ends with a [`StoreError`] naming the store, and nothing is sent (or
    /// the delivery is refused, so that the provider delivers it again).
    Closed,
}

/// A shared store could not answer. Names the store, never a credential or a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    store: String,
    cause: String,
}

impl StoreError {
    /// The store (`redis rate limiter at /tmp/r.sock`) and why it failed, neither holding a secret.
    pub fn new(store: impl Into<String>, cause: impl Into<String>) -> Self {
        Self { store: store.into(), cause: cause.into() }
    }

    /// The store that failed, as its `Display` names it.
    pub fn store(&self) -> &str {
        &self.store
    }

    /// Applies `mode` to this failure: `Ok` (after a WARN event) to go on without the store,
    /// `Err(self)` to refuse.
    pub fn handle(self, mode: FailMode) -> Result<(), StoreError> {
        match mode {
            FailMode::Open => {
                tracing::warn!(target: "whatsapp_sdk::store", store = %self.store, cause = %self.cause,
                    "shared store unavailable: going on without it (fail open)");
                Ok(())
            }
            FailMode::Closed => Err(self),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} unavailable: {}", self.store, self.cause)
    }
}

impl std::error::Error for StoreError {}
