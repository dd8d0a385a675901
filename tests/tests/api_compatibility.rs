//! `cargo xtask diff` calls a spec edit breaking exactly when code written before it stops
//! compiling against the regenerated crates.
//!
//! Each kind of edit is applied to a copy of each provider's spec; the copy is regenerated, and
//! code a service wrote against today's crates (`tests/fixtures/api_compatibility/`, compiled
//! against them as part of this test) is checked against the regenerated ones. The compiler is
//! the independent judge: additive edits must leave that code compiling, breaking ones must not,
//! and the diff must say the same of each edit. The additive edits share one regeneration (they
//! are independent and each is judged on its own by the diff); each breaking kind gets its own,
//! so that a failure is that edit's.

use crate::support;

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use xtask::diff::{ChangeKind, Severity};

/// The code written before the edits, compiled here against today's crates.
#[allow(dead_code)]
#[path = "../fixtures/api_compatibility/mod.rs"]
mod before;

#[test]
fn code_written_before_compiles_against_todays_crates() {
    let (_, group) = before::wapio::requests();
    assert_eq!(group.participants, ["15551234567"]);
    assert_eq!(
        before::wapio::read(&before::wapio::response()),
        ("connected", Some("shop".into()), Some("1555".into()))
    );
    let (text, _) = before::verloop_partner::requests();
    assert_eq!(text.body, "Hello");
    let summary = before::verloop_partner::response();
    assert_eq!(before::verloop_partner::read(&summary), ("usable", Some("1".into()), Some("order_update".into())));
    assert_eq!(before::woztell::requests().waba_id, "waba_1");
    let template = before::woztell::response();
    assert_eq!(before::woztell::read(&template), ("marketing", Some("1".into()), Some("order_update".into())));
}

/// One spec edit on one provider.
struct Edit {
    provider: &'static str,
    /// What the issue calls it.
    kind: &'static str,
    /// The change `cargo xtask diff` reports for it.
    change: ChangeKind,
    /// Where the diff reports it (`Schema.field`, or the operation).
    target: &'static str,
    apply: fn(&mut Value),
}

const ADDITIVE: [&str; 6] = [
    "add an optional request field",
    "add an optional response field",
    "add an enum value",
    "add an operation",
    "add an optional query parameter",
    // Differs from the drift issue's rule: the builder setter still takes a `T`.
    "make a request field optional",
];
const BREAKING: [&str; 3] = ["add a required request field", "remove a response field", "change a field's type"];

