//! `cargo xtask changelog` and `cargo xtask release`: release notes and versions of the
//! published crates.
//!
//! A *release unit* is a crate under `clients/`: the runtime (`whatsapp-sdk-runtime`) and each
//! client crate, which is released together with its provider's generated crates
//! (`<provider>-api`, `<provider>-api-httpmock`) at one version. Its releases are the git tags
//! `<package>-v<version>` (`wapio-v0.2.0`), and its notes are `clients/<dir>/CHANGELOG.md`.
//!
//! * `changelog` writes the Unreleased section of each changelog from what changed since the
//!   unit's last release tag: the spec (`cargo xtask diff`), the Rust API of the handwritten
//!   crate (`cargo semver-checks`, when installed), and the requirements on the workspace's other
//!   crates. Entries written by hand are kept. Before the first release tag there is nothing to
//!   compare with: the spec is listed as added, as a whole.
//! * `release --check` fails when the changes since the last release tag are breaking and the
//!   version is still compatible with the released one (0.x: a breaking change needs a minor
//!   bump), or when the versions of a unit disagree. Without a release tag nothing has been
//!   released, and every version passes.
//! * `release <crate> <version>` sets the version (with the generated crates and every
//!   requirement on them), moves the Unreleased notes under the version with today's date, and
//!   prints the tag to create.

mod changelog;
mod manifest;
mod semver_checks;
mod version;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

pub use changelog::{BREAKING, Changelog, Entry, Origin, SECTIONS};
pub use version::Version;

use crate::config::{self, Provider};
use crate::diff::{self, Change, ChangeKind, Severity};

/// A crate under `clients/` and the generated crates released with it.
#[derive(Debug, Clone)]
pub struct Unit {
    /// The package name (`wapio`, `whatsapp-sdk-runtime`).
    pub package: String,
    /// Its directory (absolute).
    pub dir: PathBuf,
    /// The version its manifest states.
    pub version: Version,
    /// The provider whose generated crates are released with it (same name as the package).
    pub provider: Option<Provider>,
}

impl Unit {
    /// Every package of the unit, in publishing order (the generated crates first).
    pub fn packages(&self) -> Vec<String> {
        let mut packages: Vec<String> =
            self.provider.iter().flat_map(|provider| provider.generated_packages()).collect();
        packages.push(self.package.clone());
        packages
    }

    pub fn tag_prefix(&self) -> String {
        format!("{}-v", self.package)
    }

    /// The git tag of a release: `<package>-v<version>`.
    pub fn tag(&self, version: Version) -> String {
        format!("{}{version}", self.tag_prefix())
    }

    pub fn changelog_path(&self) -> PathBuf {
        self.dir.join("CHANGELOG.md")
    }

    /// The manifests of the unit's packages that exist (the client's first).
    fn manifests(&self, root: &Path) -> Vec<PathBuf> {
        let mut manifests = vec![self.dir.join("Cargo.toml")];
        if let Some(provider) = &self.provider {
            manifests.push(provider.crate_dir(root).join("Cargo.toml"));
            manifests.push(provider.mock_crate_dir(root).join("Cargo.toml"));
        }
        manifests.retain(|path| path.exists());
        manifests
    }
}

/// The release units of the workspace at `root`: one per `clients/*/Cargo.toml`, by directory.
pub fn units(root: &Path) -> Result<Vec<Unit>> {
    let providers = config::providers(root)?;
    let clients = root.join("clients");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&clients)
        .with_context(|| format!("reading {}", clients.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|dir| dir.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| {
            let (package, version) = manifest::package(&dir.join("Cargo.toml"))?;
            let provider = providers.iter().find(|provider| provider.name == package).cloned();
            Ok(Unit { package, dir, version, provider })
        })
        .collect()
}

/// The unit released as `name`; a generated crate's name is refused, naming its unit.
pub fn unit(root: &Path, name: &str) -> Result<Unit> {
    let units = units(root)?;
    if let Some(unit) = units.iter().find(|unit| unit.package == name) {
        return Ok(unit.clone());
    }
    if let Some(owner) = units.iter().find(|unit| unit.packages().iter().any(|package| package == name)) {
        bail!("`{name}` is released with `{}`, at its version: name `{}`", owner.package, owner.package);
    }
    let names: Vec<&str> = units.iter().map(|unit| unit.package.as_str()).collect();
    bail!("no crate `{name}` under clients/ (the released crates are {})", names.join(", "))
}

