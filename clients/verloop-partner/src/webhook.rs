//! Verloop webhooks: verify `X-Partner-Signature-256`, then parse the delivery into events.
//!
//! The signature is `sha256=<hex>` of HMAC-SHA256 over the raw request body, keyed with the
//! partner's System User token. Verify before parsing, against the exact bytes received.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use hmac::{Hmac, Mac};
use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;
use sha2::Sha256;

use crate::Drift;
use crate::auth::SystemUserToken;
use crate::dedup::DeliveryStore;
pub use crate::delivery::{Delivery, ReceiveError, delivery_id};
use crate::types::{IncomingMessage, MessageStatus, WebhookChangeValue, WebhookContact, WebhookEvent, WebhookMetadata};

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "X-Partner-Signature-256";

const PREFIX: &str = "sha256=";

/// Why a delivery's signature was refused. The expected signature is never included.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The request has no `X-Partner-Signature-256` header.
    #[error("the {SIGNATURE_HEADER} header is missing")]
    MissingHeader,
    /// The header value is not visible ASCII.
    #[error("the {SIGNATURE_HEADER} header is not text")]
    InvalidHeader,
    /// The value does not start with `sha256=`.
    #[error("the {SIGNATURE_HEADER} header does not start with `sha256=`")]
    WrongPrefix,
    /// The digest is not hexadecimal.
    #[error("the {SIGNATURE_HEADER} digest is not hexadecimal")]
    InvalidHex,
    /// The digest is not 32 bytes long.
    #[error("the {SIGNATURE_HEADER} digest has {0} bytes, HMAC-SHA256 has 32")]
    WrongLength(usize),
    /// The digest does not match the body: the body was altered, or it was signed with another
    /// key (HMAC cannot tell the two apart).
    #[error("the {SIGNATURE_HEADER} signature does not match the body and key")]
    Mismatch,
}