fn edits() -> Vec<Edit> {
    vec![
        // Wapio
        Edit {
            provider: "wapio",
            kind: ADDITIVE[0],
            change: ChangeKind::FieldAdded,
            target: "CreateSessionRequest.webhook_url",
            apply: |spec| add_property(spec, "CreateSessionRequest", "webhook_url", json!({"type": "string"}), false),
        },
        Edit {
            provider: "wapio",
            kind: ADDITIVE[1],
            change: ChangeKind::FieldAdded,
            target: "Session.device_model",
            apply: |spec| add_property(spec, "Session", "device_model", json!({"type": "string"}), false),
        },
        Edit {
            provider: "wapio",
            kind: ADDITIVE[2],
            change: ChangeKind::EnumValueAdded,
            target: "SessionStatus",
            apply: |spec| add_enum_value(spec, "SessionStatus", "hibernating"),
        },
        Edit {
            provider: "wapio",
            kind: ADDITIVE[3],
            change: ChangeKind::OperationAdded,
            target: "list_archived_sessions",
            apply: |spec| {
                copy_operation(spec, "/v1/whatsapp-sessions", "/v1/archived-sessions", "list_archived_sessions")
            },
        },
        Edit {
            provider: "wapio",
            kind: ADDITIVE[4],
            change: ChangeKind::ParameterAdded,
            target: "list_sessions",
            apply: |spec| add_query_parameter(spec, "/v1/whatsapp-sessions", "label"),
        },
        Edit {
            provider: "wapio",
            kind: ADDITIVE[5],
            change: ChangeKind::FieldOptional,
            target: "CreateGroupRequest.subject",
            apply: |spec| make_optional(spec, "CreateGroupRequest", "subject"),
        },
        Edit {
            provider: "wapio",
            kind: BREAKING[0],
            change: ChangeKind::FieldAdded,
            target: "CreateGroupRequest.description",
            apply: |spec| add_property(spec, "CreateGroupRequest", "description", json!({"type": "string"}), true),
        },
        Edit {
            provider: "wapio",
            kind: BREAKING[1],
            change: ChangeKind::FieldRemoved,
            target: "Session.label",
            apply: |spec| remove_property(spec, "Session", "label"),
        },
        Edit {
            provider: "wapio",
            kind: BREAKING[2],
            change: ChangeKind::TypeChanged,
            target: "Session.phone_number",
            apply: |spec| set_property(spec, "Session", "phone_number", json!({"type": "integer"})),
        },
        // Verloop
        Edit {
            provider: "verloop-partner",
            kind: ADDITIVE[0],
            change: ChangeKind::FieldAdded,
            target: "TextContent.preview_title",
            apply: |spec| add_property(spec, "TextContent", "preview_title", json!({"type": "string"}), false),
        },
        Edit {
            provider: "verloop-partner",
            kind: ADDITIVE[1],
            change: ChangeKind::FieldAdded,
            target: "TemplateSummary.quality_rating",
            apply: |spec| add_property(spec, "TemplateSummary", "quality_rating", json!({"type": "string"}), false),
        },
        Edit {
            provider: "verloop-partner",
            kind: ADDITIVE[2],
            change: ChangeKind::EnumValueAdded,
            target: "TemplateStatus",
            apply: |spec| add_enum_value(spec, "TemplateStatus", "UNDER_REVIEW"),
        },
        Edit {
            provider: "verloop-partner",
            kind: ADDITIVE[3],
            change: ChangeKind::OperationAdded,
            target: "list_archived_templates",
            apply: |spec| {
                copy_operation(
                    spec,
                    "/whatsapp/list_templates",
                    "/whatsapp/list_archived_templates",
                    "list_archived_templates",
                )
            },
        },
        Edit {
            provider: "verloop-partner",
            kind: ADDITIVE[4],
            change: ChangeKind::ParameterAdded,
            target: "list_templates",
            apply: |spec| add_query_parameter(spec, "/whatsapp/list_templates", "Name"),
        },
        Edit {
            provider: "verloop-partner",
            kind: ADDITIVE[5],
            change: ChangeKind::FieldOptional,
            target: "TextContent.body",
            apply: |spec| make_optional(spec, "TextContent", "body"),
        },
        Edit {
            provider: "verloop-partner",
            kind: BREAKING[0],
            change: ChangeKind::FieldAdded,
            target: "LoginRequest.otp",
            apply: |spec| add_property(spec, "LoginRequest", "otp", json!({"type": "string"}), true),
        },
        Edit {
            provider: "verloop-partner",
            kind: BREAKING[1],
            change: ChangeKind::FieldRemoved,
            target: "TemplateSummary.id",
            apply: |spec| remove_property(spec, "TemplateSummary", "id"),
        },
        Edit {
            provider: "verloop-partner",
            kind: BREAKING[2],
            change: ChangeKind::TypeChanged,
            target: "TemplateSummary.name",
            apply: |spec| set_property(spec, "TemplateSummary", "name", json!({"type": "integer"})),
        },
        // WOZTELL
        Edit {
            provider: "woztell",
            kind: ADDITIVE[0],
            change: ChangeKind::FieldAdded,
            target: "EditTemplateRequest.parameterFormat",
            apply: |spec| {
                add_property(spec, "EditTemplateRequest", "parameterFormat", json!({"type": "string"}), false)
            },
        },
        Edit {
            provider: "woztell",
            kind: ADDITIVE[1],
            change: ChangeKind::FieldAdded,
            target: "MessageTemplate.previous_category",
            apply: |spec| add_property(spec, "MessageTemplate", "previous_category", json!({"type": "string"}), false),
        },
        Edit {
            provider: "woztell",
            kind: ADDITIVE[2],
            change: ChangeKind::EnumValueAdded,
            target: "TemplateCategory",
            apply: |spec| add_enum_value(spec, "TemplateCategory", "SERVICE_UPDATE"),
        },
        Edit {
            provider: "woztell",
            kind: ADDITIVE[3],
            change: ChangeKind::OperationAdded,
            target: "list_archived_templates",
            apply: |spec| {
                copy_operation(
                    spec,
                    "/whatsapp-message-templates",
                    "/archived-message-templates",
                    "list_archived_templates",
                )
            },
        },
        Edit {
            provider: "woztell",
            kind: ADDITIVE[4],
            change: ChangeKind::ParameterAdded,
            target: "list_templates",
            apply: |spec| add_query_parameter(spec, "/whatsapp-message-templates", "sort"),
        },
        Edit {
            provider: "woztell",
            kind: ADDITIVE[5],
            change: ChangeKind::FieldOptional,
            target: "EditTemplateRequest.messageTemplateLanguage",
            apply: |spec| make_optional(spec, "EditTemplateRequest", "messageTemplateLanguage"),
        },
        Edit {
            provider: "woztell",
            kind: BREAKING[0],
            change: ChangeKind::FieldAdded,
            target: "EditTemplateRequest.reason",
            apply: |spec| add_property(spec, "EditTemplateRequest", "reason", json!({"type": "string"}), true),
        },
        Edit {
            provider: "woztell",
            kind: BREAKING[1],
            change: ChangeKind::FieldRemoved,
            target: "MessageTemplate.id",
            apply: |spec| remove_property(spec, "MessageTemplate", "id"),
        },
        Edit {
            provider: "woztell",
            kind: BREAKING[2],
            change: ChangeKind::TypeChanged,
            target: "MessageTemplate.name",
            apply: |spec| set_property(spec, "MessageTemplate", "name", json!({"type": "integer"})),
        },
    ]
}

