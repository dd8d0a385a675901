//! The command: every provider's spec in the working tree against its version at a git
//! revision (or two spec files against each other), printed as Markdown.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::document::Document;
use super::report::{self, Change, ChangeKind, Report, Severity};
use super::{DiffError, Side, diff_specs};
use crate::config::{self, Provider};

/// The revision the specs are compared with, and how it was chosen (for the report's title).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    pub commit: String,
    pub chosen: String,
}

/// One provider's spec compared with its version at the base.
#[derive(Debug, Clone)]
pub struct SpecReport {
    pub provider: String,
    pub report: Report,
}

#[derive(Debug, Clone)]
pub struct WorkspaceReport {
    pub base: Base,
    pub specs: Vec<SpecReport>,
}

impl WorkspaceReport {
    pub fn is_breaking(&self) -> bool {
        self.specs.iter().any(|spec| spec.report.is_breaking())
    }

    pub fn exit_code(&self) -> u8 {
        if self.is_breaking() { report::EXIT_BREAKING } else { 0 }
    }

    pub fn to_markdown(&self) -> String {
        let short = &self.base.commit[..self.base.commit.len().min(12)];
        let mut out = format!("# API changes since {} (`{short}`)\n\n", self.base.chosen);
        for spec in &self.specs {
            out.push_str(&spec.report.to_markdown(&spec.provider));
            out.push('\n');
        }
        out.push_str(&report::summary(self.specs.iter().map(|spec| &spec.report)));
        out
    }
}

const USAGE: &str = "usage: cargo xtask diff [--base <git-rev>] | --old <spec> --new <spec>";

/// `cargo xtask diff …`: prints the report; exit status 0, or 2 when something breaks.
pub fn run(args: &[String]) -> Result<ExitCode> {
    let mut options: BTreeMap<&str, &str> = BTreeMap::new();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let name = match flag.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            name @ ("--base" | "--old" | "--new") => name,
            other => bail!("unknown argument `{other}`\n{USAGE}"),
        };
        let Some(value) = rest.next() else { bail!("`{name}` needs a value\n{USAGE}") };
        if options.insert(name, value).is_some() {
            bail!("`{name}` is given twice\n{USAGE}");
        }
    }
    let (markdown, code) = match (options.get("--base"), options.get("--old"), options.get("--new")) {
        (None, Some(old), Some(new)) => {
            let read = |path: &str| std::fs::read_to_string(path).with_context(|| format!("reading {path}"));
            let report = diff_specs(&read(old)?, &read(new)?)?;
            let markdown = format!("{}\n{}", report.to_markdown(new), report::summary([&report]));
            (markdown, report.exit_code())
        }
        (base, None, None) => {
            let report = diff_workspace(&config::workspace_root()?, base.copied())?;
            (report.to_markdown(), report.exit_code())
        }
        _ => bail!("`--old` and `--new` go together, without `--base`\n{USAGE}"),
    };
    print!("{markdown}");
    Ok(ExitCode::from(code))
}

/// Compares each provider's spec in the working tree at `root` with its version at `base`
/// (by default the merge base with `main`; on `main` itself, the last commit).
pub fn diff_workspace(root: &Path, base: Option<&str>) -> Result<WorkspaceReport> {
    let base = resolve_base(root, base)?;
    let current = config::providers(root)?;
    let at_base = match crate::git::file_at(root, &base.commit, "xtask/providers.toml")? {
        Some(text) => config::parse_providers(&text).context("parsing xtask/providers.toml at the base")?,
        None => Vec::new(),
    };
    let mut names: Vec<&str> = current.iter().chain(&at_base).map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let find = |list: &'_ [Provider], name: &str| list.iter().find(|p| p.name == name).cloned();
    let mut specs = Vec::new();
    for name in names {
        let now = find(&current, name);
        let old_file = find(&at_base, name).or_else(|| now.clone()).map(|p| p.spec).expect("listed in one of them");
        let old = crate::git::file_at(root, &base.commit, &format!("specs/{old_file}"))?;
        let new = match &now {
            Some(provider) => {
                let path = provider.spec_path(root);
                Some(std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?)
            }
            None => None,
        };
        let spec = now.map_or(old_file, |p| p.spec);
        let report = diff_versions(old.as_deref(), new.as_deref(), &format!("specs/{spec}"))
            .with_context(|| format!("comparing specs/{spec}"))?;
        specs.push(SpecReport { provider: name.to_string(), report });
    }
    Ok(WorkspaceReport { base, specs })
}

/// Like [`diff_specs`], where a missing side means the spec was added or removed.
fn diff_versions(old: Option<&str>, new: Option<&str>, spec: &str) -> Result<Report, DiffError> {
    let whole = |severity, kind, text: &str, side| -> Result<Report, DiffError> {
        let document = Document::parse(text).map_err(|message| DiffError { side, message })?;
        let detail = format!("{} operations", document.operations().len());
        Ok(Report {
            changes: vec![Change { severity, kind, target: spec.to_string(), detail, operations: Vec::new() }],
        })
    };
    match (old, new) {
        (Some(old), Some(new)) => diff_specs(old, new),
        (None, Some(new)) => whole(Severity::NonBreaking, ChangeKind::SpecAdded, new, Side::New),
        (Some(old), None) => whole(Severity::Breaking, ChangeKind::SpecRemoved, old, Side::Old),
        (None, None) => Ok(Report::default()),
    }
}

fn resolve_base(root: &Path, requested: Option<&str>) -> Result<Base> {
    let (rev, chosen) = match requested {
        Some(rev) => (rev.to_string(), format!("`{rev}`")),
        None if git(root, &["rev-parse", "--abbrev-ref", "HEAD"])? == "main" => {
            ("HEAD".to_string(), "the last commit on `main`".to_string())
        }
        None => {
            let found = ["main", "origin/main"].into_iter().find_map(|branch| {
                let commit = git(root, &["merge-base", "HEAD", branch]).ok()?;
                Some((commit, format!("the merge base with `{branch}`")))
            });
            found.context("no merge base with `main` or `origin/main`: pass `--base <git-rev>`")?
        }
    };
    let commit = git(root, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])
        .with_context(|| format!("`{rev}` is not a commit of the repository at {}", root.display()))?;
    Ok(Base { commit, chosen })
}

/// Runs git in `root` and returns its standard output without its final newline (a commit id,
/// a branch name).
fn git(root: &Path, args: &[&str]) -> Result<String> {
    crate::git::run(root, args).map(|text| text.trim_end_matches('\n').to_string())
}
