//! Where the runtime consults the limiter: before each attempt, and after a 429.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use super::{LimitKey, RateLimiter};
use crate::error::ErrorKind;
use crate::retry::retry_after;
use crate::{Config, Error, OperationSpec, Runtime};

/// The limiter of a runtime's config, with the key of the config's account or of the runtime's
/// credential.
pub(crate) struct SharedLimit {
    limiter: Arc<dyn RateLimiter>,
    account: Option<Arc<str>>,
    /// Derived on the first request, which names the provider.
    key: OnceLock<LimitKey>,
}

impl SharedLimit {
    /// The limit of a runtime made from `config`, when it has a limiter.
    pub(crate) fn of(config: &Config) -> Option<Arc<Self>> {
        let limiter = Arc::clone(config.rate_limiter()?);
        Some(Arc::new(Self { limiter, account: config.rate_limit_account().cloned(), key: OnceLock::new() }))
    }

    fn key(&self, runtime: &Runtime, operation: Option<&OperationSpec>) -> &LimitKey {
        self.key.get_or_init(|| {
            let provider = operation.map_or("unknown", |op| op.provider);
            match &self.account {
                Some(account) => LimitKey::new(provider, account.as_ref()),
                None => LimitKey::of_credential(provider, &runtime.secret_values()),
            }
        })
    }

    /// Before the first attempt: waits for the budget. Fails (nothing sent) only when the
    /// store failed and fails closed.
    pub(crate) async fn admit<E>(&self, runtime: &Runtime, operation: &'static OperationSpec) -> Result<(), Error<E>> {
        let key = self.key(runtime, Some(operation));
        match self.limiter.acquire(key, Duration::ZERO).await {
            Ok(()) => Ok(()),
            Err(error) => Err(Error::new(ErrorKind::Store(error)).at(operation)),
        }
    }

    /// After an attempt: a 429 with `Retry-After` pauses every client sharing the key; a
    /// `retry` (its request and delay) waits for its turn. Returns the attempt's result and the
    /// retry with what is left of its delay, or `None` to send no retry; boxed, so that the
    /// caller's future keeps a pointer across this wait, not the attempt.
    pub(crate) async fn around_retry(
        &self,
        runtime: &Runtime,
        operation: Option<&OperationSpec>,
        result: reqwest::Result<reqwest::Response>,
        retry: Option<(reqwest::Request, Duration)>,
    ) -> Box<(reqwest::Result<reqwest::Response>, Option<(reqwest::Request, Duration)>)> {
        self.observe(runtime, operation, &result).await;
        let retry = match retry {
            Some((request, delay)) => self.before_retry(runtime, operation, delay).await.map(|delay| (request, delay)),
            None => None,
        };
        Box::new((result, retry))
    }

    async fn observe(
        &self,
        runtime: &Runtime,
        operation: Option<&OperationSpec>,
        result: &reqwest::Result<reqwest::Response>,
    ) {
        let wait = match result {
            Ok(response) if response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS => {
                retry_after(response.headers(), SystemTime::now())
            }
            _ => None,
        };
        let Some(wait) = wait else { return };
        if let Err(error) = self.limiter.pause(self.key(runtime, operation), wait).await {
            tracing::warn!(target: "whatsapp_sdk::store", store = error.store(), %error,
                "the provider's Retry-After was not shared with the other clients");
        }
    }

    /// Before a retry: waits `delay`, then for the budget. `None` when the store refused (it
    /// fails closed): the retry is not sent, and the call ends with the last attempt's outcome.
    async fn before_retry(
        &self,
        runtime: &Runtime,
        operation: Option<&OperationSpec>,
        delay: Duration,
    ) -> Option<Duration> {
        match self.limiter.acquire(self.key(runtime, operation), delay).await {
            Ok(()) => Some(Duration::ZERO),
            Err(error) => {
                tracing::warn!(target: "whatsapp_sdk::store", store = error.store(), %error,
                    "retry not sent: the shared rate limit is unavailable (fail closed)");
                None
            }
        }
    }
}
