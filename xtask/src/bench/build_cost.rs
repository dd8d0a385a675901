//! `--build-cost`: a clean `cargo build -p <client>` (dev profile) of each client crate, each in
//! an empty temporary target dir, once with the default features (rustls with ring, HTTP/1.1)
//! and once with the former default (rustls with aws-lc-rs, whose C library dominated the build,
//! and HTTP/2), with
//! `--timings` for the crates that cost most; and the size of each generated crate, so that a
//! regression shows in review.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::config::Provider;

/// A clean default build should take at most this share of one with the former default.
pub const RATIO_TARGET: f64 = 0.6;
/// How many of the costliest crates each build reports.
pub const TOP_CRATES: usize = 5;

/// The two feature sets compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Features {
    /// The client crate's default features: rustls with the ring provider, HTTP/1.1.
    Default,
    /// The default before: rustls with the aws-lc-rs provider (reqwest's own default) and HTTP/2.
    AwsLc,
}

impl Features {
    pub const BOTH: [Features; 2] = [Features::Default, Features::AwsLc];

    /// The `cargo build` arguments selecting these features.
    pub fn args(self) -> &'static [&'static str] {
        match self {
            Features::Default => &[],
            Features::AwsLc => &["--no-default-features", "--features", "rustls-aws-lc,http2"],
        }
    }
}

pub struct BuildCost {
    pub clients: Vec<ClientCost>,
}

/// One provider's client crate, built clean with each feature set.
pub struct ClientCost {
    pub provider: String,
    pub generated_crate: String,
    pub default: CleanBuild,
    pub aws_lc: CleanBuild,
}

impl ClientCost {
    /// The default build's wall time over the former default's.
    pub fn ratio(&self) -> f64 {
        self.default.wall.as_secs_f64() / self.aws_lc.wall.as_secs_f64()
    }
}

/// One clean `cargo build -p <client> --timings`.
pub struct CleanBuild {
    pub wall: Duration,
    /// `/proc/loadavg`'s 1-minute figure when the build started: other work skews its time.
    pub load: Option<String>,
    /// Compile time per crate and version (the sum of its units: build script, its run, library),
    /// costliest first.
    pub crates: Vec<CrateTime>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CrateTime {
    pub name: String,
    pub version: String,
    pub seconds: f64,
    /// Of which running its build script.
    pub build_script_run: f64,
}

impl CleanBuild {
    /// The compile time of `package` in this build, all its versions (0 when it is not part of it).
    pub fn crate_seconds(&self, package: &str) -> f64 {
        let wanted = package.replace('-', "_");
        self.crates.iter().filter(|c| c.name.replace('-', "_") == wanted).map(|c| c.seconds).sum()
    }

    /// How to name `time` in a list of this build's crates: with its version when the build has
    /// another version of the same crate (`syn 2.0.119`, `syn 3.0.10`).
    pub fn display_name(&self, time: &CrateTime) -> String {
        if self.crates.iter().filter(|c| c.name == time.name).count() > 1 {
            format!("{} {}", time.name, time.version)
        } else {
            time.name.clone()
        }
    }
}

/// Lines of `generated/<crate>/src/generated.rs`.
pub fn generated_lines(root: &Path, provider: &Provider) -> Result<usize> {
    let path = provider.crate_dir(root).join("src/generated.rs");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text.lines().count())
}

/// Every provider with a client crate (`clients/<provider>`), built clean with both feature
/// sets. Which set goes first alternates between providers, so that a machine growing busier
/// or quieter during the run does not favour one side.
pub fn measure(root: &Path, providers: &[Provider]) -> Result<BuildCost> {
    let mut clients = Vec::new();
    for provider in providers {
        if !root.join("clients").join(&provider.name).join("Cargo.toml").exists() {
            continue;
        }
        let mut order = Features::BOTH;
        if clients.len() % 2 == 1 {
            order.reverse();
        }
        let mut built = Vec::new();
        for features in order {
            built.push((features, clean_build(root, &provider.name, features)?));
        }
        let mut take = |wanted: Features| {
            let index = built.iter().position(|(features, _)| *features == wanted).expect("built with both");
            built.swap_remove(index).1
        };
        let default = take(Features::Default);
        let aws_lc = take(Features::AwsLc);
        clients.push(ClientCost {
            provider: provider.name.clone(),
            generated_crate: provider.crate_name.clone(),
            default,
            aws_lc,
        });
    }
    Ok(BuildCost { clients })
}

