//! Reading the repository's history with git: what `diff` and `release` compare against.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Runs git in `root` and returns its standard output, or an error with its message.
pub fn run(root: &Path, args: &[&str]) -> Result<String> {
    let output = Command::new("git").args(args).current_dir(root).output().context("running git")?;
    if !output.status.success() {
        bail!("git {} failed: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim());
    }
    String::from_utf8(output.stdout).context("git printed text that is not UTF-8")
}

/// A file's text at `rev`, `None` when it does not exist there. `path` is relative to `root`.
pub fn file_at(root: &Path, rev: &str, path: &str) -> Result<Option<String>> {
    let object = format!("{rev}:./{path}");
    if run(root, &["cat-file", "-e", &object]).is_err() {
        return Ok(None);
    }
    run(root, &["show", &object]).map(Some)
}
