use std::collections::{HashSet, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;

use super::{DeliveryStore, Seen};
use crate::store::StoreError;

/// Delivery ids seen by this process in the last `window`: the default for a single process.
#[derive(Debug)]
pub struct MemoryDeliveries {
    window: Duration,
    seen: Mutex<Window>,
}

/// The ids, and their arrival order for expiring them.
#[derive(Debug, Default)]
struct Window {
    ids: HashSet<String>,
    arrivals: VecDeque<(Instant, String)>,
}

impl MemoryDeliveries {
    /// Remembers each id for `window`.
    pub fn new(window: Duration) -> Self {
        Self { window, seen: Mutex::default() }
    }

    fn record_now(&self, id: &str, now: Instant) -> Seen {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        while let Some((arrived, _)) = seen.arrivals.front()
            && now.duration_since(*arrived) >= self.window
        {
            if let Some((_, expired)) = seen.arrivals.pop_front() {
                seen.ids.remove(&expired);
            }
        }
        if !seen.ids.insert(id.to_string()) {
            return Seen::Again;
        }
        seen.arrivals.push_back((now, id.to_string()));
        Seen::First
    }
}

impl DeliveryStore for MemoryDeliveries {
    fn record<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Seen, StoreError>> {
        Box::pin(std::future::ready(Ok(self.record_now(id, Instant::now()))))
    }

    fn forget<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        // Its arrival stays queued and expires harmlessly.
        self.seen.lock().unwrap_or_else(PoisonError::into_inner).ids.remove(id);
        Box::pin(std::future::ready(Ok(())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_new_once_per_window() {
        let store = MemoryDeliveries::new(Duration::from_secs(60));
        let start = Instant::now();
        assert_eq!(store.record_now("a", start), Seen::First);
        assert_eq!(store.record_now("a", start + Duration::from_secs(59)), Seen::Again);
        assert_eq!(store.record_now("b", start + Duration::from_secs(59)), Seen::First);
        assert_eq!(store.record_now("a", start + Duration::from_secs(61)), Seen::First);
        assert_eq!(store.seen.lock().unwrap().ids.len(), 2);
    }
}
