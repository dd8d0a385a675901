//! A rate limit the runtime consults before each request, keyed by what the provider limits,
//! so that every client of one credential (in this process with [`LocalLimiter`], in every
//! replica with `RedisLimiter`, feature `redis`) stays within one budget, and a 429's `Retry-After` pauses
//! them all.

mod key;
mod local;
#[cfg(feature = "redis")]
mod redis;
mod runtime;

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;

pub use self::key::LimitKey;
pub use self::local::LocalLimiter;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use self::redis::RedisLimiter;
pub(crate) use self::runtime::SharedLimit;
use crate::store::StoreError;

/// Decides when a request under a [`LimitKey`] may go out. Set one with
/// [`Config::with_rate_limiter`](crate::Config::with_rate_limiter); clients made from that
/// config (and their clones) share it.
pub trait RateLimiter: fmt::Debug + Send + Sync + 'static {
    /// Waits until one more request under `key` fits the budget and no pause holds the key,
    /// and at least `not_before` from now. `Err` only when the limiter's store failed and it is
    /// configured to fail closed: then the request must not be sent.
    fn acquire<'a>(&'a self, key: &'a LimitKey, not_before: Duration) -> BoxFuture<'a, Result<(), StoreError>>;

    /// The provider answered 429 with `Retry-After: wait`: no request under `key` goes out
    /// before then, from any client sharing the limiter.
    fn pause<'a>(&'a self, key: &'a LimitKey, wait: Duration) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// A limiter shared by several configs: `Config::with_rate_limiter(Arc::clone(&limiter))`.
impl<T: RateLimiter + ?Sized> RateLimiter for Arc<T> {
    fn acquire<'a>(&'a self, key: &'a LimitKey, not_before: Duration) -> BoxFuture<'a, Result<(), StoreError>> {
        (**self).acquire(key, not_before)
    }

    fn pause<'a>(&'a self, key: &'a LimitKey, wait: Duration) -> BoxFuture<'a, Result<(), StoreError>> {
        (**self).pause(key, wait)
    }
}

/// A budget: requests evenly spaced by an interval, with up to `burst` of them at once.
///
/// ```
/// use whatsapp_sdk_runtime::limit::Rate;
/// let rate = Rate::per_second(50).with_burst(10); // 50 a second, 10 back to back
/// # assert_eq!(rate.interval(), std::time::Duration::from_millis(20));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    interval: Duration,
    burst: NonZeroU32,
}

impl Rate {
    /// `requests` a second (at least 1), one at a time.
    pub fn per_second(requests: u32) -> Self {
        Self::every(Duration::from_secs(1) / requests.max(1))
    }

    /// `requests` a minute (at least 1), one at a time.
    pub fn per_minute(requests: u32) -> Self {
        Self::every(Duration::from_secs(60) / requests.max(1))
    }

    /// One request every `interval` (at least 1 µs), one at a time.
    pub fn every(interval: Duration) -> Self {
        Self { interval: interval.max(Duration::from_micros(1)), burst: NonZeroU32::MIN }
    }

    /// Allows `burst` requests back to back (at least 1) while the budget has room.
    pub fn with_burst(mut self, burst: u32) -> Self {
        self.burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        self
    }

    /// The spacing of requests.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// How many requests may go back to back.
    pub fn burst(&self) -> u32 {
        self.burst.get()
    }

    /// GCRA's tolerance: how far ahead of its schedule a request may go.
    #[cfg(feature = "redis")]
    fn tolerance(&self) -> Duration {
        self.interval * (self.burst.get() - 1)
    }
}
