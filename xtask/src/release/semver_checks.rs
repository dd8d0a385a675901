//! The Rust API changes of a handwritten crate since a release tag, from
//! [cargo-semver-checks](https://github.com/obi1kenobi/cargo-semver-checks) (it builds both
//! versions' rustdoc JSON and runs its lints over them). It is not a dependency of the xtask:
//! `cargo install --locked cargo-semver-checks` takes about 15 minutes, so CI does not install
//! it, and `changelog` says so when it is missing.
//!
//! Every lint is evaluated (`--release-type patch`), and the level each lint requires
//! (`cargo semver-checks --list`: major or minor) says whether the change is breaking. On 0.x a
//! "major" lint needs a minor bump, which is what [`Version::is_compatible_with`] calls breaking.
//!
//! [`Version::is_compatible_with`]: super::Version::is_compatible_with

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// One failed lint: the changelog list it goes to and the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustApiChange {
    pub section: &'static str,
    pub breaking: bool,
    pub text: String,
}

/// `None` when cargo-semver-checks is not installed.
pub fn rust_api_changes(root: &Path, package: &str, tag: &str) -> Result<Option<Vec<RustApiChange>>> {
    let Some(levels) = lint_levels()? else { return Ok(None) };
    let output = Command::new(cargo())
        .args(["semver-checks", "check-release", "--package", package, "--baseline-rev", tag])
        .args(["--release-type", "patch", "--color", "never"])
        .current_dir(root)
        .output()
        .context("running cargo semver-checks")?;
    let text = format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let changes = parse_failures(&text, &levels);
    if !output.status.success() && changes.is_empty() {
        bail!("cargo semver-checks check-release --package {package} --baseline-rev {tag} failed:\n{}", text.trim());
    }
    Ok(Some(changes))
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// Each lint's required update (`major`/`minor`), from `cargo semver-checks --list`; `None`
/// when the subcommand is not installed.
fn lint_levels() -> Result<Option<BTreeMap<String, String>>> {
    let output = match Command::new(cargo()).args(["semver-checks", "--list"]).output() {
        Ok(output) => output,
        Err(_) => return Ok(None),
    };
    if !output.status.success() {
        // cargo: "no such command: `semver-checks`".
        return Ok(None);
    }
    let mut levels = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let mut columns = line.split_whitespace();
        if let (Some(id), Some(level)) = (columns.next(), columns.next())
            && matches!(level, "major" | "minor")
        {
            levels.insert(id.to_string(), level.to_string());
        }
    }
    Ok(Some(levels))
}

/// The failed lints of a check-release report: `--- failure <id>: <title> ---`, then the items
/// under `Failed in:`, one entry per item.
fn parse_failures(text: &str, levels: &BTreeMap<String, String>) -> Vec<RustApiChange> {
    let mut changes = Vec::new();
    // One item can be reported once per path it is reachable by: one entry per source location.
    let mut seen = std::collections::BTreeSet::new();
    let mut current: Option<(String, String)> = None;
    let mut in_items = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix("--- failure ").and_then(|rest| rest.strip_suffix(" ---")) {
            let (id, title) = header.split_once(": ").unwrap_or((header, ""));
            current = Some((id.to_string(), title.to_string()));
            in_items = false;
            continue;
        }
        if trimmed.starts_with("--- ") {
            current = None;
            in_items = false;
            continue;
        }
        let Some((id, title)) = &current else { continue };
        if trimmed == "Failed in:" {
            in_items = true;
            continue;
        }
        if in_items && !trimmed.is_empty() && line.starts_with(' ') {
            // `function demo::foo, previously in file /…/src/lib.rs:3` or
            // `method demo::Client::config in /…/src/client.rs:51`: the item, without the file.
            let (item, location) = trimmed
                .split_once(", previously in file ")
                .or_else(|| trimmed.rsplit_once(" in /"))
                .unwrap_or((trimmed, ""));
            if !seen.insert((id.clone(), location.to_string())) && !location.is_empty() {
                continue;
            }
            let breaking = levels.get(id).is_none_or(|level| level == "major");
            let section = if id.contains("missing") || id.contains("removed") {
                "Removed"
            } else if id.contains("deprecated") {
                "Deprecated"
            } else {
                "Changed"
            };
            changes.push(RustApiChange { section, breaking, text: format!("{title}: {item} (`{id}`)") });
        } else if in_items && trimmed.is_empty() {
            in_items = false;
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_become_one_change_per_item() {
        let report = "\
     Checking demo v0.1.0 -> v0.1.0 (no change; assume patch)
     Checked [   0.010s] 150 checks: 148 pass, 2 fail, 0 warn, 0 skip

--- failure function_missing: pub fn removed or renamed ---

Description:
A publicly-visible function cannot be imported by its prior path.
        ref: https://doc.rust-lang.org/cargo/reference/semver.html#item-remove

Failed in:
  function demo::old_name, previously in file /tmp/x/src/lib.rs:3
  function demo::other, previously in file /tmp/x/src/lib.rs:9
  function demo::other, previously in file /tmp/x/src/lib.rs:9

--- failure function_marked_deprecated: function #[deprecated] added ---

Failed in:
  function demo::legacy in /tmp/x/src/lib.rs:12
  function demo::prelude::legacy in /tmp/x/src/lib.rs:12

     Summary semver requires new major version: 1 major and 1 minor checks failed
";
        let levels = BTreeMap::from([
            ("function_missing".to_string(), "major".to_string()),
            ("function_marked_deprecated".to_string(), "minor".to_string()),
        ]);
        let changes = parse_failures(report, &levels);
        let summary: Vec<(&str, bool, &str)> =
            changes.iter().map(|c| (c.section, c.breaking, c.text.as_str())).collect();
        assert_eq!(
            summary,
            [
                ("Removed", true, "pub fn removed or renamed: function demo::old_name (`function_missing`)"),
                ("Removed", true, "pub fn removed or renamed: function demo::other (`function_missing`)"),
                (
                    "Deprecated",
                    false,
                    "function #[deprecated] added: function demo::legacy (`function_marked_deprecated`)"
                ),
            ]
        );
    }
}
