//! A `CHANGELOG.md` in the [Keep a Changelog](https://keepachangelog.com/en/1.1.0/) layout:
//! a head, `## [Unreleased]` with `### Added`/`Changed`/… lists, the released versions
//! (`## [0.2.0] - 2026-05-01`), and the link definitions at the end.
//!
//! Each entry of the Unreleased section is either written by hand (kept as it is) or generated
//! by `cargo xtask changelog`, which marks it with its source right after the optional
//! breaking mark: `- **Breaking** (spec) Field removed: …`, `- (Rust API) …`,
//! `- (dependency) …`. Generated entries are replaced on every run; hand-written ones stay.

use std::fmt::Write as _;

use anyhow::{Result, bail};

use super::version::Version;

/// The mark that starts a breaking entry (generated or hand-written).
pub const BREAKING: &str = "**Breaking** ";

/// The Keep a Changelog sections, in the order they are written.
pub const SECTIONS: [&str; 6] = ["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"];

/// Where a generated entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// `cargo xtask diff` of the provider's spec against the last release.
    Spec,
    /// `cargo semver-checks` of the crate's Rust API against the last release.
    RustApi,
    /// A requirement on another crate of the workspace that changed since the last release.
    Dependency,
}

impl Origin {
    pub const ALL: [Origin; 3] = [Origin::Spec, Origin::RustApi, Origin::Dependency];

    pub fn tag(self) -> &'static str {
        match self {
            Origin::Spec => "(spec) ",
            Origin::RustApi => "(Rust API) ",
            Origin::Dependency => "(dependency) ",
        }
    }
}

/// One list item: its text without the leading `- ` (continuation lines kept, joined by `\n`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub text: String,
}

impl Entry {
    pub fn generated(origin: Origin, breaking: bool, text: &str) -> Entry {
        let mark = if breaking { BREAKING } else { "" };
        Entry { text: format!("{mark}{}{text}", origin.tag()) }
    }

    pub fn is_breaking(&self) -> bool {
        self.text.starts_with(BREAKING)
    }

    /// The source of a generated entry; `None` for one written by hand.
    pub fn origin(&self) -> Option<Origin> {
        let text = self.text.strip_prefix(BREAKING).unwrap_or(&self.text);
        Origin::ALL.into_iter().find(|origin| text.starts_with(origin.tag()))
    }
}

/// One `### Name` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    pub entries: Vec<Entry>,
}

/// `## [Unreleased]`: text before the first list (kept), then the lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unreleased {
    pub preamble: Vec<String>,
    pub sections: Vec<Section>,
}

impl Unreleased {
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.sections.iter().flat_map(|section| &section.entries)
    }

    pub fn is_empty(&self) -> bool {
        self.entries().next().is_none()
    }

    /// Adds `entry` at the end of the list `name`, creating the list if needed.
    pub fn push(&mut self, name: &str, entry: Entry) {
        match self.sections.iter_mut().find(|section| section.name == name) {
            Some(section) => section.entries.push(entry),
            None => self.sections.push(Section { name: name.to_string(), entries: vec![entry] }),
        }
    }

    /// The lists in Keep a Changelog order (others after them, as found), empty ones left out.
    fn ordered(&self) -> Vec<&Section> {
        let rank = |name: &str| SECTIONS.iter().position(|known| *known == name).unwrap_or(SECTIONS.len());
        let mut sections: Vec<&Section> = self.sections.iter().filter(|s| !s.entries.is_empty()).collect();
        sections.sort_by_key(|section| rank(&section.name));
        sections
    }
}

/// A released version's section, kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub version: Version,
    /// The heading's text after `## `, e.g. `[0.2.0] - 2026-05-01`.
    pub heading: String,
    /// The lines below the heading, up to the next version (trailing blank lines removed).
    pub body: Vec<String>,
}