/// A webhook delivery that could not be accepted.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The signature check failed.
    #[error(transparent)]
    Signature(#[from] VerifyError),
    /// The body is not a `whatsapp_business_account` envelope.
    #[error("the webhook body is not a valid delivery: {0}")]
    Body(#[from] serde_json::Error),
}

/// Checks deliveries against the System User token.
#[derive(Debug, Clone)]
pub struct Verifier {
    key: SystemUserToken,
    drift_detection: bool,
    member_sampling: u32,
    /// Deliveries parsed, shared by clones: which of them are checked for unknown members.
    parsed: Arc<AtomicU32>,
    /// Delivery ids seen, for [`Verifier::receive`] (see `crate::delivery`).
    pub(crate) deliveries: Option<Arc<dyn DeliveryStore>>,
}

impl Verifier {
    /// A verifier keyed with the partner's current System User token.
    pub fn new(key: SystemUserToken) -> Self {
        Self { key, drift_detection: true, member_sampling: 256, parsed: Arc::default(), deliveries: None }
    }

    /// Whether deliveries are checked for spec drift against `WebhookEvent` (on by default):
    /// members and enum values the spec does not describe, each a `tracing` event (target
    /// `whatsapp_sdk::drift`, operation `webhook`). Enum values are checked in every delivery;
    /// members, which cost a second decode, in the first and then one in 256
    /// ([`Verifier::with_member_drift_sampling`]).
    pub fn with_drift_detection(mut self, enabled: bool) -> Self {
        self.drift_detection = enabled;
        self
    }

    /// Checks for unknown members in the first delivery and then in one in `every` (1: all).
    pub fn with_member_drift_sampling(mut self, every: u32) -> Self {
        self.member_sampling = every.max(1);
        self
    }

    /// Makes [`Verifier::receive`] report a delivery whose id `deliveries` has seen as
    /// [`Delivery::Duplicate`]: a [`MemoryDeliveries`](crate::dedup::MemoryDeliveries) for one
    /// process, a `RedisDeliveries` (feature `redis`) for replicas.
    pub fn with_deliveries(mut self, deliveries: impl DeliveryStore) -> Self {
        self.deliveries = Some(Arc::new(deliveries));
        self
    }

    /// Verifies a signature header value (`None` when the header is absent) against `body`,
    /// in constant time.
    pub fn verify(&self, signature: Option<&str>, body: &[u8]) -> Result<(), VerifyError> {
        let signature = signature.ok_or(VerifyError::MissingHeader)?;
        let digest = signature.strip_prefix(PREFIX).ok_or(VerifyError::WrongPrefix)?;
        let digest = hex::decode(digest).map_err(|e| match e {
            hex::FromHexError::OddLength => VerifyError::WrongLength(digest.len() / 2),
            _ => VerifyError::InvalidHex,
        })?;
        if digest.len() != 32 {
            return Err(VerifyError::WrongLength(digest.len()));
        }
        mac(&self.key, body).verify_slice(&digest).map_err(|_| VerifyError::Mismatch)
    }

    /// Verifies the `X-Partner-Signature-256` header of a request against its body.
    pub fn verify_headers(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), VerifyError> {
        let signature = match headers.get(SIGNATURE_HEADER) {
            Some(value) => Some(value.to_str().map_err(|_| VerifyError::InvalidHeader)?),
            None => None,
        };
        self.verify(signature, body)
    }

    /// Verifies a request, then parses its body into events (and reports drift, when on).
    pub fn verify_and_parse(&self, headers: &HeaderMap, body: &[u8]) -> Result<Vec<Event>, WebhookError> {
        self.verify_and_parse_with_drift(headers, body).map(|(events, _)| events)
    }

    /// [`Verifier::verify_and_parse`], with what the delivery showed that the spec's
    /// `WebhookEvent` does not describe (empty when drift detection is off).
    pub fn verify_and_parse_with_drift(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(Vec<Event>, Vec<Drift>), WebhookError> {
        self.verify_headers(headers, body)?;
        if !self.drift_detection {
            return Ok((parse(body)?, Vec::new()));
        }
        let check_members = self.parsed.fetch_add(1, Ordering::Relaxed).is_multiple_of(self.member_sampling);
        let secrets = [self.key.expose().to_string()];
        let (events, drift) = whatsapp_sdk_runtime::drift::check_parsed::<WebhookEvent, _>(
            "verloop-partner",
            "webhook",
            body,
            &secrets,
            check_members,
            || parse(body),
        );
        Ok((events?, drift))
    }
}

fn mac(key: &SystemUserToken, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.expose().as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    mac
}

/// The `X-Partner-Signature-256` value Verloop would send for `body`: for tests of code that
/// receives webhooks.
pub fn sign(key: &SystemUserToken, body: &[u8]) -> String {
    format!("{PREFIX}{}", hex::encode(mac(key, body).finalize().into_bytes()))
}

/// A delivery as Verloop would POST it to `uri`: the JSON `body` with its
/// `X-Partner-Signature-256`, for tests of code that receives webhooks.
pub fn signed_request(
    key: &SystemUserToken,
    uri: &str,
    body: impl Into<bytes::Bytes>,
) -> Result<http::Request<bytes::Bytes>, http::Error> {
    let body = body.into();
    http::Request::post(uri)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, sign(key, &body))
        .body(body)
}

/// One thing a delivery reports. A delivery may carry several.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A customer wrote to a business number.
    Message {
        /// The WABA the number belongs to.
        waba_id: Option<String>,
        /// The receiving business number.
        metadata: Option<WebhookMetadata>,
        /// The senders' profiles.
        contacts: Vec<WebhookContact>,
        /// The message.
        message: Box<IncomingMessage>,
    },
    /// A sent message changed state (sent, delivered, read, failed), with pricing.
    Status {
        /// The WABA the number belongs to.
        waba_id: Option<String>,
        /// The sending business number.
        metadata: Option<WebhookMetadata>,
        /// The new state.
        status: Box<MessageStatus>,
    },
    /// A message template was approved, rejected, flagged, …
    TemplateStatus {
        /// The WABA the template belongs to.
        waba_id: Option<String>,
        /// The update (`event`, `message_template_*`, `reason`, `disable_info`).
        update: Box<WebhookChangeValue>,
    },
    /// A change this crate does not model (a new `field`, or a message of a type it does not
    /// know), kept as received.
    Unknown {
        /// The WABA the change belongs to.
        waba_id: Option<String>,
        /// The change's `field`.
        field: String,
        /// The raw JSON of the change's value, or of the one message.
        value: Value,
    },
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(default, borrow)]
    entry: Vec<Entry<'a>>,
}

