//! `cargo xtask audit`: compares each spec with the upstream document it was written from
//! (`upstream` in `xtask/providers.toml`) and reports what the spec misses or adds.
//!
//! Per documented operation: it exists (method + path); its query and header parameters, spelt
//! exactly, with their required flag; its JSON body fields and multipart parts; a binary
//! response; its credentials; every response example's members, scalar types and enum values
//! against the response schema. Deliberate departures are listed in `specs/audit-allowlist.yaml`;
//! an entry that matches no gap is stale and fails the audit too.
//!
//! Modules, each using only those before it: [`lenient_json`] and [`schema`] (reading JSON and
//! schemas), [`model`] (what an upstream document says), the readers [`postman`] and
//! [`transcription`], [`upstream`] (picks the reader for a file), [`spec_model`] (the spec's
//! side), [`checks`] (the comparison), [`allowlist`], [`observed`] (facts from traffic, which
//! are listed apart and are not gaps); this module runs them.

pub mod allowlist;
pub mod checks;
pub mod lenient_json;
pub mod model;
pub mod observed;
pub mod postman;
pub mod schema;
pub mod spec_model;
pub mod transcription;
pub mod upstream;

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::config;
use allowlist::AllowEntry;
use checks::{Category, Finding, Gap};

pub const ALLOWLIST: &str = "specs/audit-allowlist.yaml";

/// The audit of one provider.
#[derive(Debug, Clone)]
pub struct ProviderAudit {
    pub provider: String,
    pub findings: Vec<Finding>,
    /// Gaps not in the allowlist.
    pub gaps: Vec<Gap>,
    pub allowlisted: usize,
    /// What the spec holds from observed traffic (`x-observed`), not from the document.
    pub observed: Vec<observed::Observed>,
}

impl ProviderAudit {
    /// (found, total) of a category; an allowlisted gap counts as found.
    pub fn tally(&self, category: Category) -> (usize, usize) {
        let mine: Vec<&Finding> = self.findings.iter().filter(|f| f.category == category).collect();
        let open = mine.iter().filter(|f| f.gaps.iter().any(|g| self.gaps.contains(g))).count();
        (mine.len() - open, mine.len())
    }
}

/// The audit of every provider asked for.
#[derive(Debug, Clone)]
pub struct Report {
    pub providers: Vec<ProviderAudit>,
    /// Allowlist entries (of the providers audited) that match no gap.
    pub stale: Vec<AllowEntry>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.stale.is_empty() && self.providers.iter().all(|p| p.gaps.is_empty())
    }
}

/// Audits one provider: its spec against its upstream document, minus allowlisted gaps.
pub fn audit_provider(provider: &str, spec: &Path, upstream: &Path, allowed: &[AllowEntry]) -> Result<ProviderAudit> {
    let observed = observed::collect(&crate::spec::load(spec)?);
    let spec = spec_model::SpecModel::load(spec)?;
    let upstream = upstream::load(upstream)?;
    let findings = checks::compare(&spec, &upstream);
    let mut gaps = Vec::new();
    let mut allowlisted = 0;
    for gap in findings.iter().flat_map(|f| &f.gaps) {
        if allowed.iter().any(|entry| entry.provider == provider && entry.gap == gap.id) {
            allowlisted += 1;
        } else if !gaps.contains(gap) {
            gaps.push(gap.clone());
        }
    }
    Ok(ProviderAudit { provider: provider.to_string(), findings, gaps, allowlisted, observed })
}

/// Audits the named providers (all when `names` is empty) of the workspace at `root`.
pub fn audit(root: &Path, names: &[String]) -> Result<Report> {
    let all = config::providers(root)?;
    for name in names {
        if !all.iter().any(|p| &p.name == name) {
            bail!("unknown provider `{name}` (xtask/providers.toml)");
        }
    }
    let allowed = allowlist::load(&root.join(ALLOWLIST))?;
    let mut providers = Vec::new();
    for provider in all.iter().filter(|p| names.is_empty() || names.contains(&p.name)) {
        let upstream = provider
            .upstream
            .as_ref()
            .with_context(|| format!("provider `{}` names no `upstream` document", provider.name))?;
        let audit =
            audit_provider(&provider.name, &provider.spec_path(root), &root.join("specs").join(upstream), &allowed)
                .with_context(|| format!("auditing {}", provider.name))?;
        providers.push(audit);
    }
    let stale = allowed
        .into_iter()
        .filter(|entry| {
            providers
                .iter()
                .find(|p| p.provider == entry.provider)
                .is_some_and(|p| !p.findings.iter().flat_map(|f| &f.gaps).any(|g| g.id == entry.gap))
        })
        .collect();
    Ok(Report { providers, stale })
}

/// The coverage table and the list of gaps, as printed.
pub fn render(report: &Report, root: &Path) -> String {
    let mut out = String::new();
    for provider in &report.providers {
        let _ = writeln!(out, "{}", provider.provider);
        let mut header = String::from(" ");
        let mut row = String::from(" ");
        for category in Category::ALL {
            let (found, total) = provider.tally(category);
            let percent = if total == 0 { 100.0 } else { found as f64 * 100.0 / total as f64 };
            let cell = format!("{found}/{total} ({percent:.0}%)");
            let width = cell.len().max(category.title().len()) + 2;
            let _ = write!(header, " {:<width$}", category.title());
            let _ = write!(row, " {cell:<width$}");
        }
        let _ = writeln!(out, "{}\n{}", header.trim_end(), row.trim_end());
        let _ = writeln!(out, "  allowlisted departures: {}", provider.allowlisted);
        let _ = writeln!(out, "  observed in traffic, not in the document: {}\n", provider.observed.len());
    }
    let spec_of = |name: &str| {
        config::providers(root)
            .ok()
            .and_then(|all| all.into_iter().find(|p| p.name == name))
            .map(|p| format!("specs/{}", p.spec))
    };
    for provider in &report.providers {
        for gap in &provider.gaps {
            let at = match (&gap.pointer, spec_of(&provider.provider)) {
                (Some(pointer), Some(spec)) => format!(" ({spec}#{pointer})"),
                _ => String::new(),
            };
            let _ = writeln!(out, "{}: {}: {}{at}", provider.provider, gap.id, gap.message);
        }
    }
    for provider in &report.providers {
        for fact in &provider.observed {
            let spec = spec_of(&provider.provider).unwrap_or_default();
            let _ = writeln!(out, "{}: observed {} ({spec}#{})", provider.provider, fact.what, fact.pointer);
        }
    }
    for entry in &report.stale {
        let _ = writeln!(
            out,
            "{}: stale allowlist entry `{}` in {ALLOWLIST}: it matches no gap",
            entry.provider, entry.gap
        );
    }
    out
}

/// `cargo xtask audit [PROVIDER...]`
pub fn run(args: &[String]) -> Result<ExitCode> {
    let root = config::workspace_root()?;
    println!("auditing {}", root.join("specs").display());
    let report = audit(&root, args)?;
    print!("{}", render(&report, &root));
    if report.is_clean() {
        println!("audit: every documented operation, parameter, field, example and credential is covered");
        Ok(ExitCode::SUCCESS)
    } else {
        let gaps: usize = report.providers.iter().map(|p| p.gaps.len()).sum();
        println!("audit: {gaps} gap(s), {} stale allowlist entr(y/ies)", report.stale.len());
        Ok(ExitCode::FAILURE)
    }
}
