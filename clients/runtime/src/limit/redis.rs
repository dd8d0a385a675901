use std::sync::LazyLock;
use std::time::Duration;

use ::redis::Script;
use futures::future::BoxFuture;
use tokio::time::Instant;

use super::{LimitKey, LocalLimiter, Rate, RateLimiter};
use crate::store::{FailMode, RedisStore, StoreError};

/// GCRA with reservation, on Redis's clock: takes the next slot of the key (after any pause),
/// and returns how many microseconds from now it is. KEYS: the key's theoretical arrival time,
/// its pause. ARGV: interval, tolerance (µs). Numbers are written with `%.0f`: Lua's default format would round them. Keys expire
/// a minute after they stop mattering.
static RESERVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local arrival = now
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > arrival then arrival = paused end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < arrival then tat = arrival end
local slot = math.max(arrival, tat - tonumber(ARGV[2]))
local next_tat = tat + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX', math.ceil((next_tat - now) / 1000) + 60000)
return slot - now
",
    )
});

/// Sets the key's pause to end `ARGV[1]` µs from now, unless it already ends later.
static PAUSE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local ends = now + tonumber(ARGV[1])
if ends > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%.0f', ends), 'PX', math.ceil(tonumber(ARGV[1]) / 1000) + 60000)
end
return 0
",
    )
});

/// How many microseconds of the key's pause are left.
static PAUSE_LEFT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
return math.max(0, tonumber(redis.call('GET', KEYS[1]) or '0') - now)
",
    )
});

const ROLE: &str = "rate limiter";

/// The limiter shared by replicas: GCRA in one atomic Lua script on a [`RedisStore`], on the
/// server's clock, so every process holding the same credential draws from one budget, and a
/// 429's `Retry-After` seen by one pauses all. When the store fails, [`FailMode::Open`] (the
/// default) falls back to an in-process limiter of the same rate, with a WARN event;
/// [`FailMode::Closed`] refuses the call. Needs Redis 5 or later (its scripts read `TIME`
/// before writing, which older servers refuse unless told to replicate effects).
#[derive(Debug)]
pub struct RedisLimiter {
    store: RedisStore,
    rate: Rate,
    fail_mode: FailMode,
    fallback: LocalLimiter,
}

impl RedisLimiter {
    /// A limiter giving each key `rate`, shared through `store`.
    pub fn new(store: RedisStore, rate: Rate) -> Self {
        Self { store, rate, fail_mode: FailMode::Open, fallback: LocalLimiter::new(rate) }
    }

    /// What to do when the store fails (open by default).
    pub fn with_fail_mode(mut self, mode: FailMode) -> Self {
        self.fail_mode = mode;
        self
    }

    fn keys(&self, key: &LimitKey) -> [String; 2] {
        // One hash tag per limit key: both keys land on one Redis Cluster node.
        [
            self.store.key("limit", format_args!("{{{key}}}:tat")),
            self.store.key("limit", format_args!("{{{key}}}:pause")),
        ]
    }

    async fn reserve(&self, keys: &[String; 2]) -> Result<Duration, StoreError> {
        let args = [micros(self.rate.interval()), micros(self.rate.tolerance())];
        let wait: i64 = self.store.eval(ROLE, &RESERVE, &[&keys[0], &keys[1]], &args).await?;
        Ok(Duration::from_micros(wait.max(0).unsigned_abs()))
    }

    async fn shared_acquire(&self, key: &LimitKey, not_before: Duration) -> Result<(), StoreError> {
        let keys = self.keys(key);
        // Waited out before reserving: a slot reserved ahead would hold the others back too.
        if !not_before.is_zero() {
            tokio::time::sleep(not_before).await;
        }
        loop {
            let wait = self.reserve(&keys).await?;
            if wait.is_zero() {
                return Ok(());
            }
            tokio::time::sleep(wait).await;
            // A pause that began while this request waited for its slot holds it too: it takes
            // a new slot after the pause (the old one goes unused).
            let pause_left: i64 = self.store.eval(ROLE, &PAUSE_LEFT, &[&keys[1]], &[]).await?;
            if pause_left <= 0 {
                return Ok(());
            }
        }
    }
}

impl RateLimiter for RedisLimiter {
    fn acquire<'a>(&'a self, key: &'a LimitKey, not_before: Duration) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let earliest = Instant::now() + not_before;
            match self.shared_acquire(key, not_before).await {
                Ok(()) => Ok(()),
                Err(error) => {
                    error.handle(self.fail_mode)?;
                    let not_before = earliest.saturating_duration_since(Instant::now());
                    self.fallback.acquire(key, not_before).await
                }
            }
        })
    }

    fn pause<'a>(&'a self, key: &'a LimitKey, wait: Duration) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            // The fallback pauses too, so the pause holds here if the store fails meanwhile.
            self.fallback.pause(key, wait).await?;
            let pause_key = self.store.key("limit", format_args!("{{{key}}}:pause"));
            self.store.eval::<i64>(ROLE, &PAUSE, &[&pause_key], &[micros(wait)]).await.map(drop)
        })
    }
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}
