//! Webhook de-duplication: a store of the delivery ids seen in the last few minutes, so that a
//! delivery the provider sends again (to this replica or another) is recognised.

mod memory;
#[cfg(feature = "redis")]
mod redis;

use std::fmt;

use futures::future::BoxFuture;

pub use self::memory::MemoryDeliveries;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use self::redis::RedisDeliveries;
use crate::store::StoreError;

/// Whether a delivery id was seen before, within the store's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// Not seen before: handle the delivery.
    First,
    /// Seen before: a redelivery, already handled (or being handled) elsewhere.
    Again,
}

/// Delivery ids seen in a time window.
pub trait DeliveryStore: fmt::Debug + Send + Sync + 'static {
    /// Records `id` as seen and says whether it had been. `Err` only when the store failed and
    /// is configured to fail closed: then refuse the delivery, so that the provider sends it
    /// again later.
    fn record<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Seen, StoreError>>;

    /// Forgets `id`, so that the next delivery of it counts as new: for a delivery whose
    /// handling failed after it was recorded.
    fn forget<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;
}