#[derive(Deserialize)]
struct Entry<'a> {
    id: Option<String>,
    #[serde(default, borrow)]
    changes: Vec<Change<'a>>,
}

/// A change, read in the one pass over the delivery. Its `field` may come after its value, so
/// the value is read into [`Part`]s that serve whichever field it turns out to be.
#[derive(Deserialize)]
struct Change<'a> {
    #[serde(default, borrow)]
    field: Cow<'a, str>,
    #[serde(default, borrow)]
    value: Option<ChangeValue<'a>>,
}

/// A change's value: an object's members, or any other JSON as it is.
struct ChangeValue<'a>(Part<'a>);

/// A piece of a change's value as the one pass left it. The items of `messages` and `statuses`
/// are kept raw one by one: each is then decoded once, straight into its type, and one that
/// does not match its schema becomes an [`Event::Unknown`] on its own.
enum Part<'a> {
    /// An object: `messages` and `statuses` as [`Part::Items`] (when arrays), the rest raw.
    Members(Vec<(Cow<'a, str>, Part<'a>)>),
    Items(Vec<&'a RawValue>),
    Raw(&'a RawValue),
    /// A value of another shape than the one expected.
    Other(Value),
}

impl<'de: 'a, 'a> Deserialize<'de> for ChangeValue<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Expect::Members).map(ChangeValue)
    }
}

/// The shape a part is read as; any other shape is kept as a [`Value`].
#[derive(Clone, Copy)]
enum Expect {
    Members,
    Items,
}

