//! `cargo xtask diff`: each kind of spec change is found and classified (fixture pairs under
//! `tests/fixtures/diff/<case>/{old,new}.yaml`, Markdown reports as insta snapshots), identical
//! specs report nothing, bad input is an error, and the git path works on a scratch repository.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use Severity::{Breaking, NonBreaking};
use xtask::diff::{self, ChangeKind, DiffError, Report, Severity, Side};

fn fixture_dir(case: &str) -> PathBuf {
    support::workspace_root().join("tests/fixtures/diff").join(case)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Diffs a fixture pair and snapshots its Markdown report.
fn diff_case(case: &str) -> Report {
    let dir = fixture_dir(case);
    let report = diff::diff_specs(&read(&dir.join("old.yaml")), &read(&dir.join("new.yaml"))).unwrap();
    insta::assert_snapshot!(case, report.to_markdown(case));
    report
}

/// The severity of the one change of `kind` at `target`; fails if there is not exactly one.
fn severity(report: &Report, kind: ChangeKind, target: &str) -> Severity {
    let found: Vec<_> = report.changes.iter().filter(|c| c.kind == kind && c.target == target).collect();
    assert_eq!(found.len(), 1, "expected one {kind} at `{target}` in:\n{}", report.to_markdown("report"));
    found[0].severity
}

#[test]
fn operations_removed_added_and_renamed() {
    let report = diff_case("operations");
    assert_eq!(severity(&report, ChangeKind::OperationRemoved, "DELETE /messages/{id} (delete_message)"), Breaking);
    assert_eq!(severity(&report, ChangeKind::OperationAdded, "POST /messages/{id}/read (mark_read)"), NonBreaking);
    assert_eq!(severity(&report, ChangeKind::OperationRenamed, "POST /messages (post_message)"), Breaking);
    assert_eq!(report.changes.len(), 3, "the unchanged operation reports nothing");
    assert_eq!(report.exit_code(), 2);
}

#[test]
fn parameters_by_location_and_name() {
    let report = diff_case("parameters");
    assert_eq!(severity(&report, ChangeKind::ParameterAdded, "query.channel"), Breaking, "new required");
    assert_eq!(severity(&report, ChangeKind::ParameterAdded, "query.order"), NonBreaking, "new optional");
    assert_eq!(severity(&report, ChangeKind::ParameterRemoved, "query.before_id"), Breaking);
    assert_eq!(severity(&report, ChangeKind::ParameterRequired, "query.limit"), Breaking);
    assert_eq!(severity(&report, ChangeKind::ParameterOptional, "query.cursor"), NonBreaking);
    assert_eq!(severity(&report, ChangeKind::TypeChanged, "query.since"), Breaking, "a format is part of the type");
    assert_eq!(severity(&report, ChangeKind::TypeChanged, "path.session_id"), Breaking, "path-level parameter");
    // Moving a parameter from the header to the query is a removal and an addition.
    assert_eq!(severity(&report, ChangeKind::ParameterRemoved, "header.X-Trace"), Breaking);
    assert_eq!(severity(&report, ChangeKind::ParameterAdded, "query.X-Trace"), NonBreaking);
}

#[test]
fn request_fields_follow_the_rules_for_input() {
    let report = diff_case("request-fields");
    assert_eq!(severity(&report, ChangeKind::RequestBodyRequired, "POST /messages (send_message)"), Breaking);
    // `SendMessage` is an allOf: its members are merged, and the nested object is walked.
    assert_eq!(severity(&report, ChangeKind::FieldRequired, "SendMessage.session_id"), Breaking);
    assert_eq!(severity(&report, ChangeKind::FieldRemoved, "SendMessage.reply_to"), Breaking);
    assert_eq!(severity(&report, ChangeKind::FieldAdded, "SendMessage.caption"), NonBreaking);
    assert_eq!(severity(&report, ChangeKind::TypeChanged, "SendMessage.preview_url"), Breaking);
    // Made optional, a request field's setter still takes a `T`: code that builds it compiles.
    assert_eq!(severity(&report, ChangeKind::FieldOptional, "SendMessage.options.priority"), NonBreaking);
    assert_eq!(severity(&report, ChangeKind::FieldAdded, "SendMessage.options.silent"), NonBreaking);
    assert_eq!(severity(&report, ChangeKind::TypeChanged, "SendMessage.options.tags[]"), Breaking);
    // An inline multipart body is compared in place, under its operation.
    assert_eq!(severity(&report, ChangeKind::FieldAdded, "body.client_id"), Breaking, "new required input");
    assert_eq!(severity(&report, ChangeKind::FieldRemoved, "body.file_name"), Breaking);
    let tags = report.changes.iter().find(|c| c.target == "SendMessage.options.tags[]").unwrap();
    assert_eq!(tags.detail, "string → integer");
    assert_eq!(tags.operations, ["POST /messages (send_message)"]);
    let priority = report.changes.iter().find(|c| c.target == "SendMessage.options.priority").unwrap();
    assert_eq!(priority.detail, "its builder still takes a `T`; reading it gives `Option<T>`");
}

#[test]
fn response_fields_follow_the_rules_for_output() {
    let report = diff_case("response-fields");
    // Required: code that builds the response (a service's tests) must now set it.
    assert_eq!(severity(&report, ChangeKind::FieldAdded, "SessionList.total"), Breaking, "required");
    assert_eq!(severity(&report, ChangeKind::FieldAdded, "Session.worker_id"), NonBreaking);
    assert_eq!(severity(&report, ChangeKind::FieldRemoved, "Session.label"), Breaking);
    assert_eq!(severity(&report, ChangeKind::FieldOptional, "Session.created_at"), Breaking);
    let created_at = report.changes.iter().find(|c| c.kind == ChangeKind::FieldOptional).unwrap();
    assert_eq!(created_at.detail, "responses may leave it out; its Rust type changes from `T` to `Option<T>`");
    assert_eq!(severity(&report, ChangeKind::NullableAdded, "Session.created_at"), Breaking);
    assert_eq!(
        severity(&report, ChangeKind::NullableRemoved, "SessionList.next_cursor"),
        Breaking,
        "`Option<T>` → `T`"
    );
    assert_eq!(severity(&report, ChangeKind::TypeChanged, "Session.phone_number"), Breaking);
    assert_eq!(severity(&report, ChangeKind::TypeChanged, "Session.metadata{}"), Breaking, "map values");
    assert_eq!(severity(&report, ChangeKind::TypeChanged, "error"), Breaking, "the error body's type");
    assert_eq!(severity(&report, ChangeKind::ResponseAdded, "GET /sessions (list_sessions)"), NonBreaking);
    let session = report.changes.iter().find(|c| c.target == "Session.label").unwrap();
    assert_eq!(
        session.operations,
        ["GET /sessions (list_sessions)", "GET /sessions/{id} (get_session)"],
        "a shared schema names every operation reaching it, also through another schema"
    );
}

#[test]
fn enum_values_added_are_tolerated_and_removed_ones_break() {
    let report = diff_case("enums");
    assert_eq!(severity(&report, ChangeKind::EnumValueRemoved, "SessionStatus"), Breaking);
    assert_eq!(severity(&report, ChangeKind::EnumValueAdded, "SessionStatus"), NonBreaking);
    assert_eq!(severity(&report, ChangeKind::EnumValueAdded, "query.order"), NonBreaking, "inline parameter enum");
    assert_eq!(severity(&report, ChangeKind::EnumValueAdded, "Channel"), Breaking, "a one-value enum is filled in");
    assert_eq!(severity(&report, ChangeKind::TypeChanged, "Session.kind"), Breaking, "a string becomes an enum");
    let removed = report.changes.iter().find(|c| c.kind == ChangeKind::EnumValueRemoved).unwrap();
    assert_eq!(removed.detail, "`deleted`");
}

#[test]
fn variants_are_matched_by_name_and_judged_as_rust_callers_see_them() {
    let report = diff_case("variants");
    assert_eq!(severity(&report, ChangeKind::VariantAdded, "OutgoingMessage.oneOf[Poll]"), NonBreaking, "request");
    // The enum is `#[non_exhaustive]`: code compiles; the detail tells what older clients meet.
    assert_eq!(severity(&report, ChangeKind::VariantAdded, "Event.oneOf[Failed]"), NonBreaking, "response");
    let failed = report.changes.iter().find(|c| c.target == "Event.oneOf[Failed]").unwrap();
    assert_eq!(failed.detail, "clients before this version cannot decode it");
    assert_eq!(severity(&report, ChangeKind::VariantRemoved, "OutgoingMessage.oneOf[Sticker]"), Breaking);
    assert_eq!(severity(&report, ChangeKind::FieldAdded, "OutgoingMessage.oneOf[Image].mime_type"), Breaking);
    assert_eq!(severity(&report, ChangeKind::FieldAdded, "OutgoingMessage.oneOf[Text].preview_url"), NonBreaking);
}

#[test]
fn security_changes_per_operation_and_per_scheme() {
    let report = diff_case("security");
    assert_eq!(severity(&report, ChangeKind::SecurityRemoved, "GET /sessions (list_sessions)"), Breaking);
    assert_eq!(severity(&report, ChangeKind::SecurityAdded, "POST /sessions (create_session)"), NonBreaking);
    assert_eq!(severity(&report, ChangeKind::SecurityRemoved, "GET /health (health)"), Breaking, "was public");
    assert_eq!(severity(&report, ChangeKind::SecuritySchemeChanged, "accountToken"), Breaking);
    assert_eq!(severity(&report, ChangeKind::SecuritySchemeRemoved, "sessionKey"), Breaking);
    assert_eq!(severity(&report, ChangeKind::SecuritySchemeAdded, "partnerKey"), NonBreaking);
    assert_eq!(severity(&report, ChangeKind::CredentialPlacementChanged, "PATCH /profile (update_profile)"), Breaking);
    let health = report.changes.iter().find(|c| c.target == "GET /health (health)" && c.severity == Breaking).unwrap();
    assert_eq!(health.detail, "anonymous access");
}

#[test]
fn component_schemas_by_name() {
    let report = diff_case("schemas");
    assert_eq!(severity(&report, ChangeKind::SchemaRemoved, "Legacy"), Breaking);
    assert_eq!(severity(&report, ChangeKind::SchemaAdded, "ContactPage"), NonBreaking);
    assert_eq!(severity(&report, ChangeKind::TypeChanged, "response"), Breaking, "another $ref is another Rust type");
    assert_eq!(severity(&report, ChangeKind::TypeChanged, "ContactList.data[]"), Breaking);
    assert!(
        !report.changes.iter().any(|c| c.target.starts_with("ContactPage.")),
        "a schema that is new is reported once, not field by field"
    );
}

#[test]
fn additions_only_are_not_breaking() {
    let report = diff_case("non-breaking");
    assert!(!report.is_breaking(), "{}", report.to_markdown("non-breaking"));
    assert_eq!(report.exit_code(), 0);
    assert!(report.changes.len() >= 8, "every addition is still listed");
}

#[test]
fn identical_specs_report_no_changes() {
    for provider in xtask::config::providers(&support::workspace_root()).unwrap() {
        let text = read(&provider.spec_path(&support::workspace_root()));
        let report = diff::diff_specs(&text, &text).unwrap();
        assert_eq!(report, Report::default(), "{}", provider.spec);
        assert_eq!(report.to_markdown(&provider.name), format!("## {}\n\nNo API changes.\n", provider.name));
        assert_eq!(diff::summary([&report]), "**Summary:** no API changes.\n");
    }
}

/// The real specs hold every construct the diff walks; a removed operation and a removed enum
/// value in `specs/wapio.yaml` are found there too.
#[test]
fn edits_of_a_real_spec_are_found() {
    let text = read(&support::workspace_root().join("specs/wapio.yaml"));
    let mut spec: serde_json::Value = serde_yaml::from_str(&text).unwrap();
    let paths = spec["paths"].as_object_mut().unwrap();
    let (path, item) = paths.iter_mut().find(|(_, item)| item.get("delete").is_some()).unwrap();
    let path = path.clone();
    let removed = item.as_object_mut().unwrap().remove("delete").unwrap();
    let statuses = spec.pointer_mut("/components/schemas/SessionStatus/enum").unwrap().as_array_mut().unwrap();
    let status = statuses.pop().unwrap();

    let report = diff::diff_specs(&text, &serde_yaml::to_string(&spec).unwrap()).unwrap();
    let operation = format!("DELETE {path} ({})", removed["operationId"].as_str().unwrap());
    assert_eq!(severity(&report, ChangeKind::OperationRemoved, &operation), Breaking);
    let value = report.changes.iter().find(|c| c.kind == ChangeKind::EnumValueRemoved).unwrap();
    assert_eq!(
        (value.target.as_str(), value.detail.clone()),
        ("SessionStatus", format!("`{}`", status.as_str().unwrap()))
    );
    assert!(value.operations.iter().any(|op| op.contains("(list_sessions)")), "{:?}", value.operations);
}

#[test]
fn unreadable_specs_are_errors_naming_the_side() {
    let valid = read(&fixture_dir("operations").join("old.yaml"));
    let error = diff::diff_specs("paths: [unclosed", &valid).unwrap_err();
    assert_eq!(error.side, Side::Old);
    assert!(error.to_string().starts_with("old spec: not valid YAML"), "{error}");
    let error: DiffError = diff::diff_specs(&valid, "- just\n- a list\n").unwrap_err();
    assert_eq!((error.side, error.to_string()), (Side::New, "new spec: the top level is not a mapping".to_string()));
}

#[test]
fn reference_loops_end() {
    let looped = "openapi: 3.0.3\n\
                  paths: {}\n\
                  components:\n  schemas:\n    \
                    A: {allOf: [{$ref: '#/components/schemas/A'}], properties: {x: {type: string}}}\n    \
                    B: {$ref: '#/components/schemas/C'}\n    \
                    C: {$ref: '#/components/schemas/B'}\n";
    let report = diff::diff_specs(looped, looped).unwrap();
    assert!(report.changes.is_empty(), "{report:?}");
}

#[test]
fn command_compares_two_files_and_exits_2_on_breaking() {
    let run = |case: &str| {
        let dir = fixture_dir(case);
        let args = ["--old", "old.yaml", "--new", "new.yaml"].map(|arg| match arg {
            "old.yaml" | "new.yaml" => dir.join(arg).display().to_string(),
            flag => flag.to_string(),
        });
        diff::run(&args).unwrap()
    };
    assert_eq!(run("operations"), ExitCode::from(2));
    assert_eq!(run("non-breaking"), ExitCode::SUCCESS);
    for bad in
        [&["--old", "a.yaml"][..], &["--base"], &["--frobnicate"], &["--base", "HEAD", "--old", "a", "--new", "b"]]
    {
        let args: Vec<String> = bad.iter().map(ToString::to_string).collect();
        assert!(diff::run(&args).is_err(), "{bad:?} must be refused");
    }
    let missing = ["--old", "no-such.yaml", "--new", "no-such.yaml"].map(String::from);
    assert!(diff::run(&missing).unwrap_err().to_string().contains("no-such.yaml"));
}

// ------------------------------------------------------------------ the git path

/// A scratch git repository with one provider, committed on `main`.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Self {
        let repo = Repo { dir: tempfile::tempdir().unwrap() };
        std::fs::create_dir_all(repo.path().join("specs")).unwrap();
        std::fs::create_dir_all(repo.path().join("xtask")).unwrap();
        repo.write("xtask/providers.toml", "demo = { spec = \"demo.yaml\", crate = \"demo-api\" }\n");
        repo.write("specs/demo.yaml", &read(&fixture_dir("operations").join("old.yaml")));
        repo.git(&["init", "--quiet", "--initial-branch=main"]);
        repo.commit("first");
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, file: &str, text: &str) {
        std::fs::write(self.path().join(file), text).unwrap();
    }

    fn git(&self, args: &[&str]) -> String {
        support::git(self.path(), args)
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "--quiet", "-m", message]);
    }
}

