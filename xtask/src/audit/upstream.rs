//! Reads an upstream document, whatever its format, into the [`model`](super::model): picks the
//! reader (a Postman collection, a structured transcription) by what the file holds. The model's
//! data types are re-exported here, so a caller of [`load`] names one module.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

pub use super::model::{Credential, Example, ExampleBody, Param, Segment, Upstream, UpstreamOperation};
use super::{postman, transcription};

/// Reads an upstream file: a Postman collection (JSON with `info.schema`) or a structured
/// transcription (YAML with `endpoints`).
pub fn load(file: &Path) -> Result<Upstream> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let document: Value = match serde_json::from_str(&text) {
        Ok(json) => json,
        Err(_) => serde_yaml::from_str(&text).with_context(|| format!("parsing {}", file.display()))?,
    };
    let is_postman =
        document.pointer("/info/schema").and_then(Value::as_str).is_some_and(|schema| schema.contains("postman"));
    if is_postman {
        Ok(postman::read(&document))
    } else if document.get("endpoints").is_some() {
        transcription::read(&document).with_context(|| format!("reading the transcription {}", file.display()))
    } else {
        anyhow::bail!("{} is neither a Postman collection nor a transcription with `endpoints`", file.display())
    }
}
