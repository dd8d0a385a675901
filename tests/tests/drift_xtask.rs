//! `cargo xtask drift`: captured drift events become spec edits. Every test runs on a scratch
//! copy of `specs/` and `xtask/providers.toml` (a temporary directory laid out like the
//! workspace), never on the real specs.
//!
//! Each edit is checked three ways: in the printed diff, in the written spec (loads, passes
//! `xtask::spec::check`, holds the new node with its `x-observed` marker), and byte for byte:
//! the written file equals the original except for exactly the expected lines.

use crate::support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use tempfile::TempDir;

/// A scratch workspace: `xtask/providers.toml` and the specs (`specs/*.yaml`, no upstream data).
fn scratch() -> TempDir {
    let real = support::workspace_root();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("xtask")).unwrap();
    std::fs::create_dir_all(dir.path().join("specs")).unwrap();
    std::fs::copy(real.join("xtask/providers.toml"), dir.path().join("xtask/providers.toml")).unwrap();
    for entry in std::fs::read_dir(real.join("specs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            std::fs::copy(&path, dir.path().join("specs").join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

fn spec_path(root: &Path, provider: &str) -> PathBuf {
    root.join("specs").join(format!("{provider}.yaml"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The spec as JSON, after it passed the xtask's spec checks.
fn checked(path: &Path) -> Value {
    let document = xtask::spec::load(path).unwrap_or_else(|e| panic!("{e}"));
    match xtask::spec::check(path, document) {
        Ok(spec) => spec.document,
        Err(errors) => panic!("{} fails the spec checks: {errors:#?}", path.display()),
    }
}

/// One drift event as tracing-subscriber's default JSON layout writes it (fields nested).
fn event(provider: &str, operation: &str, kind: &str, status: Option<u16>, path: &str, value: Option<Value>) -> String {
    let mut fields = json!({
        "message": "spec drift", "provider": provider, "operation": operation, "kind": kind, "path": path,
    });
    if let Some(status) = status {
        fields["status"] = json!(status);
    }
    if let Some(value) = value {
        fields["value"] = value;
    }
    json!({"timestamp": "2026-12-02T10:00:00.000000Z", "level": "WARN", "fields": fields, "target": "whatsapp_sdk::drift"})
        .to_string()
}

/// The same event with `.flatten_event(true)`: fields at the top level.
fn flattened(line: &str) -> String {
    let mut value: Value = serde_json::from_str(line).unwrap();
    let fields = value.as_object_mut().unwrap().remove("fields").unwrap();
    for (name, field) in fields.as_object().unwrap() {
        value[name] = field.clone();
    }
    value.to_string()
}

fn with_schema(line: &str, schema: &str) -> String {
    let mut value: Value = serde_json::from_str(line).unwrap();
    value["fields"]["schema"] = json!(schema);
    value.to_string()
}

fn log(root: &Path, name: &str, lines: &[String]) -> String {
    let path = root.join(name);
    std::fs::write(&path, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    path.display().to_string()
}

struct Run {
    status: u8,
    stdout: String,
    stderr: String,
}

fn drift(root: &Path, args: &[&str]) -> Run {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = xtask::drift::run_with(root, &args, &mut out, &mut err).unwrap();
    let run = Run { status, stdout: String::from_utf8(out).unwrap(), stderr: String::from_utf8(err).unwrap() };
    eprintln!("--- drift {args:?}: exit {}\n{}{}", run.status, run.stdout, run.stderr);
    run
}

/// The lines `after` has instead of `before`'s: common leading and trailing lines cut away.
/// Joined with the common lines they give both files back, so everything outside them is
/// byte-identical.
fn changed_lines<'t>(before: &'t str, after: &'t str) -> (Vec<&'t str>, Vec<&'t str>) {
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    let new: Vec<&str> = after.split_inclusive('\n').collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let room = old.len().min(new.len()) - prefix;
    let suffix = old.iter().rev().zip(new.iter().rev()).take(room).take_while(|(a, b)| a == b).count();
    (old[prefix..old.len() - suffix].to_vec(), new[prefix..new.len() - suffix].to_vec())
}

/// The lines a unified diff adds (without the `+`), headers left out.
fn added_in_diff(diff: &str) -> Vec<String> {
    diff.lines().filter(|l| l.starts_with('+') && !l.starts_with("+++")).map(|l| format!("{}\n", &l[1..])).collect()
}

fn removed_in_diff(diff: &str) -> Vec<String> {
    diff.lines().filter(|l| l.starts_with('-') && !l.starts_with("---")).map(|l| format!("{}\n", &l[1..])).collect()
}

/// Runs the command on `lines` (printing, then `--write`), and checks that exactly `removed`
/// gave way to `added` in `provider`'s spec, in the diff and in the file. Returns the written
/// spec as JSON.
fn edit_round_trip(provider: &str, lines: &[String], removed: &[&str], added: &[&str]) -> Value {
    let dir = scratch();
    let root = dir.path();
    let file = log(root, "drift.jsonl", lines);
    let spec = spec_path(root, provider);
    let before = read(&spec);

    let printed = drift(root, &[&file]);
    assert_eq!(printed.status, 0, "{}", printed.stderr);
    assert_eq!(read(&spec), before, "printing the diff writes nothing");
    assert!(printed.stdout.contains(&format!("--- a/specs/{provider}.yaml\n+++ b/specs/{provider}.yaml\n")));
    assert_eq!(added_in_diff(&printed.stdout), added, "diff:\n{}", printed.stdout);
    assert_eq!(removed_in_diff(&printed.stdout), removed, "diff:\n{}", printed.stdout);

    let written = drift(root, &["--write", &file]);
    assert_eq!(written.status, 0, "{}", written.stderr);
    assert!(written.stdout.contains(&format!("wrote specs/{provider}.yaml (1 edit(s))")), "{}", written.stdout);
    let after = read(&spec);
    let (old, new) = changed_lines(&before, &after);
    assert_eq!(old, removed, "only these lines of the spec may change");
    assert_eq!(new, added, "and only these may appear");
    let leftovers: Vec<_> = std::fs::read_dir(root.join("specs")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(leftovers.iter().all(|n| n.to_string_lossy().ends_with(".yaml")), "no temporary file left: {leftovers:?}");
    checked(&spec)
}

const TEMPLATE_SCORE: &str = "/data/0/templates/0/quality_score";

#[test]
fn unknown_field_becomes_an_optional_observed_property() {
    let path = format!("{TEMPLATE_SCORE}/drift_probe");
    let line = event("woztell", "list_templates", "unknown_field", Some(200), &path, Some(json!("array")));
    let spec = edit_round_trip(
        "woztell",
        &[line],
        &[],
        &["        drift_probe:\n", "          type: array\n", "          items: {}\n", "          x-observed: true\n"],
    );
    let score = &spec["components"]["schemas"]["TemplateQualityScore"];
    assert_eq!(score["properties"]["drift_probe"], json!({"type": "array", "items": {}, "x-observed": true}));
    let required = score["required"].as_array().cloned().unwrap_or_default();
    assert!(!required.contains(&json!("drift_probe")), "the new property is optional");
}

#[test]
fn unknown_enum_value_is_appended_and_listed_as_observed() {
    let dir = scratch();
    let before = read(&spec_path(dir.path(), "woztell"));
    let enum_line = before
        .split_inclusive('\n')
        .skip_while(|l| *l != "    TemplateCategory:\n")
        .find(|l| l.starts_with("      enum: ["))
        .expect("TemplateCategory has a flow enum list")
        .to_string();
    let appended = enum_line.replace("]\n", ", DRIFT_PROBE]\n");
    let line = with_schema(
        &event(
            "woztell",
            "list_templates",
            "unknown_enum_value",
            Some(200),
            "/data/0/category",
            Some(json!("DRIFT_PROBE")),
        ),
        "TemplateCategory",
    );
    let spec =
        edit_round_trip("woztell", &[line], &[&enum_line], &[&appended, "      x-observed-values: [DRIFT_PROBE]\n"]);
    let category = &spec["components"]["schemas"]["TemplateCategory"];
    assert_eq!(category["enum"].as_array().unwrap().last(), Some(&json!("DRIFT_PROBE")));
    assert_eq!(category["x-observed-values"], json!(["DRIFT_PROBE"]));
}

#[test]
fn an_enum_is_found_by_path_when_the_event_names_no_schema() {
    let dir = scratch();
    let root = dir.path();
    let line =
        event("woztell", "list_templates", "unknown_enum_value", Some(200), "/data/0/category", Some(json!("BY_PATH")));
    let file = log(root, "drift.jsonl", &[flattened(&line)]);
    let run = drift(root, &[&file]);
    assert_eq!(run.status, 0);
    assert!(added_in_diff(&run.stdout).contains(&"      x-observed-values: [BY_PATH]\n".to_string()), "{}", run.stdout);
}

#[test]
fn undocumented_status_gets_a_response_with_the_error_schema() {
    let line = event("wapio", "get_session", "undocumented_status", Some(503), "", Some(json!(503)));
    let dir = scratch();
    let documented = checked(&spec_path(dir.path(), "wapio"));
    // The operation's documented error body, through its `$ref` to components/responses.
    let operation = documented["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .find(|op| op["operationId"] == "get_session")
        .cloned()
        .unwrap();
    let not_found = &operation["responses"]["404"];
    let not_found = match not_found["$ref"].as_str() {
        Some(reference) => documented.pointer(reference.trim_start_matches('#')).unwrap().clone(),
        None => not_found.clone(),
    };
    let error_ref = not_found["content"]["application/json"]["schema"]["$ref"].as_str().unwrap().to_string();

    let added = [
        "        '503':\n".to_string(),
        format!("          description: {}\n", xtask::drift::RESPONSE_DESCRIPTION),
        "          x-observed: true\n".to_string(),
        "          content:\n".to_string(),
        "            application/json:\n".to_string(),
        "              schema:\n".to_string(),
        format!("                $ref: '{error_ref}'\n"),
    ];
    let added: Vec<&str> = added.iter().map(String::as_str).collect();
    let spec = edit_round_trip("wapio", &[line], &[], &added);
    let operation = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .find(|op| op["operationId"] == "get_session")
        .unwrap();
    let response = &operation["responses"]["503"];
    assert_eq!(response["x-observed"], json!(true));
    assert_eq!(response["content"]["application/json"]["schema"]["$ref"], json!(error_ref));
    assert!(response["content"]["application/json"].get("example").is_none(), "no example");
}

#[test]
fn content_type_and_body_findings_are_listed_for_a_human_only() {
    let dir = scratch();
    let root = dir.path();
    let lines = [
        event("wapio", "get_session", "unexpected_content_type", Some(502), "", Some(json!("text/html"))),
        event("woztell", "list_templates", "invalid_body", Some(200), "/data/0/name", None),
    ];
    let file = log(root, "drift.jsonl", &lines);
    let before: Vec<String> = ["wapio", "woztell"].iter().map(|p| read(&spec_path(root, p))).collect();
    let run = drift(root, &["--write", &file]);
    assert_eq!(run.status, 0);
    assert!(run.stdout.starts_with("Findings for a human (no automatic edit):\n"), "{}", run.stdout);
    assert!(run.stdout.contains("wapio get_session (HTTP 502) unexpected_content_type: content type `text/html`"));
    assert!(run.stdout.contains("woztell list_templates (HTTP 200) invalid_body at /data/0/name"));
    assert!(run.stdout.contains("drift.jsonl:2"), "each names where it was seen: {}", run.stdout);
    assert!(!run.stdout.contains("wrote"), "nothing is written");
    let after: Vec<String> = ["wapio", "woztell"].iter().map(|p| read(&spec_path(root, p))).collect();
    assert_eq!(before, after);
}

#[test]
fn webhook_findings_resolve_against_the_webhook_schema() {
    let dir = scratch();
    let root = dir.path();
    let line = event(
        "verloop-partner",
        "webhook",
        "unknown_field",
        None,
        "/entry/0/changes/0/value/metadata/drift_probe",
        Some(json!("boolean")),
    );
    let file = log(root, "drift.jsonl", &[line]);
    assert_eq!(drift(root, &["--write", &file]).status, 0);
    let spec = checked(&spec_path(root, "verloop-partner"));
    assert_eq!(
        spec["components"]["schemas"]["WebhookMetadata"]["properties"]["drift_probe"],
        json!({"type": "boolean", "x-observed": true})
    );
}

#[test]
fn duplicates_merge_into_one_edit() {
    let path = format!("{TEMPLATE_SCORE}/drift_probe");
    let line = event("woztell", "list_templates", "unknown_field", Some(200), &path, Some(json!("string")));
    let dir = scratch();
    let root = dir.path();
    let file = log(root, "drift.jsonl", &[line.clone(), line.clone(), flattened(&line)]);
    let run = drift(root, &[&file]);
    assert_eq!(run.status, 0);
    assert_eq!(
        added_in_diff(&run.stdout),
        ["        drift_probe:\n", "          type: string\n", "          x-observed: true\n"]
    );
    assert!(run.stderr.contains("3 event(s), 1 finding(s): 1 edit(s) proposed"), "{}", run.stderr);
}

#[test]
fn string_and_null_merge_into_one_nullable_property() {
    let path = format!("{TEMPLATE_SCORE}/drift_probe");
    let lines = [
        event("woztell", "list_templates", "unknown_field", Some(200), &path, Some(json!("string"))),
        event("woztell", "list_templates", "unknown_field", Some(200), &path, Some(json!("null"))),
    ];
    let spec = edit_round_trip(
        "woztell",
        &lines,
        &[],
        &[
            "        drift_probe:\n",
            "          type: string\n",
            "          nullable: true\n",
            "          x-observed: true\n",
        ],
    );
    assert_eq!(
        spec["components"]["schemas"]["TemplateQualityScore"]["properties"]["drift_probe"],
        json!({"type": "string", "nullable": true, "x-observed": true})
    );
}

#[test]
fn two_non_null_types_are_left_to_a_human() {
    let dir = scratch();
    let root = dir.path();
    let path = format!("{TEMPLATE_SCORE}/drift_probe");
    let lines = [
        event("woztell", "list_templates", "unknown_field", Some(200), &path, Some(json!("string"))),
        event("woztell", "list_templates", "unknown_field", Some(200), &path, Some(json!("object"))),
    ];
    let file = log(root, "drift.jsonl", &lines);
    let run = drift(root, &[&file]);
    assert_eq!(run.status, 0, "a conflict is not bad input");
    assert!(run.stdout.contains("seen as `string` and `object`; no edit"), "{}", run.stdout);
    assert!(!run.stdout.contains("+++"), "no diff");
}

#[test]
fn bad_lines_are_reported_by_line_and_skipped_while_good_ones_apply() {
    let dir = scratch();
    let root = dir.path();
    let good = event(
        "woztell",
        "list_templates",
        "unknown_field",
        Some(200),
        &format!("{TEMPLATE_SCORE}/drift_probe"),
        Some(json!("integer")),
    );
    let lines = [
        r#"{"timestamp":"2026-12-02T10:00:00Z","level":"INFO","fields":{"message":"sent"},"target":"wapio::client"}"#
            .to_string(),
        "this is not JSON".to_string(),
        event("woztell", "no_such_operation", "unknown_field", Some(200), "/x", Some(json!("string"))),
        good,
        event(
            "woztell",
            "list_templates",
            "unknown_field",
            Some(200),
            "/data/0/no_such_member/x",
            Some(json!("string")),
        ),
        event("woztell", "list_templates", "unknown_oddity", Some(200), "/x", None),
        event("nobody", "list_templates", "unknown_field", Some(200), "/x", Some(json!("string"))),
    ];
    let file = log(root, "drift.jsonl", &lines);
    let spec = spec_path(root, "woztell");
    let before = read(&spec);
    let run = drift(root, &["--write", &file]);
    assert_eq!(run.status, 1);
    let reports: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with(&file)).collect();
    assert_eq!(reports.len(), 5, "one report per bad line, the other target's line ignored: {reports:#?}");
    assert!(reports[0].starts_with(&format!("{file}:2: not a JSON log line")), "{reports:#?}");
    assert!(reports[1].starts_with(&format!("{file}:3: woztell no_such_operation: unknown operation")), "{reports:#?}");
    assert!(
        reports[2]
            .starts_with(&format!("{file}:5: woztell list_templates: `no_such_member` in `/data/0` does not resolve"))
    );
    assert_eq!(reports[3], format!("{file}:6: unknown drift kind `unknown_oddity`"));
    assert!(reports[4].starts_with(&format!("{file}:7: unknown provider `nobody`")));
    let after = read(&spec);
    let (removed, added) = changed_lines(&before, &after);
    assert!(removed.is_empty());
    assert_eq!(added, ["        drift_probe:\n", "          type: integer\n", "          x-observed: true\n"]);
    checked(&spec);
}

#[test]
fn a_second_write_finds_everything_in_the_spec() {
    let dir = scratch();
    let root = dir.path();
    let lines = [
        event(
            "woztell",
            "list_templates",
            "unknown_field",
            Some(200),
            &format!("{TEMPLATE_SCORE}/drift_probe"),
            Some(json!("string")),
        ),
        event(
            "woztell",
            "list_templates",
            "unknown_enum_value",
            Some(200),
            "/data/0/category",
            Some(json!("DRIFT_PROBE")),
        ),
        event("wapio", "get_session", "undocumented_status", Some(503), "", Some(json!(503))),
    ];
    let file = log(root, "drift.jsonl", &lines);
    let first = drift(root, &["--write", &file]);
    assert_eq!(first.status, 0);
    assert!(first.stderr.contains("3 edit(s) written"), "{}", first.stderr);
    let written: Vec<String> = ["wapio", "woztell"].iter().map(|p| read(&spec_path(root, p))).collect();

    let second = drift(root, &["--write", &file]);
    assert_eq!(second.status, 0);
    assert!(second.stdout.is_empty(), "nothing to propose: {}", second.stdout);
    assert!(second.stderr.contains("no edits, 3 already in the spec"), "{}", second.stderr);
    let again: Vec<String> = ["wapio", "woztell"].iter().map(|p| read(&spec_path(root, p))).collect();
    assert_eq!(written, again);
    assert!(drift(root, &[&file]).stdout.is_empty(), "and no diff is printed");
}

#[test]
fn specs_dir_option_and_help() {
    let dir = scratch();
    let root = dir.path();
    let other = tempfile::tempdir().unwrap();
    std::fs::copy(spec_path(root, "woztell"), other.path().join("woztell.yaml")).unwrap();
    let line = event(
        "woztell",
        "list_templates",
        "unknown_field",
        Some(200),
        &format!("{TEMPLATE_SCORE}/drift_probe"),
        Some(json!("string")),
    );
    let file = log(root, "drift.jsonl", &[line]);
    let specs = other.path().display().to_string();
    let run = drift(root, &["--specs", &specs, "--write", &file]);
    assert_eq!(run.status, 0);
    assert!(read(&other.path().join("woztell.yaml")).contains("drift_probe"));
    assert!(!read(&spec_path(root, "woztell")).contains("drift_probe"), "the default specs are untouched");

    let help = drift(root, &["--help"]);
    assert!(help.stdout.starts_with("usage: cargo xtask drift [--write] [--specs DIR] FILE..."));
    let args = ["--bogus".to_string()];
    assert!(xtask::drift::run_with(root, &args, &mut Vec::new(), &mut Vec::new()).is_err());
}