fn schema<'a>(spec: &'a mut Value, name: &str) -> &'a mut Value {
    spec.pointer_mut(&format!("/components/schemas/{name}")).unwrap_or_else(|| panic!("no schema `{name}`"))
}

fn add_property(spec: &mut Value, name: &str, field: &str, property: Value, required: bool) {
    let schema = schema(spec, name);
    schema["properties"][field] = property;
    if required {
        match schema.get_mut("required").and_then(Value::as_array_mut) {
            Some(list) => list.push(json!(field)),
            None => schema["required"] = json!([field]),
        }
    }
}

fn set_property(spec: &mut Value, name: &str, field: &str, property: Value) {
    schema(spec, name)["properties"][field] = property;
}

fn remove_property(spec: &mut Value, name: &str, field: &str) {
    let schema = schema(spec, name);
    schema["properties"].as_object_mut().unwrap().remove(field).expect("the field exists");
    if let Some(list) = schema.get_mut("required").and_then(Value::as_array_mut) {
        list.retain(|value| value != field);
    }
}

fn make_optional(spec: &mut Value, name: &str, field: &str) {
    let required = schema(spec, name)["required"].as_array_mut().expect("required fields");
    let before = required.len();
    required.retain(|value| value != field);
    assert_eq!(required.len(), before - 1, "`{name}.{field}` was required");
}

fn add_enum_value(spec: &mut Value, name: &str, value: &str) {
    schema(spec, name)["enum"].as_array_mut().expect("a string enum").push(json!(value));
}

fn copy_operation(spec: &mut Value, from: &str, to: &str, operation_id: &str) {
    let mut operation = spec["paths"][from]["get"].clone();
    operation["operationId"] = json!(operation_id);
    spec["paths"][to] = json!({ "get": operation });
}

fn add_query_parameter(spec: &mut Value, path: &str, name: &str) {
    let parameter = json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}});
    spec["paths"][path]["get"]["parameters"].as_array_mut().expect("parameters").push(parameter);
}

fn spec_text(provider: &str) -> String {
    std::fs::read_to_string(support::workspace_root().join("specs").join(format!("{provider}.yaml"))).unwrap()
}

fn edited(provider: &str, edits: &[&Edit]) -> String {
    let mut spec: Value = serde_yaml::from_str(&spec_text(provider)).unwrap();
    for edit in edits.iter().filter(|edit| edit.provider == provider) {
        (edit.apply)(&mut spec);
    }
    serde_yaml::to_string(&spec).unwrap()
}

/// Whether `cargo xtask diff` calls the edit breaking; and that it reports it as expected.
fn diff_says_breaking(edit: &Edit) -> bool {
    let report = xtask::diff::diff_specs(&spec_text(edit.provider), &edited(edit.provider, &[edit])).unwrap();
    let reported = report.changes.iter().find(|change| {
        let names_it = |label: &String| label.contains(edit.target);
        change.kind == edit.change
            && (change.target == edit.target || names_it(&change.target) || change.operations.iter().any(names_it))
    });
    let reported =
        reported.unwrap_or_else(|| panic!("{} / {}: not reported: {:#?}", edit.provider, edit.kind, report.changes));
    let breaking = report.changes.iter().any(|change| change.severity == Severity::Breaking);
    assert_eq!(
        reported.severity == Severity::Breaking,
        breaking,
        "{} / {}: {:#?}",
        edit.provider,
        edit.kind,
        report.changes
    );
    breaking
}