/// The newest release tag of `unit` reachable from `HEAD`, with its version.
pub fn last_release(root: &Path, unit: &Unit) -> Result<Option<(Version, String)>> {
    let pattern = format!("{}*", unit.tag_prefix());
    let tags = crate::git::run(root, &["tag", "--list", &pattern, "--merged", "HEAD"])?;
    let newest = tags
        .lines()
        .filter_map(|tag| Some((tag.strip_prefix(&unit.tag_prefix())?.parse::<Version>().ok()?, tag.to_string())))
        .max();
    Ok(newest)
}

// ------------------------------------------------------------------ changelog

/// What `changelog` may run besides git.
#[derive(Debug, Clone, Copy)]
pub struct ChangelogOptions {
    /// Run `cargo semver-checks` (when installed) for the Rust API of the handwritten crates.
    pub semver_checks: bool,
}

/// What a `changelog` run did (or, with `check`, would do). Paths are relative to the root.
#[derive(Debug, Default)]
pub struct ChangelogReport {
    pub written: Vec<String>,
    pub stale: Vec<String>,
    /// What could not be checked, and why (shown to the user).
    pub notes: Vec<String>,
}

/// Writes the Unreleased section of each named unit's changelog (all when `names` is empty).
/// With `check`, writes nothing and lists the changelogs that differ from what it would write.
pub fn changelog(root: &Path, names: &[String], check: bool, options: ChangelogOptions) -> Result<ChangelogReport> {
    let mut selected = Vec::new();
    for name in names {
        selected.push(unit(root, name)?);
    }
    if names.is_empty() {
        selected = units(root)?;
    }
    let mut report = ChangelogReport::default();
    for unit in &selected {
        let path = unit.changelog_path();
        let shown = relative(root, &path);
        let existing = path.exists().then(|| manifest::read(&path)).transpose()?;
        let mut document = match &existing {
            Some(text) => Changelog::parse(text).with_context(|| shown.clone())?,
            None => Changelog::new(&unit.package, &unit.packages()[..unit.packages().len() - 1]),
        };
        let baseline = last_release(root, unit)?;
        let generated = generate(root, unit, baseline.as_ref(), options, &mut report.notes)?;
        // Entries already listed under a version that is not tagged yet (a release being
        // prepared) are not repeated under Unreleased.
        let listed: BTreeSet<String> = document
            .releases
            .iter()
            .filter(|release| baseline.as_ref().is_none_or(|(released, _)| release.version > *released))
            .flat_map(|release| release.entries())
            .map(|entry| entry.text)
            .collect();
        for section in &mut document.unreleased.sections {
            section.entries.retain(|entry| entry.origin().is_none_or(|origin| !generated.replaces.contains(&origin)));
        }
        for (section, entry) in generated.entries {
            if !listed.contains(&entry.text) {
                document.unreleased.push(section, entry);
            }
        }
        normalise(&mut document);
        let text =
            document.render(&changelog::links(&document, manifest::repository(root).as_deref(), &unit.tag_prefix()));
        if existing.as_deref() == Some(text.as_str()) {
            continue;
        }
        if check {
            report.stale.push(shown);
        } else {
            std::fs::write(&path, text).with_context(|| format!("writing {shown}"))?;
            report.written.push(shown);
        }
    }
    Ok(report)
}

/// Entries within a list: hand-written ones first, as written, then the generated ones,
/// breaking first, by origin, in the order they were generated. The same notes give the same
/// file whichever origins were regenerated.
fn normalise(document: &mut Changelog) {
    for section in &mut document.unreleased.sections {
        section.entries.sort_by_key(|entry| entry.origin().map(|origin| (!entry.is_breaking(), origin)));
    }
    document.unreleased.sections.retain(|section| !section.entries.is_empty());
}

