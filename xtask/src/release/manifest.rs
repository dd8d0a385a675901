//! Reading and changing versions in the manifests: a package's `version`, a provider's
//! `version` in `xtask/providers.toml`, and the requirements in the root `Cargo.toml`'s
//! `[workspace.dependencies]` (every crate of the workspace depends on another through them).
//!
//! Edits touch only the one value, line by line, so comments and layout stay as written; each
//! edited text is parsed again before it is written.

use std::path::Path;

use anyhow::{Context, Result, bail};

use super::version::Version;

pub fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn parse(path: &Path, text: &str) -> Result<toml::Table> {
    toml::from_str(text).with_context(|| format!("parsing {}", path.display()))
}

/// The package's name and its own `version` (not inherited from the workspace).
pub fn package(path: &Path) -> Result<(String, Version)> {
    let table = parse(path, &read(path)?)?;
    let package =
        table.get("package").and_then(|p| p.as_table()).with_context(|| format!("{}: no [package]", path.display()))?;
    let name =
        package.get("name").and_then(|n| n.as_str()).with_context(|| format!("{}: no package name", path.display()))?;
    let Some(version) = package.get("version").and_then(|v| v.as_str()) else {
        bail!("{}: a published crate states its own `version = \"x.y.z\"`", path.display());
    };
    let version = version.parse().with_context(|| format!("{}: package version", path.display()))?;
    Ok((name.to_string(), version))
}

/// The names of the packages `path` depends on (`[dependencies]`, not dev or build ones).
pub fn dependencies(path: &Path) -> Result<Vec<String>> {
    let table = parse(path, &read(path)?)?;
    Ok(table.get("dependencies").and_then(|d| d.as_table()).map(|d| d.keys().cloned().collect()).unwrap_or_default())
}

/// `[workspace.dependencies.<package>].version` of a root manifest's text.
pub fn workspace_requirement(text: &str, package: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let entry = table.get("workspace")?.get("dependencies")?.get(package)?;
    Some(entry.get("version")?.as_str()?.to_string())
}

/// `[workspace.package].repository` of the root manifest, if any.
pub fn repository(root: &Path) -> Option<String> {
    let table: toml::Table = toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml")).ok()?).ok()?;
    Some(table.get("workspace")?.get("package")?.get("repository")?.as_str()?.to_string())
}

/// Sets `version = "…"` in the `[package]` section of `path`.
pub fn set_package_version(path: &Path, version: Version) -> Result<()> {
    let text = read(path)?;
    let mut section = String::new();
    let mut done = false;
    let edited = edit_lines(&text, |line| {
        if line.starts_with('[') {
            section = line.trim().to_string();
        }
        if !done && section == "[package]" && line.trim_start().starts_with("version") && line.contains('=') {
            done = true;
            return Some(format!("version = \"{version}\""));
        }
        None
    });
    if !done {
        bail!("{}: no `version = \"…\"` line in [package]", path.display());
    }
    write_checked(path, &edited)
}

/// Sets the `version` of the provider `name` in `xtask/providers.toml` (one line per provider).
pub fn set_provider_version(root: &Path, name: &str, version: Version) -> Result<()> {
    let path = root.join("xtask/providers.toml");
    let text = read(&path)?;
    let mut done = false;
    let edited = edit_lines(&text, |line| {
        let key = line.split('=').next().unwrap_or_default().trim().trim_matches('"');
        if done || key != name || !line.contains('{') {
            return None;
        }
        done = true;
        Some(with_inline_version(line, version, "crate = \""))
    });
    if !done {
        bail!("{}: no line for `{name}`", path.display());
    }
    write_checked(&path, &edited)
}

/// Sets the requirement on `package` in the root `[workspace.dependencies]` to `version`.
/// `Ok(false)` when the root manifest has no such entry.
pub fn set_workspace_requirement(root: &Path, package: &str, version: Version) -> Result<bool> {
    let path = root.join("Cargo.toml");
    if !path.exists() {
        return Ok(false);
    }
    let text = read(&path)?;
    let mut section = String::new();
    let mut done = false;
    let edited = edit_lines(&text, |line| {
        if line.starts_with('[') {
            section = line.trim().to_string();
        }
        let key = line.split('=').next().unwrap_or_default().trim();
        if done || section != "[workspace.dependencies]" || key != package || !line.contains("path = ") {
            return None;
        }
        done = true;
        Some(with_inline_version(line, version, "path = \""))
    });
    if done {
        write_checked(&path, &edited)?;
    }
    Ok(done)
}

/// `line` (an inline table) with `version = "<version>"`, replacing the one it has or added
/// after the value that starts with `after`.
fn with_inline_version(line: &str, version: Version, after: &str) -> String {
    if let Some(start) = line.find("version = \"") {
        let value = start + "version = \"".len();
        let end = value + line[value..].find('"').unwrap_or(0);
        return format!("{}{version}{}", &line[..value], &line[end..]);
    }
    match line.find(after) {
        Some(start) => {
            let value = start + after.len();
            let end = value + line[value..].find('"').map_or(0, |i| i + 1);
            format!("{}, version = \"{version}\"{}", &line[..end], &line[end..])
        }
        None => line.replacen('{', &format!("{{ version = \"{version}\","), 1),
    }
}

fn edit_lines(text: &str, mut edit: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        let (content, newline) = match line.strip_suffix('\n') {
            Some(content) => (content, "\n"),
            None => (line, ""),
        };
        match edit(content) {
            Some(replacement) => {
                out.push_str(&replacement);
                out.push_str(newline);
            }
            None => out.push_str(line),
        }
    }
    out
}

fn write_checked(path: &Path, text: &str) -> Result<()> {
    parse(path, text).context("the edited manifest does not parse")?;
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_versions_are_replaced_or_added() {
        let v: Version = "0.2.0".parse().unwrap();
        assert_eq!(
            with_inline_version(r#"a = { path = "x", version = "0.1.0", default-features = false }"#, v, "path = \""),
            r#"a = { path = "x", version = "0.2.0", default-features = false }"#
        );
        assert_eq!(
            with_inline_version(r#"a = { path = "x" }"#, v, "path = \""),
            r#"a = { path = "x", version = "0.2.0" }"#
        );
        assert_eq!(
            with_inline_version(r#"demo = { spec = "d.yaml", crate = "demo-api" }"#, v, "crate = \""),
            r#"demo = { spec = "d.yaml", crate = "demo-api", version = "0.2.0" }"#
        );
    }
}
