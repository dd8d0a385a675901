//! `--build-cost`: clean `cargo build` (dev profile) of each client crate in a temporary
//! target dir, and the size of each generated crate, so that a regression shows in review.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::config::Provider;

/// The dependencies every client shares (reqwest, progenitor-client, …), built once first.
pub const SHARED_CRATE: &str = "whatsapp-sdk-runtime";

pub struct BuildCost {
    /// Clean build of the shared runtime and its dependencies.
    pub shared: Duration,
    pub crates: Vec<CrateCost>,
}

/// One provider: its generated crate, then its client crate, each built on top of the
/// shared dependencies.
pub struct CrateCost {
    pub provider: String,
    pub generated_crate: String,
    pub generated: Duration,
    pub client: Option<Duration>,
}

impl CrateCost {
    /// A clean `cargo build -p <client>` from nothing: shared dependencies, generated crate, client.
    pub fn clean_total(&self, shared: Duration) -> Duration {
        shared + self.generated + self.client.unwrap_or_default()
    }
}

/// Lines of `generated/<crate>/src/generated.rs`.
pub fn generated_lines(root: &Path, provider: &Provider) -> Result<usize> {
    let path = provider.crate_dir(root).join("src/generated.rs");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text.lines().count())
}

pub fn measure(root: &Path, providers: &[Provider]) -> Result<BuildCost> {
    let target = TempTarget::new()?;
    let shared = cargo_build(root, &target.0, SHARED_CRATE)?;
    let mut crates = Vec::new();
    for provider in providers {
        let generated = cargo_build(root, &target.0, &provider.crate_name)?;
        // The client crate of a provider lives in clients/<provider> under the provider's name.
        let client = if root.join("clients").join(&provider.name).join("Cargo.toml").exists() {
            Some(cargo_build(root, &target.0, &provider.name)?)
        } else {
            None
        };
        crates.push(CrateCost {
            provider: provider.name.clone(),
            generated_crate: provider.crate_name.clone(),
            generated,
            client,
        });
    }
    Ok(BuildCost { shared, crates })
}

fn cargo_build(root: &Path, target: &Path, package: &str) -> Result<Duration> {
    eprintln!("build cost: cargo build -p {package}");
    let started = Instant::now();
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--quiet", "-p", package])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target)
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("cargo build -p {package} failed");
    }
    Ok(started.elapsed())
}

/// A target dir of its own, removed afterwards, so every build starts clean.
struct TempTarget(PathBuf);

impl TempTarget {
    fn new() -> Result<Self> {
        let path = std::env::temp_dir().join(format!("xtask-build-cost-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path)?;
        }
        std::fs::create_dir_all(&path)?;
        Ok(Self(path))
    }
}

impl Drop for TempTarget {
    fn drop(&mut self) {
        // Best effort: a leftover directory in the temp dir is harmless.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
