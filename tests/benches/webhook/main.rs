//! Verloop webhook throughput: verify + typed parse against HMAC-SHA256 plus an untyped
//! `serde_json::Value` parse of the same bytes (typed parsing should not be slower), and verify
//! alone against bare HMAC-SHA256 (a delivery cannot be accepted faster than its signature can
//! be computed).
//! Run by `cargo xtask bench`; prints `bench-result` lines (see `common`).

#[path = "../common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use sha2::Sha256;
use verloop_partner::SystemUserToken;
use verloop_partner::webhook::{Event, SIGNATURE_HEADER, Verifier, sign};

use common::{BoxError, Comparison, Record, compare, pick, spec};

const KEY: &str = "bench-system-user-token";
/// One unit of measured work.
type Work<'a> = dyn Fn() -> Result<(), BoxError> + 'a;

/// verify + parse should reach this share of bare HMAC throughput.
/// Verifying may cost at most a fifth more than bare HMAC-SHA256 over the same bytes.
const VERIFY_TARGET: f64 = 0.8;
/// Typed parsing should not be slower than an untyped parse of the same bytes.
const PARSE_TARGET: f64 = 1.0;

fn main() -> Result<(), BoxError> {
    let changes = example_changes()?;
    let key = SystemUserToken::new(KEY)?;
    let verifier = Verifier::new(key.clone());
    for (case, size) in [("4 KB delivery", 4 << 10), ("64 KB delivery", 64 << 10)] {
        if !common::selected(case) {
            continue;
        }
        let (body, events) = delivery(&changes, size)?;
        let mut headers = HeaderMap::new();
        headers.insert(SIGNATURE_HEADER, HeaderValue::from_str(&sign(&key, &body))?);
        let parsed = verifier.verify_and_parse(&headers, &body)?;
        if parsed.len() != events || parsed.iter().any(|event| matches!(event, Event::Unknown { .. })) {
            return Err(format!("{case}: expected {events} known events, parsed {parsed:?}").into());
        }
        let mode = format!("{} bytes, {events} events", body.len());
        let verify_and_parse = || verifier.verify_and_parse(&headers, &body).map(drop).map_err(BoxError::from);
        let verify_only = || verifier.verify_headers(&headers, &body).map_err(BoxError::from);
        let hmac_and_value = || {
            bare_hmac(&body)?;
            black_box(serde_json::from_slice::<Value>(black_box(&body))?);
            Ok(())
        };
        let bare = || bare_hmac(&body);
        let subjects: [(&str, &Work, &str, &Work, f64); 2] = [
            (
                "verify + parse",
                &verify_and_parse,
                "HMAC-SHA256 + serde_json::Value parse",
                &hmac_and_value,
                PARSE_TARGET,
            ),
            ("verify", &verify_only, "bare HMAC-SHA256", &bare, VERIFY_TARGET),
        ];
        for (subject, work, limit, limit_work, target) in subjects {
            let figures = compare(|n| timed(n, work), |n| timed(n, limit_work))?;
            // Rates are in deliveries per second; shown as MB/s of body.
            let megabytes = body.len() as f64 / 1e6;
            let figures = Comparison {
                subject_rate: figures.subject_rate * megabytes,
                limit_rate: figures.limit_rate * megabytes,
                ..figures
            };
            let record = Record { group: "webhook", case, mode: &mode, unit: "MB/s", subject, limit, target };
            record.print(&figures);
        }
    }
    Ok(())
}

fn timed(n: usize, work: &Work) -> Result<Duration, BoxError> {
    let started = Instant::now();
    for _ in 0..n {
        work()?;
    }
    Ok(started.elapsed())
}

fn bare_hmac(body: &[u8]) -> Result<(), BoxError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY.as_bytes())?;
    mac.update(black_box(body));
    black_box(mac.finalize());
    Ok(())
}

/// The spec's incoming-message and message-status webhook examples, one change each.
fn example_changes() -> Result<Vec<Value>, BoxError> {
    let document = spec("verloop-partner.yaml")?;
    ["incoming_text_message", "message_status_sent"]
        .into_iter()
        .map(|name| Ok(pick(&document, &format!("/x-webhook-examples/{name}/example/entry/0/changes/0"))?.clone()))
        .collect()
}

/// A delivery of at least `size` bytes: the example changes repeated in turn. Returns the body
/// and the number of events it holds (one per change).
fn delivery(changes: &[Value], size: usize) -> Result<(Vec<u8>, usize), BoxError> {
    let mut batch = Vec::new();
    loop {
        let body = serde_json::to_vec(&json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": "WHATSAPP_BUSINESS_ACCOUNT_ID", "changes": batch}],
        }))?;
        if body.len() >= size {
            return Ok((body, batch.len()));
        }
        batch.push(changes[batch.len() % changes.len()].clone());
    }
}