/// The generated entries of a unit, with the list each goes to.
struct Generated {
    entries: Vec<(&'static str, Entry)>,
    /// The origins whose old entries these replace (a Rust API check that did not run keeps
    /// the entries found in the file).
    replaces: Vec<Origin>,
}

fn generate(
    root: &Path,
    unit: &Unit,
    baseline: Option<&(Version, String)>,
    options: ChangelogOptions,
    notes: &mut Vec<String>,
) -> Result<Generated> {
    let mut generated = Generated { entries: Vec::new(), replaces: vec![Origin::Spec, Origin::Dependency] };
    if let Some(provider) = &unit.provider {
        for change in spec_changes(root, provider, baseline.map(|(_, tag)| tag.as_str()))? {
            let breaking = change.severity == Severity::Breaking;
            generated
                .entries
                .push((section_of(change.kind), Entry::generated(Origin::Spec, breaking, &change.to_string())));
        }
    }
    let Some((_, tag)) = baseline else {
        let spec = if unit.provider.is_some() { "the spec is listed as a whole and " } else { "" };
        notes.push(format!(
            "{}: no release tag `{}*` yet: nothing is released, so {spec}there is no Rust API to compare with",
            unit.package,
            unit.tag_prefix()
        ));
        generated.replaces.push(Origin::RustApi);
        return Ok(generated);
    };
    for (breaking, text) in dependency_changes(root, unit, tag)? {
        generated.entries.push(("Changed", Entry::generated(Origin::Dependency, breaking, &text)));
    }
    if !options.semver_checks {
        return Ok(generated);
    }
    match semver_checks::rust_api_changes(root, &unit.package, tag)? {
        Some(changes) => {
            generated.replaces.push(Origin::RustApi);
            for change in changes {
                generated
                    .entries
                    .push((change.section, Entry::generated(Origin::RustApi, change.breaking, &change.text)));
            }
        }
        None => notes.push(format!(
            "{}: cargo-semver-checks is not installed, so the Rust API changes since {tag} are not checked \
             (the `(Rust API)` entries in the changelog are kept as they are); install it with \
             `cargo install --locked cargo-semver-checks`",
            unit.package
        )),
    }
    Ok(generated)
}

/// The spec's changes since the tag; before a first release, the spec as a whole.
fn spec_changes(root: &Path, provider: &Provider, tag: Option<&str>) -> Result<Vec<Change>> {
    let Some(tag) = tag else {
        let path = provider.spec_path(root);
        let text = manifest::read(&path)?;
        let operations = diff::diff_specs("openapi: 3.0.3\npaths: {}\n", &text)
            .with_context(|| format!("reading {}", path.display()))?
            .changes
            .iter()
            .filter(|change| change.kind == ChangeKind::OperationAdded)
            .count();
        return Ok(vec![Change {
            severity: Severity::NonBreaking,
            kind: ChangeKind::SpecAdded,
            target: format!("specs/{}", provider.spec),
            detail: format!("{operations} operations"),
            operations: Vec::new(),
        }]);
    };
    let report = diff::diff_workspace(root, Some(tag))?;
    Ok(report
        .specs
        .into_iter()
        .filter(|spec| spec.provider == provider.name)
        .flat_map(|spec| spec.report.changes)
        .collect())
}

/// The Keep a Changelog list of a spec change.
fn section_of(kind: ChangeKind) -> &'static str {
    use ChangeKind::*;
    match kind {
        SpecAdded | OperationAdded | ParameterAdded | RequestBodyAdded | ResponseAdded | ResponseBodyAdded
        | FieldAdded | EnumValueAdded | VariantAdded | SecurityAdded | SecuritySchemeAdded | SchemaAdded => "Added",
        SpecRemoved
        | OperationRemoved
        | ParameterRemoved
        | RequestBodyRemoved
        | ResponseRemoved
        | ResponseBodyRemoved
        | FieldRemoved
        | EnumValueRemoved
        | VariantRemoved
        | SecurityRemoved
        | SecuritySchemeRemoved
        | SchemaRemoved => "Removed",
        _ => "Changed",
    }
}