#[test]
fn git_base_head_compares_the_working_tree_with_the_last_commit() {
    let repo = Repo::new();
    repo.write("specs/demo.yaml", &read(&fixture_dir("operations").join("new.yaml")));

    let report = diff::diff_workspace(repo.path(), Some("HEAD")).unwrap();
    assert_eq!(report.base.commit, repo.git(&["rev-parse", "HEAD"]));
    assert_eq!(report.specs.len(), 1);
    assert_eq!(report.specs[0].provider, "demo");
    let direct = diff::diff_specs(
        &read(&fixture_dir("operations").join("old.yaml")),
        &read(&fixture_dir("operations").join("new.yaml")),
    )
    .unwrap();
    assert_eq!(report.specs[0].report, direct, "the base text comes from git, the new one from the working tree");
    assert_eq!(report.exit_code(), 2);
    let markdown = report.to_markdown();
    assert!(markdown.starts_with("# API changes since `HEAD` ("), "{markdown}");
    assert!(markdown.contains("## demo\n\n### Breaking (2)"), "{markdown}");
    assert!(markdown.ends_with("**Summary:** 2 breaking, 1 non-breaking changes.\n"), "{markdown}");

    // On `main` without `--base`, the base is the last commit too.
    let default = diff::diff_workspace(repo.path(), None).unwrap();
    assert_eq!((default.base.commit, default.base.chosen.as_str()), (report.base.commit, "the last commit on `main`"));
}

