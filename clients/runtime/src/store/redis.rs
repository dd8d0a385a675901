use std::fmt;
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{Cmd, FromRedisValue, RedisResult, Script};

use super::StoreError;

/// How long one command may take, connecting included, before the store counts as failed.
const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);

/// A Redis server the replicas share, for [`RedisLimiter`](crate::limit::RedisLimiter) and
/// [`RedisDeliveries`](crate::dedup::RedisDeliveries). One multiplexed connection, shared by
/// clones, reconnected after a failure (redis-rs's `ConnectionManager`); each command is
/// bounded by a timeout, after which the store counts as failed for that call.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    /// Host and port, or socket path: never the password a URL may carry.
    address: String,
    prefix: String,
    timeout: Duration,
}

impl RedisStore {
    /// A store at `url` (`redis://host:6379/0`, `redis://:password@host`, `redis+unix:///run/r.sock`).
    /// Connects on first use, so a server that is down now is a failure of the calls that need it
    /// (handled as their [`FailMode`](super::FailMode) says), not of this one. Call it within a
    /// tokio runtime.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = ::redis::Client::open(url).map_err(|_| StoreError::new("redis", "the URL is not a Redis URL"))?;
        let address = client.get_connection_info().addr().to_string();
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(DEFAULT_TIMEOUT))
            .set_response_timeout(Some(DEFAULT_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(100));
        let connection = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|error| StoreError::new(format!("redis at {address}"), error.to_string()))?;
        Ok(Self { connection, address, prefix: "whatsapp-sdk".into(), timeout: DEFAULT_TIMEOUT })
    }

    /// How long a command may take (250 ms by default) before the store counts as failed.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The prefix of every key written (`whatsapp-sdk` by default), to share one server
    /// between services.
    pub fn with_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// `prefix:kind:rest`: every key this crate writes.
    pub(crate) fn key(&self, kind: &str, rest: fmt::Arguments<'_>) -> String {
        format!("{}:{kind}:{rest}", self.prefix)
    }

    /// The store as errors and events name it (`redis rate limiter at 127.0.0.1:6379`).
    pub(crate) fn name(&self, role: &str) -> String {
        format!("redis {role} at {}", self.address)
    }

    /// Runs `script` (`EVALSHA`, loading it again after a restart emptied the script cache).
    pub(crate) async fn eval<T: FromRedisValue>(
        &self,
        role: &str,
        script: &Script,
        keys: &[&str],
        args: &[u64],
    ) -> Result<T, StoreError> {
        let mut connection = self.connection.clone();
        let mut invocation = script.prepare_invoke();
        for key in keys {
            invocation.key(*key);
        }
        for arg in args {
            invocation.arg(*arg);
        }
        self.bounded(role, invocation.invoke_async(&mut connection)).await
    }

    /// Runs one command.
    pub(crate) async fn query<T: FromRedisValue>(&self, role: &str, command: &Cmd) -> Result<T, StoreError> {
        let mut connection = self.connection.clone();
        self.bounded(role, command.query_async(&mut connection)).await
    }

    async fn bounded<T>(&self, role: &str, call: impl Future<Output = RedisResult<T>>) -> Result<T, StoreError> {
        match tokio::time::timeout(self.timeout, call).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(StoreError::new(self.name(role), error.to_string())),
            Err(_) => {
                Err(StoreError::new(self.name(role), format!("no answer within {} ms", self.timeout.as_millis())))
            }
        }
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("address", &self.address)
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
