//! What the command prints: the findings for a human, the unified diff of each changed spec,
//! and a one-line summary.

use similar::TextDiff;

use super::plan::{Outcome, SpecEdit};

/// The unified diff of one spec (`--- a/specs/x.yaml` / `+++ b/specs/x.yaml` when the spec is
/// inside the workspace, so `git apply` takes it from the root).
pub fn unified_diff(spec: &SpecEdit) -> String {
    let relative = !spec.display.starts_with('/');
    let (old, new) = if relative {
        (format!("a/{}", spec.display), format!("b/{}", spec.display))
    } else {
        (spec.display.clone(), spec.display.clone())
    };
    TextDiff::from_lines(&spec.before, &spec.after).unified_diff().context_radius(3).header(&old, &new).to_string()
}

/// Every changed spec's diff, in provider order.
pub fn diffs(outcome: &Outcome) -> String {
    outcome.specs.iter().map(unified_diff).collect()
}

/// The findings with no automatic edit; empty when there are none. Printed before the diffs,
/// where `git apply` and `patch` skip text.
pub fn for_human(outcome: &Outcome) -> String {
    if outcome.for_human.is_empty() {
        return String::new();
    }
    let mut out = String::from("Findings for a human (no automatic edit):\n");
    for finding in &outcome.for_human {
        out.push_str(&format!("  {finding}\n"));
    }
    out.push('\n');
    out
}

/// `drift: 9 events, 5 findings: 3 edits to specs/woztell.yaml, 1 already in the spec, 1 for a
/// human; 2 lines skipped`.
pub fn summary(outcome: &Outcome, written: bool) -> String {
    let specs: Vec<&str> = outcome.specs.iter().map(|s| s.display.as_str()).collect();
    let edits = match (outcome.edit_count(), written) {
        (0, _) => "no edits".to_string(),
        (n, false) => format!("{n} edit(s) proposed to {}", specs.join(", ")),
        (n, true) => format!("{n} edit(s) written to {}", specs.join(", ")),
    };
    format!(
        "drift: {} event(s), {} finding(s): {edits}, {} already in the spec, {} for a human; {} skipped\n",
        outcome.events,
        outcome.findings,
        outcome.documented,
        outcome.for_human.len(),
        outcome.skipped.len(),
    )
}
