use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};

use super::{LimitKey, Rate, RateLimiter};
use crate::store::StoreError;

/// The in-process limiter: GCRA ([governor](https://docs.rs/governor)) per key, shared by the
/// clients of this process that hold it. Replicas do not see each other's requests: use
/// `RedisLimiter` (feature `redis`) when they share a budget.
pub struct LocalLimiter {
    rate: Rate,
    limiter: DefaultKeyedRateLimiter<LimitKey>,
    paused: Mutex<HashMap<LimitKey, Instant>>,
}

impl LocalLimiter {
    /// A limiter giving each key `rate`.
    pub fn new(rate: Rate) -> Self {
        // `Rate` keeps its interval above zero, which is all `with_period` refuses.
        let quota = Quota::with_period(rate.interval()).unwrap_or(Quota::per_second(NonZeroU32::MAX));
        let limiter = DefaultKeyedRateLimiter::keyed(quota.allow_burst(rate.burst));
        Self { rate, limiter, paused: Mutex::default() }
    }

    /// When the pause of `key` ends, if it is paused (an ended pause is forgotten).
    fn paused_until(&self, key: &LimitKey) -> Option<Instant> {
        let mut paused = self.paused.lock().unwrap_or_else(PoisonError::into_inner);
        match paused.get(key) {
            Some(until) if *until > Instant::now() => Some(*until),
            Some(_) => {
                paused.remove(key);
                None
            }
            None => None,
        }
    }
}

impl RateLimiter for LocalLimiter {
    fn acquire<'a>(&'a self, key: &'a LimitKey, not_before: Duration) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            if !not_before.is_zero() {
                tokio::time::sleep(not_before).await;
            }
            loop {
                if let Some(until) = self.paused_until(key) {
                    tokio::time::sleep_until(until.into()).await;
                    continue;
                }
                match self.limiter.check_key(key) {
                    Ok(()) => return Ok(()),
                    Err(not_until) => {
                        tokio::time::sleep(not_until.wait_time_from(self.limiter.clock().now())).await;
                    }
                }
            }
        })
    }

    fn pause<'a>(&'a self, key: &'a LimitKey, wait: Duration) -> BoxFuture<'a, Result<(), StoreError>> {
        let until = Instant::now() + wait;
        let mut paused = self.paused.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = paused.entry(key.clone()).or_insert(until);
        *entry = (*entry).max(until);
        Box::pin(std::future::ready(Ok(())))
    }
}

impl fmt::Debug for LocalLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalLimiter").field("rate", &self.rate).finish_non_exhaustive()
    }
}