#[test]
fn git_default_base_on_a_branch_is_the_merge_base_with_main() {
    let repo = Repo::new();
    let main = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["checkout", "--quiet", "-b", "feature"]);
    repo.write("specs/demo.yaml", &read(&fixture_dir("operations").join("new.yaml")));
    repo.commit("rename send_message");

    let report = diff::diff_workspace(repo.path(), None).unwrap();
    assert_eq!(report.base.commit, main);
    assert_eq!(report.base.chosen, "the merge base with `main`");
    assert!(report.is_breaking());
    assert!(diff::diff_workspace(repo.path(), Some("HEAD")).unwrap().specs[0].report.changes.is_empty());
}

#[test]
fn git_providers_added_and_removed() {
    let repo = Repo::new();
    std::fs::remove_file(repo.path().join("specs/demo.yaml")).unwrap();
    repo.write("xtask/providers.toml", "fresh = { spec = \"fresh.yaml\", crate = \"fresh-api\" }\n");
    repo.write("specs/fresh.yaml", &read(&fixture_dir("non-breaking").join("new.yaml")));

    let report = diff::diff_workspace(repo.path(), Some("HEAD")).unwrap();
    let summary: Vec<_> = report
        .specs
        .iter()
        .map(|spec| {
            let change = &spec.report.changes[0];
            (spec.provider.as_str(), change.kind, change.severity, change.target.as_str(), change.detail.as_str())
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("demo", ChangeKind::SpecRemoved, Breaking, "specs/demo.yaml", "3 operations"),
            ("fresh", ChangeKind::SpecAdded, NonBreaking, "specs/fresh.yaml", "3 operations"),
        ]
    );
    assert_eq!(report.exit_code(), 2);
}

#[test]
fn git_unknown_base_is_an_error() {
    let repo = Repo::new();
    let error = diff::diff_workspace(repo.path(), Some("no-such-branch")).unwrap_err();
    assert!(format!("{error:#}").contains("`no-such-branch` is not a commit"), "{error:#}");
}
