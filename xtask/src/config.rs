//! The provider list: `xtask/providers.toml`, one line per provider.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
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

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
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
