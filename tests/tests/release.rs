//! `cargo xtask changelog` and `cargo xtask release`, end to end on a scratch git repository
//! laid out like this workspace (one provider `demo`, its spec a copy of `specs/wapio.yaml`, the
//! client crate `clients/demo`): first release, then a breaking and a non-breaking spec change
//! each going through changelog → release --check → release. cargo-semver-checks is left out
//! (`semver_checks: false`): its run needs a buildable crate and minutes, and the xtask works
//! without it. The workspace's own changelogs are checked to be up to date.

use crate::support;

use std::path::Path;

use xtask::release::{self, Changelog, ChangelogOptions, Version};

const OPTIONS: ChangelogOptions = ChangelogOptions { semver_checks: false };

fn version(text: &str) -> Version {
    text.parse().unwrap()
}

/// A scratch repository with one provider and its client crate, committed on `main`.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Self {
        let repo = Repo { dir: tempfile::tempdir().unwrap() };
        let spec = std::fs::read_to_string(support::workspace_root().join("specs/wapio.yaml")).unwrap();
        repo.write("specs/demo.yaml", &spec);
        repo.write(
            "xtask/providers.toml",
            "demo = { spec = \"demo.yaml\", crate = \"demo-api\", version = \"0.1.0\" }\n",
        );
        repo.write(
            "Cargo.toml",
            "[workspace]\n\
             members = [\"clients/*\", \"generated/*\"]\n\
             \n\
             [workspace.package]\n\
             repository = \"https://example.invalid/demo\"\n\
             \n\
             [workspace.dependencies]\n\
             demo-api = { path = \"generated/demo-api\", version = \"0.1.0\" }\n\
             demo-api-httpmock = { path = \"generated/demo-api-httpmock\", version = \"0.1.0\" }\n\
             demo = { path = \"clients/demo\", version = \"0.1.0\" }\n",
        );
        repo.write(
            "clients/demo/Cargo.toml",
            "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n\n[dependencies]\ndemo-api.workspace = true\n",
        );
        repo.git(&["init", "--quiet", "--initial-branch=main"]);
        repo.commit("first");
        repo
    }

    /// A repository whose first release, `demo-v0.1.0`, is tagged.
    fn released() -> Self {
        let repo = Repo::new();
        let report = release::changelog(repo.path(), &[], false, OPTIONS).unwrap();
        assert_eq!(report.written, ["clients/demo/CHANGELOG.md"]);
        let unreleased = repo.changelog().unreleased;
        let entries: Vec<&str> = unreleased.entries().map(|entry| entry.text.as_str()).collect();
        assert_eq!(entries, ["(spec) Spec added: `specs/demo.yaml` (43 operations)"], "before a first release");
        let check = release::check(repo.path()).unwrap();
        assert!(check.problems.is_empty(), "{:?}", check.problems);
        assert!(check.notes[0].contains("no release tag `demo-v*` yet"), "{:?}", check.notes);

        let released = release::release(repo.path(), "demo", version("0.1.0"), false).unwrap();
        assert_eq!(released.tag, "demo-v0.1.0");
        assert_eq!(released.packages, ["demo-api", "demo-api-httpmock", "demo"]);
        repo.commit("release demo 0.1.0");
        repo.git(&["tag", "-a", &released.tag, "-m", "demo 0.1.0"]);
        assert!(release::changelog(repo.path(), &[], true, OPTIONS).unwrap().stale.is_empty(), "nothing since");
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.path().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
    }

    fn write(&self, file: &str, text: &str) {
        let path = self.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn changelog(&self) -> Changelog {
        Changelog::parse(&self.read("clients/demo/CHANGELOG.md")).unwrap()
    }

    /// Edits the spec as a YAML value.
    fn edit_spec(&self, edit: impl FnOnce(&mut serde_json::Value)) {
        let mut spec: serde_json::Value = serde_yaml::from_str(&self.read("specs/demo.yaml")).unwrap();
        edit(&mut spec);
        self.write("specs/demo.yaml", &serde_yaml::to_string(&spec).unwrap());
    }

    fn git(&self, args: &[&str]) -> String {
        support::git(self.path(), args)
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "--quiet", "-m", message]);
    }

    /// Every place the unit's version is written, as (file, version) pairs.
    fn versions(&self) -> Vec<(String, String)> {
        let package = |file: &str| {
            let table: toml::Table = toml::from_str(&self.read(file)).unwrap();
            (file.to_string(), table["package"]["version"].as_str().unwrap().to_string())
        };
        let root: toml::Table = toml::from_str(&self.read("Cargo.toml")).unwrap();
        let providers: toml::Table = toml::from_str(&self.read("xtask/providers.toml")).unwrap();
        let mut versions = vec![
            package("clients/demo/Cargo.toml"),
            package("generated/demo-api/Cargo.toml"),
            package("generated/demo-api-httpmock/Cargo.toml"),
            ("providers.toml".to_string(), providers["demo"]["version"].as_str().unwrap().to_string()),
        ];
        for dependency in ["demo-api", "demo-api-httpmock", "demo"] {
            let requirement = root["workspace"]["dependencies"][dependency]["version"].as_str().unwrap();
            versions.push((format!("requirement on {dependency}"), requirement.to_string()));
        }
        versions
    }

    fn assert_version(&self, expected: &str) {
        for (place, found) in self.versions() {
            assert_eq!(found, expected, "{place}");
        }
    }
}

