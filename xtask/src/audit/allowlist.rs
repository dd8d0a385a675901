//! `specs/audit-allowlist.yaml`: the reviewed, deliberate departures from upstream documents.
//!
//! ```yaml
//! - { provider: woztell, gap: "extra-query:list_products:after", reason: "one line: why" }
//! ```

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowEntry {
    pub provider: String,
    /// The exact gap id the audit prints.
    pub gap: String,
    pub reason: String,
}

/// Reads an allowlist; a missing file is an empty list. Each entry needs a one-line reason.
pub fn load(file: &Path) -> Result<Vec<AllowEntry>> {
    if !file.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let entries: Option<Vec<AllowEntry>> =
        serde_yaml::from_str(&text).with_context(|| format!("parsing {}", file.display()))?;
    let entries = entries.unwrap_or_default();
    for entry in &entries {
        if entry.reason.trim().is_empty() || entry.reason.contains('\n') {
            bail!("{}: `{}` ({}) needs a one-line reason", file.display(), entry.gap, entry.provider);
        }
    }
    Ok(entries)
}