impl<'de> DeserializeSeed<'de> for Expect {
    type Value = Part<'de>;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Part<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Expect {
    type Value = Part<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Part<'de>, A::Error> {
        if let Expect::Items = self {
            return Value::deserialize(MapAccessDeserializer::new(map)).map(Part::Other);
        }
        let mut members = Vec::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let part = match &*key.0 {
                "messages" | "statuses" => map.next_value_seed(Expect::Items)?,
                _ => Part::Raw(map.next_value()?),
            };
            members.push((key.0, part));
        }
        Ok(Part::Members(members))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Part<'de>, A::Error> {
        if let Expect::Members = self {
            return Value::deserialize(SeqAccessDeserializer::new(seq)).map(Part::Other);
        }
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(1));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Part::Items(items))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Part<'de>, E> {
        Ok(Part::Other(Value::Bool(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Part<'de>, E> {
        Ok(Part::Other(value.into()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Part<'de>, E> {
        Ok(Part::Other(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Part<'de>, E> {
        Ok(Part::Other(value.into()))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Part<'de>, E> {
        Ok(Part::Other(value.into()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Part<'de>, E> {
        Ok(Part::Other(Value::Null))
    }
}

/// An object key, borrowed from the body unless it has escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("an object key")
            }

            fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(key)))
            }

            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(key.to_string())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl Part<'_> {
    /// The part as the JSON it was read from, for events this crate does not model.
    fn into_value(self) -> Result<Value, serde_json::Error> {
        Ok(match self {
            Part::Members(members) => Value::Object(
                members.into_iter().map(|(key, part)| Ok((key.into_owned(), part.into_value()?))).collect::<Result<
                    _,
                    serde_json::Error,
                >>(
                )?,
            ),
            Part::Items(items) => {
                Value::Array(items.into_iter().map(|raw| untyped(Some(raw))).collect::<Result<_, _>>()?)
            }
            Part::Raw(raw) => untyped(Some(raw))?,
            Part::Other(value) => value,
        })
    }
}

/// Parses a delivery body into events, in delivery order. Does not verify: call
/// [`Verifier::verify_and_parse`] for requests from the network.
///
/// One pass over the body, then each message and status is decoded once from its own bytes.
pub fn parse(body: &[u8]) -> Result<Vec<Event>, serde_json::Error> {
    let envelope: Envelope<'_> = serde_json::from_slice(body)?;
    let mut events = Vec::new();
    for entry in envelope.entry {
        for change in entry.changes {
            parse_change(&entry.id, change, &mut events)?;
        }
    }
    Ok(events)
}

/// `raw` decoded as `T`, or `None` when it is absent or does not match.
fn typed<'a, T: Deserialize<'a>>(raw: Option<&'a RawValue>) -> Option<T> {
    raw.and_then(|raw| serde_json::from_str(raw.get()).ok())
}

/// The raw JSON as a [`Value`], for events this crate does not model.
fn untyped(raw: Option<&RawValue>) -> Result<Value, serde_json::Error> {
    raw.map_or(Ok(Value::Null), |raw| serde_json::from_str(raw.get()))
}

fn parse_change(
    waba_id: &Option<String>,
    change: Change<'_>,
    events: &mut Vec<Event>,
) -> Result<(), serde_json::Error> {
    let unknown = |field: &str, value: Option<Part<'_>>| -> Result<Event, serde_json::Error> {
        let value = value.map_or(Ok(Value::Null), Part::into_value)?;
        Ok(Event::Unknown { waba_id: waba_id.clone(), field: field.to_string(), value })
    };
    let value = change.value.map(|value| value.0);
    match (&*change.field, value) {
        ("messages", Some(Part::Members(members))) => {
            if !messages(waba_id, &members, events)? {
                events.push(unknown("messages", Some(Part::Members(members)))?);
            }
        }
        ("message_template_status_update", Some(value)) => {
            let value = value.into_value()?;
            match WebhookChangeValue::deserialize(&value) {
                Ok(update) => events.push(Event::TemplateStatus { waba_id: waba_id.clone(), update: Box::new(update) }),
                Err(_) => {
                    events.push(Event::Unknown { waba_id: waba_id.clone(), field: change.field.into_owned(), value })
                }
            }
        }
        (field, value) => events.push(unknown(field, value)?),
    }
    Ok(())
}

/// The events of a `messages` change: one per message and per status. `false` when it has
/// neither (the change is then unknown as a whole).
fn messages(
    waba_id: &Option<String>,
    members: &[(Cow<'_, str>, Part<'_>)],
    events: &mut Vec<Event>,
) -> Result<bool, serde_json::Error> {
    let member = |name: &str| members.iter().find(|(key, _)| key == name).map(|(_, part)| part);
    let items = |name: &str| match member(name) {
        Some(Part::Items(items)) => items.as_slice(),
        _ => &[],
    };
    let raw = |name: &str| match member(name) {
        Some(Part::Raw(raw)) => Some(*raw),
        _ => None,
    };
    let (messages, statuses) = (items("messages"), items("statuses"));
    if messages.is_empty() && statuses.is_empty() {
        return Ok(false);
    }
    let unknown = |raw: &RawValue| -> Result<Event, serde_json::Error> {
        Ok(Event::Unknown { waba_id: waba_id.clone(), field: "messages".to_string(), value: untyped(Some(raw))? })
    };
    let metadata: Option<WebhookMetadata> = typed(raw("metadata"));
    let contacts: Vec<WebhookContact> = typed(raw("contacts")).unwrap_or_default();
    for &raw in messages {
        match typed::<IncomingMessage>(Some(raw)) {
            Some(message) if message.type_.as_ref().is_some_and(|t| !t.is_unknown()) => events.push(Event::Message {
                waba_id: waba_id.clone(),
                metadata: metadata.clone(),
                contacts: contacts.clone(),
                message: Box::new(message),
            }),
            _ => events.push(unknown(raw)?),
        }
    }
    for &raw in statuses {
        match typed::<MessageStatus>(Some(raw)) {
            Some(status) => events.push(Event::Status {
                waba_id: waba_id.clone(),
                metadata: metadata.clone(),
                status: Box::new(status),
            }),
            None => events.push(unknown(raw)?),
        }
    }
    Ok(true)
}
