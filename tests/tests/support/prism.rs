//! Judging calls made against a Prism mock of a spec (`prism mock --errors`), which
//! `tests/contract/run.sh` starts and names in `PRISM_URL_<PROVIDER>`. Prism validates each
//! request against the spec and answers an invalid one with an error whose `sl-violations` header
//! lists why, so a request the client sends that the spec does not allow is caught by a tool this
//! project did not write.

use serde::Serialize;
use serde_json::Value;

/// The Prism base URL in `variable`, or `None` (with a notice) when it is unset: without Prism
/// the check cannot run, and `cargo test --workspace` stays offline.
pub fn url(variable: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            println!("skipped: {variable} is unset (tests/contract/run.sh starts Prism and sets it)");
            None
        }
    }
}

/// Counts the calls Prism accepted and keeps why the others were rejected.
pub struct Tally {
    what: &'static str,
    accepted: usize,
    rejected: Vec<String>,
    notes: Vec<String>,
    body_credential: usize,
}

impl Tally {
    pub fn new(what: &'static str) -> Self {
        Self { what, accepted: 0, rejected: Vec::new(), notes: Vec::new(), body_credential: 0 }
    }

    /// Records the outcome of one call.
    pub fn record<T, E: std::fmt::Debug + Serialize>(
        &mut self,
        label: &str,
        result: &Result<T, whatsapp_sdk_runtime::Error<E>>,
    ) {
        self.judge(label, result, false);
    }

    /// Records a call whose credential travels in the JSON body, which an OpenAPI 3.0 security
    /// scheme cannot declare: Prism's "no credential" verdict is set aside, every other
    /// violation still counts.
    pub fn record_body_credential<T, E: std::fmt::Debug + Serialize>(
        &mut self,
        label: &str,
        result: &Result<T, whatsapp_sdk_runtime::Error<E>>,
    ) {
        self.judge(label, result, true);
        self.body_credential += 1;
    }

    fn judge<T, E: std::fmt::Debug + Serialize>(
        &mut self,
        label: &str,
        result: &Result<T, whatsapp_sdk_runtime::Error<E>>,
        credential_in_body: bool,
    ) {
        let Err(error) = result else {
            self.accepted += 1;
            return;
        };
        let mut violations = error
            .headers()
            .and_then(|headers| headers.get("sl-violations"))
            .and_then(|value| serde_json::from_slice::<Vec<Value>>(value.as_bytes()).ok())
            .unwrap_or_default();
        if credential_in_body {
            violations.retain(|v| !(v["location"] == serde_json::json!(["request"]) && v["code"] == 401));
            if violations.is_empty() {
                self.accepted += 1;
                return;
            }
        }
        let (on_request, on_response): (Vec<&Value>, Vec<&Value>) =
            violations.iter().partition(|v| v["location"][0] == "request");
        if on_request.is_empty() && !on_response.is_empty() {
            // Prism found the request valid but the spec's own example answer invalid.
            self.accepted += 1;
            self.notes
                .push(format!("{label}: the spec's example answer breaks its schema: {}", describe(&on_response)));
        } else if on_request.is_empty() {
            self.rejected.push(format!("{label}: no violations listed: {error}"));
        } else {
            self.rejected.push(format!("{label}: {}", describe(&on_request)));
        }
    }

    /// Prints the count and fails if Prism rejected any call or fewer than `expected` were made.
    pub fn finish(self, expected: usize) {
        let total = self.accepted + self.rejected.len();
        for note in &self.notes {
            println!("note: {note}");
        }
        if self.body_credential > 0 {
            println!("note: {} requests carry the credential in the body; checked except for it", self.body_credential);
        }
        println!("{}: {}/{total} requests accepted by Prism", self.what, self.accepted);
        assert!(
            self.rejected.is_empty(),
            "Prism rejected {} requests:\n{}",
            self.rejected.len(),
            self.rejected.join("\n")
        );
        assert_eq!(total, expected, "requests sent to Prism");
    }
}

fn describe(violations: &[&Value]) -> String {
    let parts: Vec<String> = violations
        .iter()
        .map(|v| {
            let location: Vec<String> = v["location"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|part| part.as_str().map_or_else(|| part.to_string(), str::to_string))
                .collect();
            format!("{} {}", location.join("."), v["message"].as_str().unwrap_or_default())
        })
        .collect();
    parts.join("; ")
}
