use std::time::Duration;

use futures::future::BoxFuture;

use super::{DeliveryStore, Seen};
use crate::store::{FailMode, RedisStore, StoreError};

const ROLE: &str = "webhook de-duplication";

/// Delivery ids seen by any replica in the last `window`, in Redis (`SET id NX PX window`).
/// When the store fails, [`FailMode::Open`] (the default) takes the delivery as new, with a
/// WARN event; [`FailMode::Closed`] refuses it.
#[derive(Debug)]
pub struct RedisDeliveries {
    store: RedisStore,
    window: Duration,
    fail_mode: FailMode,
}

impl RedisDeliveries {
    /// Remembers each id for `window` (at least a millisecond).
    pub fn new(store: RedisStore, window: Duration) -> Self {
        Self { store, window: window.max(Duration::from_millis(1)), fail_mode: FailMode::Open }
    }

    /// What to do when the store fails (open by default).
    pub fn with_fail_mode(mut self, mode: FailMode) -> Self {
        self.fail_mode = mode;
        self
    }

    fn key(&self, id: &str) -> String {
        self.store.key("delivery", format_args!("{id}"))
    }
}

impl DeliveryStore for RedisDeliveries {
    fn record<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Seen, StoreError>> {
        Box::pin(async move {
            let window = u64::try_from(self.window.as_millis()).unwrap_or(u64::MAX);
            let set = ::redis::cmd("SET").arg(self.key(id)).arg(1).arg("NX").arg("PX").arg(window).clone();
            match self.store.query::<Option<String>>(ROLE, &set).await {
                Ok(Some(_)) => Ok(Seen::First),
                Ok(None) => Ok(Seen::Again),
                Err(error) => error.handle(self.fail_mode).map(|()| Seen::First),
            }
        })
    }

    fn forget<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let delete = ::redis::cmd("DEL").arg(self.key(id)).clone();
            self.store.query::<i64>(ROLE, &delete).await.map(drop)
        })
    }
}