#[test]
fn first_release_moves_the_notes_and_prints_the_tag() {
    let repo = Repo::released();
    repo.assert_version("0.1.0");
    let changelog = repo.changelog();
    assert!(changelog.unreleased.is_empty());
    assert_eq!(changelog.releases[0].heading, format!("[0.1.0] - {}", release::today()));
    let text = repo.read("clients/demo/CHANGELOG.md");
    assert!(text.contains("## [Unreleased]\n\n## [0.1.0] - "), "{text}");
    assert!(text.ends_with(
        "[Unreleased]: https://example.invalid/demo/compare/demo-v0.1.0...HEAD\n\
         [0.1.0]: https://example.invalid/demo/releases/tag/demo-v0.1.0\n"
    ));
    assert!(release::check(repo.path()).unwrap().problems.is_empty());
    let again = release::release(repo.path(), "demo", version("0.1.0"), false).unwrap_err();
    assert!(format!("{again:#}").contains("the last release is demo-v0.1.0"), "{again:#}");
}

#[test]
fn breaking_spec_change_needs_a_minor_bump() {
    let repo = Repo::released();
    let mut removed = String::new();
    repo.edit_spec(|spec| {
        let paths = spec["paths"].as_object_mut().unwrap();
        let (path, item) = paths.iter_mut().find(|(_, item)| item.get("delete").is_some()).unwrap();
        let operation = item.as_object_mut().unwrap().remove("delete").unwrap();
        removed = format!("DELETE {path} ({})", operation["operationId"].as_str().unwrap());
    });
    // A note written by hand is kept; the generated entries are rewritten on every run.
    let mut text = repo.read("clients/demo/CHANGELOG.md");
    text = text.replace("## [Unreleased]\n", "## [Unreleased]\n\n### Fixed\n\n- A fix written by hand.\n");
    repo.write("clients/demo/CHANGELOG.md", &text);

    let report = release::changelog(repo.path(), &[], false, OPTIONS).unwrap();
    assert_eq!(report.written, ["clients/demo/CHANGELOG.md"]);
    assert!(release::changelog(repo.path(), &[], true, OPTIONS).unwrap().stale.is_empty(), "a second run agrees");
    let unreleased = repo.changelog().unreleased;
    let sections: Vec<(&str, Vec<&str>)> = unreleased
        .sections
        .iter()
        .map(|section| (section.name.as_str(), section.entries.iter().map(|e| e.text.as_str()).collect()))
        .collect();
    let expected = format!("**Breaking** (spec) Operation removed: `{removed}`");
    assert_eq!(sections, [("Removed", vec![expected.as_str()]), ("Fixed", vec!["A fix written by hand."])]);

    // The version has not moved since 0.1.0: a breaking change fails the check, and so does a
    // patch bump.
    let problems = release::check(repo.path()).unwrap().problems;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("demo 0.1.0: 1 breaking change since demo-v0.1.0"), "{}", problems[0]);
    assert!(problems[0].contains("must be 0.2.0 or later"), "{}", problems[0]);
    release::release(repo.path(), "demo", version("0.1.1"), true).unwrap();
    repo.assert_version("0.1.1");
    let problems = release::check(repo.path()).unwrap().problems;
    assert!(problems.len() == 1 && problems[0].starts_with("demo 0.1.1: 1 breaking change"), "{problems:?}");
    let refused = release::release(repo.path(), "demo", version("0.1.1"), false).unwrap_err();
    assert!(format!("{refused:#}").contains("must be 0.2.0 or later"), "{refused:#}");

    release::release(repo.path(), "demo", version("0.2.0"), true).unwrap();
    repo.assert_version("0.2.0");
    assert!(release::check(repo.path()).unwrap().problems.is_empty(), "a minor bump covers it");

    let released = release::release(repo.path(), "demo", version("0.2.0"), false).unwrap();
    assert_eq!(released.tag, "demo-v0.2.0");
    let changelog = repo.changelog();
    assert!(changelog.unreleased.is_empty());
    assert_eq!(changelog.releases[0].heading, format!("[0.2.0] - {}", release::today()));
    let entries: Vec<String> = changelog.releases[0].entries().into_iter().map(|e| e.text).collect();
    assert_eq!(entries, [expected.clone(), "A fix written by hand.".to_string()]);
    assert!(repo.read("clients/demo/CHANGELOG.md").contains(
        "[0.2.0]: https://example.invalid/demo/compare/demo-v0.1.0...demo-v0.2.0\n\
         [0.1.0]: https://example.invalid/demo/releases/tag/demo-v0.1.0\n"
    ));
    // Until the tag exists, the check and the notes read the new section as the changes since
    // demo-v0.1.0: nothing is listed twice.
    assert!(release::check(repo.path()).unwrap().problems.is_empty());
    assert!(release::changelog(repo.path(), &[], true, OPTIONS).unwrap().stale.is_empty());
    repo.commit("release demo 0.2.0");
    repo.git(&["tag", "-a", &released.tag, "-m", "demo 0.2.0"]);
    assert!(release::check(repo.path()).unwrap().problems.is_empty());
    assert!(release::changelog(repo.path(), &[], true, OPTIONS).unwrap().stale.is_empty());
}