fn clean_build(root: &Path, package: &str, features: Features) -> Result<CleanBuild> {
    let target = TempTarget::new()?;
    let mut args = vec!["build", "--quiet", "--timings", "-p", package];
    args.extend(features.args());
    eprintln!("build cost: cargo {} (empty target dir)", args.join(" "));
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_string));
    let started = Instant::now();
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(&args)
        .current_dir(root)
        .env("CARGO_TARGET_DIR", &target.0)
        .status()
        .context("running cargo build")?;
    let wall = started.elapsed();
    if !status.success() {
        bail!("cargo {} failed", args.join(" "));
    }
    let report = target.0.join("cargo-timings/cargo-timing.html");
    let html = std::fs::read_to_string(&report).with_context(|| format!("reading {}", report.display()))?;
    let crates = crate_times(&html).with_context(|| format!("reading the unit times of {}", report.display()))?;
    Ok(CleanBuild { wall, load, crates })
}

/// One compilation unit of `cargo build --timings`.
#[derive(Deserialize)]
struct Unit {
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    mode: String,
    duration: f64,
}

/// The per-crate compile times in a `cargo build --timings` HTML report: the JSON array after
/// `const UNIT_DATA = `, one entry per unit, summed by crate and version, costliest first.
pub fn crate_times(html: &str) -> Result<Vec<CrateTime>> {
    const MARKER: &str = "const UNIT_DATA = ";
    let start = html.find(MARKER).context("no `const UNIT_DATA = ` in the report")? + MARKER.len();
    let units = serde_json::Deserializer::from_str(&html[start..])
        .into_iter::<Vec<Unit>>()
        .next()
        .context("no unit list after `const UNIT_DATA = `")??;
    let mut crates: Vec<CrateTime> = Vec::new();
    for unit in units {
        let index = match crates.iter().position(|c| c.name == unit.name && c.version == unit.version) {
            Some(index) => index,
            None => {
                crates.push(CrateTime {
                    name: unit.name.clone(),
                    version: unit.version.clone(),
                    seconds: 0.0,
                    build_script_run: 0.0,
                });
                crates.len() - 1
            }
        };
        crates[index].seconds += unit.duration;
        if unit.mode == "run-custom-build" {
            crates[index].build_script_run += unit.duration;
        }
    }
    crates.sort_by(|a, b| b.seconds.total_cmp(&a.seconds).then_with(|| a.name.cmp(&b.name)));
    Ok(crates)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_the_units_of_each_crate_costliest_first() {
        let html = r#"<script>
const UNIT_DATA = [
  {"i": 0, "name": "aws-lc-sys", "version": "0.1.0", "mode": "todo", "target": " build-script",
   "start": 0.0, "duration": 1.5, "unblocked_units": [1], "sections": null},
  {"i": 1, "name": "aws-lc-sys", "version": "0.1.0", "mode": "run-custom-build",
   "target": " build-script (run)", "start": 1.5, "duration": 29.0, "sections": null},
  {"i": 2, "name": "aws-lc-sys", "version": "0.1.0", "mode": "todo", "target": "", "start": 30.5,
   "duration": 0.5, "sections": [["frontend", {"start": 0.0, "end": 0.5}]]},
  {"i": 3, "name": "wapio", "version": "0.1.0", "mode": "todo", "target": "", "start": 31.0, "duration": 2.25},
  {"i": 4, "name": "syn", "version": "2.0.119", "mode": "todo", "target": "", "start": 0.0, "duration": 1.5},
  {"i": 5, "name": "syn", "version": "3.0.10", "mode": "todo", "target": "", "start": 0.0, "duration": 1.25}
];
const CONCURRENCY_DATA = [];
</script>"#;
        let crates = crate_times(html).unwrap();
        let time = |name: &str, version: &str, seconds, build_script_run| CrateTime {
            name: name.into(),
            version: version.into(),
            seconds,
            build_script_run,
        };
        assert_eq!(
            crates,
            vec![
                time("aws-lc-sys", "0.1.0", 31.0, 29.0),
                time("wapio", "0.1.0", 2.25, 0.0),
                time("syn", "2.0.119", 1.5, 0.0),
                time("syn", "3.0.10", 1.25, 0.0),
            ]
        );
        let build = CleanBuild { wall: Duration::from_secs(40), load: None, crates };
        assert_eq!(build.crate_seconds("aws_lc_sys"), 31.0);
        assert_eq!(build.crate_seconds("syn"), 2.75);
        assert_eq!(build.crate_seconds("woztell"), 0.0);
        assert_eq!(build.display_name(&build.crates[0]), "aws-lc-sys");
        assert_eq!(build.display_name(&build.crates[2]), "syn 2.0.119");
    }

    #[test]
    fn a_report_without_units_is_an_error() {
        assert!(crate_times("<html></html>").is_err());
        assert!(crate_times("const UNIT_DATA = {").is_err());
    }
}