/// Requirements of the unit's packages on the workspace's other released crates that changed
/// since the tag (root `[workspace.dependencies]`). An incompatible one is breaking: the
/// clients re-export the runtime's types.
fn dependency_changes(root: &Path, unit: &Unit, tag: &str) -> Result<Vec<(bool, String)>> {
    let Some(old_root) = crate::git::file_at(root, tag, "Cargo.toml")? else { return Ok(Vec::new()) };
    let new_root = manifest::read(&root.join("Cargo.toml"))?;
    let own = unit.packages();
    let released: BTreeSet<String> = units(root)?.iter().flat_map(Unit::packages).collect();
    let mut used = BTreeSet::new();
    for path in unit.manifests(root) {
        used.extend(manifest::dependencies(&path)?.into_iter().filter(|d| released.contains(d) && !own.contains(d)));
    }
    let mut changes = Vec::new();
    for dependency in used {
        let (Some(old), Some(new)) = (
            manifest::workspace_requirement(&old_root, &dependency),
            manifest::workspace_requirement(&new_root, &dependency),
        ) else {
            continue;
        };
        if old == new {
            continue;
        }
        let breaking = match (old.parse::<Version>(), new.parse::<Version>()) {
            (Ok(old), Ok(new)) => !old.is_compatible_with(new),
            _ => true,
        };
        changes.push((breaking, format!("Requires `{dependency}` {new} (was {old})")));
    }
    Ok(changes)
}

// ------------------------------------------------------------------ release --check

/// What `release --check` found: problems fail the check, notes explain what passed.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub problems: Vec<String>,
    pub notes: Vec<String>,
}

/// Checks every unit: its versions agree, and its version bump since the last release tag
/// covers the changes listed since then (a breaking one needs an incompatible version).
pub fn check(root: &Path) -> Result<CheckReport> {
    let mut report = CheckReport::default();
    let root_manifest = root.join("Cargo.toml");
    let root_text = root_manifest.exists().then(|| manifest::read(&root_manifest)).transpose()?;
    for unit in units(root)? {
        consistency(root, &unit, root_text.as_deref(), &mut report.problems)?;
        let path = unit.changelog_path();
        let document = match path.exists() {
            true => Changelog::parse(&manifest::read(&path)?).with_context(|| relative(root, &path))?,
            false => {
                report.problems.push(format!("{}: missing (run `cargo xtask changelog`)", relative(root, &path)));
                continue;
            }
        };
        let baseline = last_release(root, &unit)?;
        match bump_problem(&unit, unit.version, &document, baseline.as_ref()) {
            Some(problem) => report.problems.push(problem),
            None => report.notes.push(match &baseline {
                None => format!(
                    "{} {}: no release tag `{}*` yet, so nothing is released and any version passes",
                    unit.package,
                    unit.version,
                    unit.tag_prefix()
                ),
                Some((_, tag)) => {
                    let changes = changes_since(&document, baseline.as_ref());
                    let breaking = changes.iter().filter(|entry| entry.is_breaking()).count();
                    format!(
                        "{} {}: {} changes since {tag} ({breaking} breaking)",
                        unit.package,
                        unit.version,
                        changes.len()
                    )
                }
            }),
        }
    }
    Ok(report)
}

/// The changelog entries since the release: Unreleased, and versions newer than the tag's.
fn changes_since(document: &Changelog, baseline: Option<&(Version, String)>) -> Vec<Entry> {
    let mut entries: Vec<Entry> = document.unreleased.entries().cloned().collect();
    for release in &document.releases {
        if baseline.is_none_or(|(released, _)| release.version > *released) {
            entries.extend(release.entries());
        }
    }
    entries
}

/// Why `version` cannot be the unit's next version given the changes since the baseline.
fn bump_problem(
    unit: &Unit,
    version: Version,
    document: &Changelog,
    baseline: Option<&(Version, String)>,
) -> Option<String> {
    let (released, tag) = baseline?;
    if version < *released {
        return Some(format!("{} {version}: older than the last release {tag}", unit.package));
    }
    let changes = changes_since(document, baseline);
    let breaking: Vec<&Entry> = changes.iter().filter(|entry| entry.is_breaking()).collect();
    if breaking.is_empty() || !released.is_compatible_with(version) {
        return None;
    }
    Some(format!(
        "{} {version}: {} breaking {} since {tag}, so the version must be {} or later (a bump that \
         Cargo does not treat as compatible with {released}); first: {}",
        unit.package,
        breaking.len(),
        if breaking.len() == 1 { "change" } else { "changes" },
        released.next_breaking(),
        breaking[0].text.lines().next().unwrap_or_default(),
    ))
}