#[test]
fn non_breaking_spec_change_passes_with_a_patch_bump() {
    let repo = Repo::released();
    repo.edit_spec(|spec| {
        let statuses = spec.pointer_mut("/components/schemas/SessionStatus/enum").unwrap().as_array_mut().unwrap();
        statuses.push("paused".into());
    });
    release::changelog(repo.path(), &[], false, OPTIONS).unwrap();
    let unreleased = repo.changelog().unreleased;
    assert_eq!(unreleased.sections.len(), 1);
    assert_eq!(unreleased.sections[0].name, "Added");
    let [entry] = unreleased.sections[0].entries.as_slice() else { panic!("{unreleased:?}") };
    assert!(entry.text.starts_with("(spec) Enum value added: `SessionStatus` (`paused`) — in `"), "{}", entry.text);
    assert!(!entry.is_breaking());

    // Not breaking: the unchanged version passes, and so does a patch release.
    assert!(release::check(repo.path()).unwrap().problems.is_empty());
    let released = release::release(repo.path(), "demo", version("0.1.1"), false).unwrap();
    assert_eq!(released.tag, "demo-v0.1.1");
    repo.assert_version("0.1.1");
    let changelog = repo.changelog();
    assert_eq!(changelog.releases[0].heading, format!("[0.1.1] - {}", release::today()));
    assert_eq!(changelog.releases[0].entries(), std::slice::from_ref(entry));
    assert!(release::check(repo.path()).unwrap().problems.is_empty());
}

#[test]
fn versions_that_disagree_fail_the_check() {
    let repo = Repo::released();
    let manifest = repo.read("Cargo.toml").replace(
        "demo = { path = \"clients/demo\", version = \"0.1.0\" }",
        "demo = { path = \"clients/demo\", version = \"0.0.9\" }",
    );
    repo.write("Cargo.toml", &manifest);
    let problems = release::check(repo.path()).unwrap().problems;
    assert_eq!(problems, ["Cargo.toml: [workspace.dependencies] requires demo \"0.0.9\", its version is 0.1.0"]);
    let error = release::release(repo.path(), "demo-api", version("0.2.0"), false).unwrap_err();
    assert!(format!("{error:#}").contains("`demo-api` is released with `demo`"), "{error:#}");
}

/// The workspace's own notes: every `[Unreleased]` section is what `cargo xtask changelog`
/// writes (run it after a spec change), and the versions pass `release --check`.
#[test]
fn workspace_changelogs_are_up_to_date() {
    let root = support::workspace_root();
    let report = release::changelog(&root, &[], true, OPTIONS).unwrap();
    assert!(report.stale.is_empty(), "run `cargo xtask changelog`: {:?}", report.stale);
    let check = release::check(&root).unwrap();
    assert!(check.problems.is_empty(), "{:?}", check.problems);
}
