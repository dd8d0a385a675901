//! The provider list: `xtask/providers.toml`, one line per provider.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// One provider: the spec it is generated from and the crate it becomes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// File name under `specs/`.
    pub spec: String,
    /// Package name of the generated crate, written to `generated/<crate>`.
    #[serde(rename = "crate")]
    pub crate_name: String,
    /// The upstream document under `specs/` that `cargo xtask audit` compares the spec with.
    #[serde(default)]
    pub upstream: Option<String>,
    /// The version the generated crates are published as: the version of the client crate
    /// `clients/<provider>`, which is released with them (`cargo xtask release`). Optional in
    /// the file so that older revisions parse; `regen` needs it.
    #[serde(default)]
    pub version: Option<String>,
    #[serde(skip)]
    pub name: String,
}

impl Provider {
    pub fn spec_path(&self, root: &Path) -> PathBuf {
        root.join("specs").join(&self.spec)
    }

    pub fn crate_dir(&self, root: &Path) -> PathBuf {
        root.join("generated").join(&self.crate_name)
    }

    /// Package name of the typed httpmock crate: `<crate>-httpmock`.
    pub fn mock_crate_name(&self) -> String {
        format!("{}-httpmock", self.crate_name)
    }

    pub fn mock_crate_dir(&self, root: &Path) -> PathBuf {
        root.join("generated").join(self.mock_crate_name())
    }

    /// The `version` field, or [`INITIAL_VERSION`] for a provider whose line names none.
    pub fn version(&self) -> &str {
        self.version.as_deref().unwrap_or(INITIAL_VERSION)
    }

    /// The client crate users depend on, `clients/<provider>` (package `<provider>`).
    pub fn client_dir(&self, root: &Path) -> PathBuf {
        root.join("clients").join(&self.name)
    }

    /// The packages released together with the client crate, at its version: the generated
    /// crate and its typed httpmock crate.
    pub fn generated_packages(&self) -> [String; 2] {
        [self.crate_name.clone(), self.mock_crate_name()]
    }
}

/// The version of a provider whose line in `providers.toml` names none.
pub const INITIAL_VERSION: &str = "0.1.0";

/// What marks the root of a checkout of this repository.
const ROOT_MARKER: &str = "xtask/providers.toml";

/// The root of the checkout this command acts on, found at run time: from the
/// `CARGO_MANIFEST_DIR` that `cargo run` (and `cargo test`) sets for the process, else from the
/// current directory, the nearest ancestor holding `xtask/providers.toml`.
///
/// Never from `env!("CARGO_MANIFEST_DIR")`: with a target directory shared by two checkouts,
/// Cargo reuses the binary built in one for the other, and a path fixed at compile time would
/// make `regen` read and write the wrong checkout.
pub fn workspace_root() -> Result<PathBuf> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let current_dir = std::env::current_dir().ok();
    find_root(manifest_dir.as_deref(), current_dir.as_deref())
}

/// The first checkout root above `manifest_dir`, then above `current_dir`.
pub fn find_root(manifest_dir: Option<&Path>, current_dir: Option<&Path>) -> Result<PathBuf> {
    let starts = [manifest_dir, current_dir];
    let root = starts.iter().flatten().find_map(|start| {
        start.ancestors().find(|dir| dir.join(ROOT_MARKER).is_file() && dir.join("Cargo.toml").is_file())
    });
    if let Some(root) = root {
        return Ok(root.to_path_buf());
    }
    let looked: Vec<String> = starts.iter().flatten().map(|dir| dir.display().to_string()).collect();
    bail!(
        "not inside a checkout of this repository: no directory holding `{ROOT_MARKER}` and `Cargo.toml` at or \
         above {}; run `cargo xtask` from the checkout",
        if looked.is_empty() { "the current directory (unknown)".to_string() } else { looked.join(" or ") }
    )
}

/// Reads `xtask/providers.toml`, in file order of names (sorted, so output is stable).
pub fn providers(root: &Path) -> Result<Vec<Provider>> {
    let path = root.join("xtask/providers.toml");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    parse_providers(&text).with_context(|| format!("parsing {}", path.display()))
}

/// Parses the text of a `providers.toml` (the current one, or one from git history).
pub fn parse_providers(text: &str) -> Result<Vec<Provider>> {
    let table: BTreeMap<String, Provider> = toml::from_str(text)?;
    Ok(table.into_iter().map(|(name, provider)| Provider { name, ..provider }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_found_at_run_time_from_the_manifest_dir_then_the_current_dir() {
        let checkout = tempfile::tempdir().unwrap();
        let root = checkout.path();
        std::fs::create_dir_all(root.join("xtask/src")).unwrap();
        std::fs::write(root.join("xtask/providers.toml"), "").unwrap();
        std::fs::write(root.join("Cargo.toml"), "[workspace]").unwrap();
        let outside = tempfile::tempdir().unwrap();

        assert_eq!(find_root(Some(&root.join("xtask")), Some(outside.path())).unwrap(), root);
        assert_eq!(find_root(None, Some(&root.join("xtask/src"))).unwrap(), root);
        assert_eq!(find_root(Some(outside.path()), Some(root)).unwrap(), root);

        let error = find_root(Some(outside.path()), None).unwrap_err().to_string();
        assert!(error.contains("xtask/providers.toml") && error.contains(&outside.path().display().to_string()));
    }
}
