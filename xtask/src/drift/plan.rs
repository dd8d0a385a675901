//! From log files to edited spec texts: read the findings, resolve each against its provider's
//! spec, merge, and apply the edits to the texts in memory (nothing is written here).

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::args::Options;
use super::edits::{Change, Edit, HumanFinding};
use super::input::{self, Skipped};
use super::merge::Collector;
use super::resolve::SpecView;
use super::{verify, yaml};
use crate::config;
use crate::spec::Operation;

/// One spec with the edits applied to its text.
#[derive(Debug, Clone)]
pub struct SpecEdit {
    pub provider: String,
    pub path: PathBuf,
    /// The path as reports show it: relative to the workspace root when it is inside it.
    pub display: String,
    pub before: String,
    pub after: String,
    pub edits: Vec<Edit>,
}

/// What the findings come to.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Drift events read (lines that parsed as drift findings).
    pub events: usize,
    /// Distinct findings after merging duplicates (skipped lines not included).
    pub findings: usize,
    /// Findings the spec already answers (nothing to do).
    pub documented: usize,
    /// Lines and findings left out, in file and line order: `FILE:LINE: reason`.
    pub skipped: Vec<Skipped>,
    /// Findings reported for a human, with no edit.
    pub for_human: Vec<HumanFinding>,
    /// The specs that change.
    pub specs: Vec<SpecEdit>,
}

impl Outcome {
    /// 1 when anything was skipped, 0 otherwise.
    pub fn exit_status(&self) -> u8 {
        u8::from(!self.skipped.is_empty())
    }

    pub fn edit_count(&self) -> usize {
        self.specs.iter().map(|s| s.edits.len()).sum()
    }
}

/// A provider's spec as read and checked.
struct Loaded {
    path: PathBuf,
    text: String,
    document: Value,
    operations: Vec<Operation>,
}

impl Loaded {
    fn load(path: PathBuf) -> Result<Loaded> {
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let document: Value =
            serde_yaml::from_str(&text).with_context(|| format!("{} is not valid YAML", path.display()))?;
        match crate::spec::check(&path, document) {
            Ok(spec) => Ok(Loaded { path, text, document: spec.document, operations: spec.operations }),
            Err(errors) => {
                let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
                bail!("{} fails the spec checks; fix it first:\n{}", path.display(), errors.join("\n"))
            }
        }
    }
}

/// Reads `options.files` and resolves them against the specs; writes nothing.
pub fn plan(root: &Path, options: &Options) -> Result<Outcome> {
    let providers = config::providers(root)?;
    let specs_dir = options.specs.clone().unwrap_or_else(|| root.join("specs"));
    let input = input::read(&options.files)?;
    let mut outcome = Outcome { events: input.events.len(), ..Outcome::default() };
    outcome.skipped = input.skipped;
    let mut loaded: BTreeMap<String, Loaded> = BTreeMap::new();
    let mut collector = Collector::default();
    for (origin, event) in input.events {
        let Some(provider) = providers.iter().find(|p| p.name == event.provider) else {
            let known: Vec<&str> = providers.iter().map(|p| p.name.as_str()).collect();
            let reason =
                format!("unknown provider `{}` (xtask/providers.toml has {})", event.provider, known.join(", "));
            outcome.skipped.push(Skipped { origin, reason });
            continue;
        };
        let spec = match loaded.entry(provider.name.clone()) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(Loaded::load(specs_dir.join(&provider.spec))?),
        };
        let view = SpecView { document: &spec.document, operations: &spec.operations };
        match view.resolve(&event) {
            Ok(proposal) => collector.add(origin, &event, proposal),
            Err(reason) => {
                let reason = format!("{} {}: {reason}", event.provider, event.operation);
                outcome.skipped.push(Skipped { origin, reason });
            }
        }
    }
    let merged = collector.finish();
    outcome.findings = merged.findings;
    outcome.documented = merged.documented;
    outcome.for_human = merged.for_human;
    for (provider, edits) in merged.edits {
        let spec = &loaded[&provider];
        let mut text = spec.text.clone();
        let mut applied = Vec::new();
        for edit in edits {
            match apply_checked(&spec.path, &text, &edit.change) {
                Ok(next) if next == text => {}
                Ok(next) => {
                    text = next;
                    applied.push(edit);
                }
                Err(reason) => {
                    for origin in &edit.origins {
                        let reason = format!("{provider}: cannot apply the {}: {reason}", edit.change);
                        outcome.skipped.push(Skipped { origin: origin.clone(), reason });
                    }
                }
            }
        }
        if !applied.is_empty() {
            let display = spec.path.strip_prefix(root).unwrap_or(&spec.path).display().to_string();
            outcome.specs.push(SpecEdit {
                provider,
                path: spec.path.clone(),
                display,
                before: spec.text.clone(),
                after: text,
                edits: applied,
            });
        }
    }
    outcome.skipped.sort();
    Ok(outcome)
}

/// One change applied to `text` and checked; a panic in the YAML library becomes an error.
fn apply_checked(path: &Path, text: &str, change: &Change) -> Result<String, String> {
    let edited = catch_unwind(AssertUnwindSafe(|| yaml::apply(text, change)))
        .unwrap_or_else(|_| Err("the YAML editor failed (panicked) on this spec".into()))?;
    verify::verify(path, &edited, change)?;
    Ok(edited)
}