/// The unit's versions agree: client manifest, `providers.toml`, generated manifests, and the
/// root's requirements on its packages.
fn consistency(root: &Path, unit: &Unit, root_text: Option<&str>, problems: &mut Vec<String>) -> Result<()> {
    let expected = unit.version;
    if let Some(provider) = &unit.provider
        && provider.version().parse::<Version>().ok() != Some(expected)
    {
        problems.push(format!(
            "xtask/providers.toml: `{}` has version {}, {} has {expected}",
            provider.name,
            provider.version(),
            relative(root, &unit.dir.join("Cargo.toml"))
        ));
    }
    for path in unit.manifests(root).into_iter().skip(1) {
        let (name, version) = manifest::package(&path)?;
        if version != expected {
            problems.push(format!(
                "{}: {name} {version}, released with {} {expected}",
                relative(root, &path),
                unit.package
            ));
        }
    }
    for package in unit.packages() {
        if let Some(requirement) = root_text.and_then(|text| manifest::workspace_requirement(text, &package))
            && requirement != expected.to_string()
        {
            problems.push(format!(
                "Cargo.toml: [workspace.dependencies] requires {package} \"{requirement}\", its version is {expected}"
            ));
        }
    }
    Ok(())
}

// ------------------------------------------------------------------ release

/// What `release` did.
#[derive(Debug, Clone)]
pub struct Released {
    pub package: String,
    pub version: Version,
    /// The git tag to create once the release commit is in.
    pub tag: String,
    /// Every package released, in publishing order.
    pub packages: Vec<String>,
    /// What the command changed, relative to the root.
    pub changed: Vec<String>,
    pub notes: Vec<String>,
}

/// Sets the unit's version to `version` (generated crates, `providers.toml` and the root's
/// requirements too) and, unless `bump_only`, moves the Unreleased notes under the version
/// with today's date. Refuses a version that does not cover the breaking changes listed.
pub fn release(root: &Path, name: &str, version: Version, bump_only: bool) -> Result<Released> {
    let unit = unit(root, name)?;
    let baseline = last_release(root, &unit)?;
    let tag = unit.tag(version);
    if let Some((released, last)) = &baseline
        && version <= *released
    {
        bail!("{name} {version}: the last release is {last}; a release needs a later version");
    }
    if version < unit.version {
        bail!("{name} {version}: lower than the current version {}", unit.version);
    }
    if crate::git::run(root, &["rev-parse", "--verify", "--quiet", &format!("refs/tags/{tag}")]).is_ok() {
        bail!("the tag {tag} exists already");
    }
    let path = unit.changelog_path();
    let mut document = None;
    if !bump_only {
        let parsed = Changelog::parse(&manifest::read(&path)?).with_context(|| relative(root, &path))?;
        if parsed.unreleased.is_empty() {
            bail!(
                "{}: nothing under [Unreleased]; run `cargo xtask changelog` or write the notes first",
                relative(root, &path)
            );
        }
        if parsed.releases.iter().any(|release| release.version == version) {
            bail!("{}: [{version}] is there already", relative(root, &path));
        }
        if let Some(problem) = bump_problem(&unit, version, &parsed, baseline.as_ref()) {
            bail!(problem);
        }
        document = Some(parsed);
    }

    let mut changed = Vec::new();
    manifest::set_package_version(&unit.dir.join("Cargo.toml"), version)?;
    changed.push(relative(root, &unit.dir.join("Cargo.toml")));
    for package in unit.packages() {
        if manifest::set_workspace_requirement(root, &package, version)? && !changed.contains(&"Cargo.toml".to_string())
        {
            changed.push("Cargo.toml".to_string());
        }
    }
    if let Some(provider) = &unit.provider {
        manifest::set_provider_version(root, &provider.name, version)?;
        changed.push("xtask/providers.toml".to_string());
        let report = crate::regen::regen(root, std::slice::from_ref(&provider.name), false)?;
        if !report.errors.is_empty() {
            let errors: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
            bail!("regenerating {}: {}", provider.crate_name, errors.join("; "));
        }
        changed.extend(report.written);
    }
    if let Some(mut document) = document {
        document.release(version, &today());
        let links = changelog::links(&document, manifest::repository(root).as_deref(), &unit.tag_prefix());
        std::fs::write(&path, document.render(&links)).with_context(|| format!("writing {}", path.display()))?;
        changed.push(relative(root, &path));
    }
    let mut notes = Vec::new();
    if root.join("Cargo.lock").exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let status = Command::new(cargo)
            .args(["update", "--workspace", "--offline", "--quiet"])
            .current_dir(root)
            .status()
            .context("running cargo update")?;
        match status.success() {
            true => changed.push("Cargo.lock".to_string()),
            false => notes.push("Cargo.lock: `cargo update --workspace` failed; run it before committing".to_string()),
        }
    }
    Ok(Released { package: unit.package.clone(), version, tag, packages: unit.packages(), changed, notes })
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (year, month, day) = civil_from_days((seconds / 86_400) as i64);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