impl Release {
    /// The list items of the section (`- …` lines with their continuations).
    pub fn entries(&self) -> Vec<Entry> {
        parse_lists(&self.body).1.into_iter().flat_map(|section| section.entries).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changelog {
    /// The title and introduction, up to `## [Unreleased]`.
    pub head: Vec<String>,
    pub unreleased: Unreleased,
    /// Newest first, as in the file.
    pub releases: Vec<Release>,
}

impl Changelog {
    /// A new changelog for `package`, with an empty Unreleased section.
    pub fn new(package: &str, also: &[String]) -> Changelog {
        let mut head = vec![
            "# Changelog".to_string(),
            String::new(),
            format!("All notable changes to `{package}` are listed here. The format follows"),
            "[Keep a Changelog](https://keepachangelog.com/en/1.1.0/), and versions follow".to_string(),
            "[Semantic Versioning](https://semver.org/spec/v2.0.0.html) as Cargo applies it: before 1.0, a".to_string(),
            "breaking change bumps the minor version.".to_string(),
        ];
        if !also.is_empty() {
            let names: Vec<String> = also.iter().map(|name| format!("`{name}`")).collect();
            head.push(String::new());
            head.push(format!(
                "{} are released with `{package}`, at the same version; their changes are listed here.",
                names.join(" and ")
            ));
        }
        head.extend([
            String::new(),
            "Entries marked `(spec)`, `(Rust API)` or `(dependency)` are written by `cargo xtask changelog`"
                .to_string(),
            "(from `cargo xtask diff`, `cargo semver-checks` and the workspace's requirements, against the".to_string(),
            "last release tag); the others are written by hand and kept. **Breaking** marks a change that".to_string(),
            "can break code or requests written against the previous release.".to_string(),
            String::new(),
        ]);
        Changelog { head, unreleased: Unreleased::default(), releases: Vec::new() }
    }

    pub fn parse(text: &str) -> Result<Changelog> {
        let lines: Vec<&str> = text.lines().collect();
        let Some(start) = lines.iter().position(|line| is_unreleased_heading(line)) else {
            bail!("no `## [Unreleased]` section");
        };
        // Link definitions at the end are rewritten from the versions, so they are dropped here.
        let mut end = lines.len();
        while end > start && (lines[end - 1].trim().is_empty() || is_link_definition(lines[end - 1])) {
            end -= 1;
        }
        let headings: Vec<usize> =
            (start + 1..end).filter(|&i| lines[i].starts_with("## ") && !lines[i].starts_with("### ")).collect();
        let unreleased_end = headings.first().copied().unwrap_or(end);
        let (preamble, sections) =
            parse_lists(&lines[start + 1..unreleased_end].iter().map(|l| l.to_string()).collect::<Vec<_>>());
        let mut releases = Vec::new();
        for (index, &at) in headings.iter().enumerate() {
            let heading = lines[at][3..].trim().to_string();
            let version = release_version(&heading)?;
            let until = headings.get(index + 1).copied().unwrap_or(end);
            let mut body: Vec<String> = lines[at + 1..until].iter().map(|line| line.to_string()).collect();
            while body.last().is_some_and(|line| line.trim().is_empty()) {
                body.pop();
            }
            releases.push(Release { version, heading, body });
        }
        let head = lines[..start].iter().map(|line| line.to_string()).collect();
        let preamble = trimmed(&preamble).into_iter().cloned().collect();
        Ok(Changelog { head, unreleased: Unreleased { preamble, sections }, releases })
    }

    /// The file's text, ending with `links` (the link definitions, see `changelog::links`).
    pub fn render(&self, links: &[String]) -> String {
        let mut out = String::new();
        for line in &self.head {
            let _ = writeln!(out, "{line}");
        }
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str("## [Unreleased]\n");
        let preamble: Vec<&String> = trimmed(&self.unreleased.preamble);
        if !preamble.is_empty() {
            out.push('\n');
            for line in preamble {
                let _ = writeln!(out, "{line}");
            }
        }
        for section in self.unreleased.ordered() {
            let _ = write!(out, "\n### {}\n\n", section.name);
            for entry in &section.entries {
                let _ = writeln!(out, "- {}", entry.text);
            }
        }
        for release in &self.releases {
            let _ = write!(out, "\n## {}\n", release.heading);
            for line in &release.body {
                let _ = writeln!(out, "{line}");
            }
        }
        if !links.is_empty() {
            out.push('\n');
            for link in links {
                let _ = writeln!(out, "{link}");
            }
        }
        out
    }

    /// Moves the Unreleased entries under `## [version] - date`; Unreleased is left empty.
    pub fn release(&mut self, version: Version, date: &str) {
        let mut body = Vec::new();
        for line in trimmed(&self.unreleased.preamble) {
            body.push(String::new());
            body.push(line.clone());
        }
        for section in self.unreleased.ordered() {
            body.push(String::new());
            body.push(format!("### {}", section.name));
            body.push(String::new());
            for entry in &section.entries {
                body.extend(format!("- {}", entry.text).lines().map(str::to_string));
            }
        }
        self.releases.insert(0, Release { version, heading: format!("[{version}] - {date}"), body });
        self.unreleased = Unreleased::default();
    }
}

/// The link definitions of a changelog whose tags are `<tag_prefix><version>`: Unreleased
/// compares the newest release with `HEAD`, each release the one before it (the oldest links
/// to its tag). None without a repository URL, and none for Unreleased before a first release.
pub fn links(changelog: &Changelog, repository: Option<&str>, tag_prefix: &str) -> Vec<String> {
    let Some(repository) = repository.map(|url| url.trim_end_matches('/')) else { return Vec::new() };
    let tag = |version: &Version| format!("{tag_prefix}{version}");
    let mut links = Vec::new();
    if let Some(newest) = changelog.releases.first() {
        links.push(format!("[Unreleased]: {repository}/compare/{}...HEAD", tag(&newest.version)));
    }
    for (index, release) in changelog.releases.iter().enumerate() {
        let link = match changelog.releases.get(index + 1) {
            Some(previous) => format!("{repository}/compare/{}...{}", tag(&previous.version), tag(&release.version)),
            None => format!("{repository}/releases/tag/{}", tag(&release.version)),
        };
        links.push(format!("[{}]: {link}", release.version));
    }
    links
}

fn is_unreleased_heading(line: &str) -> bool {
    line.trim_end().eq_ignore_ascii_case("## [Unreleased]")
}

fn is_link_definition(line: &str) -> bool {
    line.starts_with('[') && line.contains("]: ")
}

/// `[0.2.0] - 2026-05-01` (or `[0.2.0]`, `0.2.0 - …`) → 0.2.0.
fn release_version(heading: &str) -> Result<Version> {
    let first = heading.split_whitespace().next().unwrap_or_default();
    let version = first.trim_start_matches('[').trim_end_matches(']');
    version.parse().map_err(|error| anyhow::anyhow!("heading `## {heading}`: {error}"))
}

/// `lines` without leading and trailing blank lines.
fn trimmed(lines: &[String]) -> Vec<&String> {
    let start = lines.iter().position(|line| !line.trim().is_empty()).unwrap_or(lines.len());
    let end = lines.iter().rposition(|line| !line.trim().is_empty()).map_or(start, |i| i + 1);
    lines[start..end].iter().collect()
}

/// The text before the first `### ` heading, and the lists below each heading. An item is a
/// `- ` or `* ` line with the indented lines that follow it.
fn parse_lists(lines: &[String]) -> (Vec<String>, Vec<Section>) {
    let mut preamble = Vec::new();
    let mut sections: Vec<Section> = Vec::new();
    for line in lines {
        if let Some(name) = line.strip_prefix("### ") {
            sections.push(Section { name: name.trim().to_string(), entries: Vec::new() });
            continue;
        }
        let Some(section) = sections.last_mut() else {
            preamble.push(line.clone());
            continue;
        };
        if let Some(item) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
            section.entries.push(Entry { text: item.trim_end().to_string() });
        } else if line.starts_with(' ')
            && !line.trim().is_empty()
            && let Some(entry) = section.entries.last_mut()
        {
            entry.text.push('\n');
            entry.text.push_str(line.trim_end());
        }
    }
    (preamble, sections)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n### Removed\n\n- **Breaking** (spec) Field removed: `A.b`\n\n### Added\n\n- By hand,\n  on two lines.\n- (spec) Operation added: `GET /x (x)`\n\n## [0.1.0] - 2026-01-02\n\n### Added\n\n- First.\n\n[Unreleased]: https://example.invalid/compare/demo-v0.1.0...HEAD\n[0.1.0]: https://example.invalid/releases/tag/demo-v0.1.0\n";

    #[test]
    fn parses_and_renders_in_keep_a_changelog_order() {
        let changelog = Changelog::parse(TEXT).unwrap();
        let entries: Vec<(Option<Origin>, bool)> =
            changelog.unreleased.entries().map(|entry| (entry.origin(), entry.is_breaking())).collect();
        assert_eq!(entries, [(Some(Origin::Spec), true), (None, false), (Some(Origin::Spec), false)]);
        assert_eq!(changelog.releases.len(), 1);
        assert_eq!(changelog.releases[0].entries(), [Entry { text: "First.".into() }]);
        let links = links(&changelog, Some("https://example.invalid"), "demo-v");
        let rendered = changelog.render(&links);
        let added = rendered.find("### Added").unwrap();
        assert!(added < rendered.find("### Removed").unwrap(), "{rendered}");
        assert!(rendered.contains("- By hand,\n  on two lines.\n"), "{rendered}");
        assert_eq!(Changelog::parse(&rendered).unwrap().render(&links), rendered, "rendering is stable");
        assert!(rendered.ends_with(&TEXT[TEXT.find("\n[Unreleased]").unwrap() + 1..]), "{rendered}");
    }

    #[test]
    fn release_moves_the_entries_under_the_version() {
        let mut changelog = Changelog::parse(TEXT).unwrap();
        changelog.release("0.2.0".parse().unwrap(), "2026-02-03");
        assert!(changelog.unreleased.is_empty());
        assert_eq!(changelog.releases[0].heading, "[0.2.0] - 2026-02-03");
        assert_eq!(changelog.releases[0].entries().len(), 3);
        let rendered = changelog.render(&links(&changelog, Some("https://example.invalid"), "demo-v"));
        assert!(rendered.contains("## [Unreleased]\n\n## [0.2.0] - 2026-02-03\n\n### Added\n"), "{rendered}");
        assert!(rendered.contains("[0.2.0]: https://example.invalid/compare/demo-v0.1.0...demo-v0.2.0\n"));
        assert_eq!(Changelog::parse(&rendered).unwrap(), changelog);
    }

    #[test]
    fn a_file_without_unreleased_is_refused() {
        assert!(Changelog::parse("# Changelog\n\n## [0.1.0]\n").is_err());
    }
}