#[test]
fn diff_and_compiler_agree_on_every_kind_of_edit() {
    let edits = edits();
    let mut rounds: Vec<(&str, Vec<&Edit>)> =
        vec![("additive", edits.iter().filter(|e| ADDITIVE.contains(&e.kind)).collect())];
    for kind in BREAKING {
        rounds.push((kind, edits.iter().filter(|e| e.kind == kind).collect()));
    }
    let mut disagreements = Vec::new();
    let mut table = String::new();
    for (round, round_edits) in &rounds {
        // One place for every round: the next round's crates are rebuilt where the last ones were.
        let dir = support::scratch_dir("api-compatibility");
        scratch_workspace(&dir, round_edits);
        let report = xtask::regen::regen(&dir, &[], false).unwrap();
        assert!(report.errors.is_empty(), "{round}: the edited specs generate: {:?}", report.errors);
        let failed = check_callers(&dir);
        for edit in round_edits {
            let diff_breaking = diff_says_breaking(edit);
            let compiles = !failed.contains(&caller_name(edit.provider));
            table.push_str(&format!(
                "{:<16} {:<32} diff: {:<12} code written before: {}\n",
                edit.provider,
                edit.kind,
                if diff_breaking { "breaking" } else { "non-breaking" },
                if compiles { "compiles" } else { "does not compile" },
            ));
            let expected_breaking = BREAKING.contains(&edit.kind);
            if diff_breaking == compiles || diff_breaking != expected_breaking {
                disagreements.push(format!("{} / {}", edit.provider, edit.kind));
            }
        }
    }
    println!("{table}");
    assert!(disagreements.is_empty(), "disagreements: {disagreements:?}\n{table}");
}

fn caller_name(provider: &str) -> String {
    format!("caller-{provider}")
}

/// A workspace with the edited specs, the generated crates' places, and one caller crate per
/// provider holding the code written before.
fn scratch_workspace(dir: &Path, edits: &[&Edit]) {
    let root = support::workspace_root();
    std::fs::create_dir_all(dir.join("specs")).unwrap();
    for provider in ["wapio", "verloop-partner", "woztell"] {
        std::fs::write(dir.join("specs").join(format!("{provider}.yaml")), edited(provider, edits)).unwrap();
        let caller = dir.join(caller_name(provider));
        std::fs::create_dir_all(caller.join("src")).unwrap();
        std::fs::write(
            caller.join("Cargo.toml"),
            format!(
                "[package]\nname = \"{}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n\
                 {provider}-api = {{ path = \"../generated/{provider}-api\" }}\n",
                caller_name(provider)
            ),
        )
        .unwrap();
        let fixture = root.join("tests/fixtures/api_compatibility").join(format!("{}.rs", provider.replace('-', "_")));
        std::fs::copy(fixture, caller.join("src/lib.rs")).unwrap();
    }
    support::scratch_workspace_manifest(dir, &["generated/*-api", "caller-*"]);
}

/// `cargo check`s every caller (in the workspace's target directory, reusing its dependencies);
/// returns the callers that failed.
fn check_callers(dir: &Path) -> Vec<String> {
    let target = support::target_dir();
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["check", "--quiet", "--offline", "--keep-going", "--message-format", "short", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .args(["-p", "caller-wapio", "-p", "caller-verloop-partner", "-p", "caller-woztell"])
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let failed: Vec<String> = ["wapio", "verloop-partner", "woztell"]
        .iter()
        .map(|provider| caller_name(provider))
        .filter(|caller| stderr.contains(&format!("could not compile `{caller}`")))
        .collect();
    for provider in ["wapio", "verloop-partner", "woztell"] {
        assert!(
            !stderr.contains(&format!("could not compile `{provider}-api`")),
            "a regenerated crate does not compile: {stderr}"
        );
    }
    assert_eq!(output.status.success(), failed.is_empty(), "cargo failed for another reason: {stderr}");
    failed
}
