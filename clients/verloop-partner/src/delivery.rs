//! Webhook de-duplication: which deliveries a [`Verifier`] has seen.
//!
//! Verloop documents no delivery id (no header, no envelope field; a delivery may carry
//! several messages and statuses), so a delivery is identified by the SHA-256 of its verified
//! body: a redelivery of the same bytes is a duplicate, while a different delivery that repeats
//! an event (a status sent again in another envelope) is not.

use reqwest::header::HeaderMap;
use sha2::{Digest, Sha256};

use crate::Drift;
use crate::dedup::Seen;
use crate::store::StoreError;
use crate::webhook::{Event, Verifier, WebhookError};

/// A verified delivery: new, or one already received within the store's window.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Delivery {
    /// Not seen before: handle its events.
    New {
        /// The delivery's id ([`delivery_id`]), for [`Verifier::forget`] if handling fails.
        id: String,
        /// The events, in delivery order.
        events: Vec<Event>,
        /// What the delivery showed that the spec does not describe.
        drift: Vec<Drift>,
    },
    /// Seen before: acknowledge it and do nothing else.
    Duplicate {
        /// The delivery's id.
        id: String,
    },
}

/// A delivery that could not be received.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiveError {
    /// The signature or the body was refused.
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    /// The store of seen deliveries failed and fails closed: answer with an error status so
    /// that Verloop delivers it again.
    #[error("webhook delivery not accepted: {0}")]
    Store(#[from] StoreError),
}

/// The id of a delivery: the hex SHA-256 of its body (Verloop documents none).
pub fn delivery_id(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

impl Verifier {
    /// Verifies and parses a delivery, then checks its id against the store of
    /// [`Verifier::with_deliveries`] (without one, every delivery is new). A delivery whose
    /// signature or body is refused is not recorded.
    pub async fn receive(&self, headers: &HeaderMap, body: &[u8]) -> Result<Delivery, ReceiveError> {
        let (events, drift) = self.verify_and_parse_with_drift(headers, body)?;
        let id = delivery_id(body);
        let seen = match &self.deliveries {
            Some(deliveries) => deliveries.record(&id).await?,
            None => Seen::First,
        };
        Ok(match seen {
            Seen::First => Delivery::New { id, events, drift },
            Seen::Again => Delivery::Duplicate { id },
        })
    }

    /// Forgets a delivery whose handling failed, so that Verloop's redelivery counts as new.
    pub async fn forget(&self, id: &str) -> Result<(), StoreError> {
        match &self.deliveries {
            Some(deliveries) => deliveries.forget(id).await,
            None => Ok(()),
        }
    }
}