// ------------------------------------------------------------------ commands

const CHANGELOG_USAGE: &str = "usage: cargo xtask changelog [CRATE...] [--check] [--no-semver-checks]";
const RELEASE_USAGE: &str = "usage: cargo xtask release --check | cargo xtask release <CRATE> <VERSION> [--bump-only]";

/// `cargo xtask changelog …`.
pub fn run_changelog(args: &[String]) -> Result<ExitCode> {
    let mut check = false;
    let mut options = ChangelogOptions { semver_checks: true };
    let mut names = Vec::new();
    for arg in args {
        match arg.as_str() {
            "--check" => check = true,
            "--no-semver-checks" => options.semver_checks = false,
            "-h" | "--help" => {
                println!("{CHANGELOG_USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            flag if flag.starts_with("--") => bail!("unknown flag `{flag}`\n{CHANGELOG_USAGE}"),
            name => names.push(name.to_string()),
        }
    }
    let root = config::workspace_root()?;
    let report = changelog(&root, &names, check, options)?;
    for note in &report.notes {
        eprintln!("note: {note}");
    }
    for file in &report.written {
        eprintln!("wrote {file}");
    }
    for file in &report.stale {
        eprintln!("stale: {file}");
    }
    if !report.stale.is_empty() {
        eprintln!("the Unreleased notes are out of date: run `cargo xtask changelog`");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// `cargo xtask release …`.
pub fn run_release(args: &[String]) -> Result<ExitCode> {
    let root = config::workspace_root()?;
    let flags: Vec<&str> = args.iter().map(String::as_str).filter(|arg| arg.starts_with("--")).collect();
    let positional: Vec<&str> = args.iter().map(String::as_str).filter(|arg| !arg.starts_with("--")).collect();
    match (flags.as_slice(), positional.as_slice()) {
        (["--check"], []) => {
            let report = check(&root)?;
            for note in &report.notes {
                println!("{note}");
            }
            for problem in &report.problems {
                eprintln!("error: {problem}");
            }
            Ok(if report.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        ([] | ["--bump-only"], [name, version]) => {
            let version: Version = version.parse()?;
            let released = release(&root, name, version, !flags.is_empty())?;
            for file in &released.changed {
                eprintln!("changed {file}");
            }
            for note in &released.notes {
                eprintln!("note: {note}");
            }
            if flags.is_empty() {
                let packages: Vec<String> = released.packages.iter().map(|p| format!("-p {p}")).collect();
                println!("{} {}: review and commit the changes, then tag and publish:", released.package, version);
                println!(
                    "  git tag -a {tag} -m \"{} {version}\" && git push origin {tag}",
                    released.package,
                    tag = released.tag
                );
                println!("  cargo publish {}", packages.join(" "));
                println!("tag: {}", released.tag);
            } else {
                println!("{} is now {version} (the changelog is unchanged)", released.package);
            }
            Ok(ExitCode::SUCCESS)
        }
        (["-h" | "--help"], _) => {
            println!("{RELEASE_USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => bail!("{RELEASE_USAGE}"),
    }
}

// ------------------------------------------------------------------ paths

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_become_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
    }
}
