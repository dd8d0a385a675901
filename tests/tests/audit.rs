//! `cargo xtask audit`: the real specs are fully covered, and each check catches its gap on a
//! small fixture (`tests/fixtures/audit/`: a spec, a Postman collection and a transcription that
//! agree with it, each mutated here to break one thing).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use xtask::audit::allowlist::AllowEntry;
use xtask::audit::checks::Category;
use xtask::audit::{self, ProviderAudit};
use xtask::config;

fn fixture(name: &str) -> PathBuf {
    config::workspace_root().unwrap().join("tests/fixtures/audit").join(name)
}

fn read(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// Audits the fixture spec against `upstream` (written to a scratch file) with an allowlist.
fn audit_with(upstream: &Value, allowed: &[AllowEntry]) -> ProviderAudit {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("upstream.json");
    std::fs::write(&file, serde_json::to_string_pretty(upstream).unwrap()).unwrap();
    audit::audit_provider("fixture", &fixture("spec.yaml"), &file, allowed).unwrap()
}

fn gap_ids(upstream: &Value) -> Vec<String> {
    audit_with(upstream, &[]).gaps.into_iter().map(|gap| gap.id).collect()
}

fn collection() -> Value {
    read("collection.json")
}

/// The request item of the collection named `name`.
fn item<'a>(collection: &'a mut Value, name: &str) -> &'a mut Value {
    collection["item"][0]["item"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|item| item["name"] == name)
        .unwrap_or_else(|| panic!("no item {name}"))
}

fn transcription() -> Value {
    read("transcription.yaml")
}

#[test]
fn the_real_specs_are_fully_covered_with_no_stale_allowlist_entry() {
    let root = config::workspace_root().unwrap();
    let report = audit::audit(&root, &[]).unwrap();
    let printed = audit::render(&report, &root);
    assert!(report.is_clean(), "{printed}");
    assert!(report.stale.is_empty(), "{printed}");
    let names: Vec<&str> = report.providers.iter().map(|p| p.provider.as_str()).collect();
    assert_eq!(names, ["verloop-partner", "wapio", "woztell"]);
    for provider in &report.providers {
        for category in Category::ALL {
            let (found, total) = provider.tally(category);
            assert_eq!(found, total, "{} {}: {printed}", provider.provider, category.title());
        }
        assert!(provider.tally(Category::Operations).1 >= 22, "{printed}");
        assert!(provider.tally(Category::Examples).1 > 0, "{printed}");
    }
    let wapio = &report.providers[1];
    assert_eq!(wapio.tally(Category::Operations), (43, 43), "53 requests on 43 method + path pairs");
    assert_eq!(wapio.tally(Category::Examples), (90, 90), "every saved response");
    assert!(printed.contains("100%"), "{printed}");
}

#[test]
fn the_fixtures_agree_with_their_spec() {
    let from_collection = audit_with(&collection(), &[]);
    assert_eq!(from_collection.gaps, [], "collection");
    assert_eq!(from_collection.tally(Category::Operations), (4, 4));
    assert_eq!(from_collection.tally(Category::Parameters), (2, 2));
    assert_eq!(from_collection.tally(Category::BodyFields), (4, 4), "name, tags, file, label");
    assert_eq!(from_collection.tally(Category::Examples), (3, 3));
    assert_eq!(from_collection.tally(Category::Auth), (4, 4));
    let from_transcription = audit_with(&transcription(), &[]);
    let ids: Vec<&str> = from_transcription.gaps.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["extra-operation:download_file", "extra-operation:upload_file"], "transcription");
}

#[test]
fn a_missing_operation_is_named_by_method_and_path() {
    let mut collection = collection();
    item(&mut collection, "Create thing")["request"]["url"] = json!("{{baseUrl}}/widgets");
    assert_eq!(gap_ids(&collection), ["operation:POST /widgets", "extra-operation:create_thing"]);
}

#[test]
fn a_misspelt_query_parameter_is_missing_and_extra() {
    let mut collection = collection();
    item(&mut collection, "List things")["request"]["url"]["query"][0]["key"] = json!("Limit");
    assert_eq!(gap_ids(&collection), ["query:list_things:Limit", "extra-query:list_things:limit"]);
}

#[test]
fn a_wrong_required_flag_is_reported_for_query_and_header() {
    let mut transcription = transcription();
    transcription["endpoints"][0]["query"][1]["required"] = json!(true);
    transcription["endpoints"][0]["headers"][0]["required"] = json!(false);
    let ids = gap_ids(&transcription);
    assert!(ids.contains(&"required:list_things:query:limit".to_string()), "{ids:?}");
    assert!(ids.contains(&"required:list_things:header:X-Trace".to_string()), "{ids:?}");
}

#[test]
fn a_missing_body_field_is_reported_even_from_a_body_that_is_not_json() {
    let mut collection = collection();
    item(&mut collection, "Create thing")["request"]["body"]["raw"] =
        json!("{\n  \"name\": {{name}}, // comment\n  colour: red\n  tags: [x]\n}");
    assert_eq!(gap_ids(&collection), ["body-field:create_thing:colour"]);
    let mut transcription = transcription();
    transcription["endpoints"][1]["body"][0]["name"] = json!("tags[].label");
    assert_eq!(gap_ids(&transcription)[0], "body-field:create_thing:tags[].label");
}

#[test]
fn a_body_field_only_the_spec_has_is_reported_outermost_and_can_be_allowlisted() {
    let mut spec = read("spec.yaml");
    let properties = &mut spec["components"]["schemas"]["NewThing"]["properties"];
    properties["colour"] = json!({"type": "string"});
    properties["size"] = json!({"type": "object", "properties": {"width": {"type": "integer"}}});
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("spec.yaml");
    std::fs::write(&file, serde_yaml::to_string(&spec).unwrap()).unwrap();
    let extra = ["extra-body-field:create_thing:colour", "extra-body-field:create_thing:size"];
    for upstream in [collection(), transcription()] {
        let upstream_file = dir.path().join("upstream.json");
        std::fs::write(&upstream_file, serde_json::to_string(&upstream).unwrap()).unwrap();
        let ids: Vec<String> = audit::audit_provider("fixture", &file, &upstream_file, &[])
            .unwrap()
            .gaps
            .into_iter()
            .map(|gap| gap.id)
            .filter(|id| !id.starts_with("extra-operation:"))
            .collect();
        assert_eq!(ids, extra, "`size.width` is below a field already reported");
        let allowed: Vec<AllowEntry> = extra
            .iter()
            .map(|gap| AllowEntry { provider: "fixture".into(), gap: gap.to_string(), reason: "modelled".into() })
            .collect();
        let audit = audit::audit_provider("fixture", &file, &upstream_file, &allowed).unwrap();
        assert_eq!(audit.allowlisted, 2);
        assert!(audit.gaps.iter().all(|gap| gap.id.starts_with("extra-operation:")), "{:?}", audit.gaps);
    }
    let mut documented = collection();
    item(&mut documented, "Create thing")["request"]["body"]["raw"] =
        json!("{\"name\": \"a\", \"tags\": [], \"colour\": \"red\", \"size\": {\"width\": 1}}");
    let upstream_file = dir.path().join("documented.json");
    std::fs::write(&upstream_file, serde_json::to_string(&documented).unwrap()).unwrap();
    let audit = audit::audit_provider("fixture", &file, &upstream_file, &[]).unwrap();
    assert_eq!(audit.gaps, [], "every field of the spec is documented");
    assert_eq!(audit.tally(Category::BodyFields), (7, 7), "name, tags, colour, size, size.width, file, label");
}

#[test]
fn a_missing_multipart_part_is_reported() {
    let mut collection = collection();
    let parts = item(&mut collection, "Upload file")["request"]["body"]["formdata"].as_array_mut().unwrap();
    parts.push(json!({"key": "caption", "value": "c", "type": "text"}));
    parts.retain(|part| part["key"] != "label");
    assert_eq!(gap_ids(&collection), ["multipart-part:upload_file:caption", "extra-multipart-part:upload_file:label"]);
}

#[test]
fn a_wrong_scalar_type_or_enum_value_in_an_example_is_reported() {
    let mut collection = collection();
    item(&mut collection, "List things")["response"][0]["body"] =
        json!("{\"data\": [{\"id\": 1}, {\"id\": \"2\", \"state\": \"mid\", \"extra\": true}]}");
    assert_eq!(
        gap_ids(&collection),
        [
            "example-field:list_things:200:/data/*/extra",
            "example-type:list_things:200:/data/*/id",
            "example-enum:list_things:200:/data/*/state"
        ]
    );
    let mut transcription = transcription();
    transcription["endpoints"][1]["example_response"] = json!({"id": 1.5});
    assert!(gap_ids(&transcription).contains(&"example-type:create_thing:201:/id".to_string()));
}

#[test]
fn an_example_with_an_undeclared_status_or_unreadable_body_is_reported() {
    let mut collection = collection();
    let responses = item(&mut collection, "Create thing")["response"].as_array_mut().unwrap();
    responses.push(json!({"name": "conflict", "code": 409, "body": "{}"}));
    responses.push(json!({"name": "broken", "code": 201, "body": "{\"id\": [1, 2"}));
    assert_eq!(gap_ids(&collection), ["example-status:create_thing:409", "example-unreadable:create_thing:broken"]);
}

#[test]
fn a_wrong_auth_is_reported() {
    let mut collection = collection();
    item(&mut collection, "Create thing")["request"]["header"] = json!([{"key": "Authorization", "value": "raw"}]);
    item(&mut collection, "Download file")["request"]["auth"] = json!({"type": "noauth"});
    assert_eq!(gap_ids(&collection), ["auth:create_thing", "auth:download_file"]);
    let mut transcription = transcription();
    transcription["endpoints"][0]["auth"] = json!("signedContext");
    assert!(gap_ids(&transcription).contains(&"auth:list_things".to_string()));
}

#[test]
fn a_binary_response_must_be_binary_in_both() {
    let mut collection = collection();
    item(&mut collection, "Download file")["request"]["description"] = json!("<p>Returns the file.</p>");
    assert_eq!(gap_ids(&collection), ["binary:download_file"]);
}

#[test]
fn allowlisted_gaps_pass_and_stale_entries_fail() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy(&fixture("spec.yaml"), &root.join("specs/fixture.yaml"));
    let mut collection = collection();
    item(&mut collection, "List things")["request"]["url"]["query"][0]["key"] = json!("Limit");
    write(&root.join("specs/upstream/collection.json"), &serde_json::to_string(&collection).unwrap());
    write(
        &root.join("xtask/providers.toml"),
        "fixture = { spec = \"fixture.yaml\", crate = \"fixture-api\", upstream = \"upstream/collection.json\" }\n",
    );
    let allowlist = "\
- { provider: fixture, gap: \"query:list_things:Limit\", reason: \"spelt so upstream\" }
- { provider: fixture, gap: \"extra-query:list_things:limit\", reason: \"the wire name\" }
- { provider: fixture, gap: \"auth:list_things\", reason: \"no longer a gap\" }
";
    write(&root.join(audit::ALLOWLIST), allowlist);
    let report = audit::audit(root, &[]).unwrap();
    assert_eq!(report.providers[0].gaps, []);
    assert_eq!(report.providers[0].allowlisted, 2);
    assert_eq!(report.providers[0].tally(Category::Parameters), (3, 3));
    assert_eq!(report.stale.iter().map(|e| e.gap.as_str()).collect::<Vec<_>>(), ["auth:list_things"]);
    assert!(!report.is_clean());
    let printed = audit::render(&report, root);
    assert!(printed.contains("fixture: stale allowlist entry `auth:list_things`"), "{printed}");

    write(&root.join(audit::ALLOWLIST), "- { provider: fixture, gap: \"x\", reason: \"\" }\n");
    let error = audit::audit(root, &[]).unwrap_err().to_string();
    assert!(error.contains("one-line reason"), "{error}");
    assert!(audit::audit(root, &["nope".to_string()]).is_err());
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn copy(from: &Path, to: &Path) {
    write(to, &std::fs::read_to_string(from).unwrap());
}

#[test]
fn observed_facts_are_listed_apart_and_are_not_gaps() {
    let mut spec = read("spec.yaml");
    let thing = &mut spec["components"]["schemas"]["Thing"];
    thing["properties"]["colour"] = json!({"type": "string", "nullable": true, "x-observed": true});
    thing["properties"]["state"]["enum"] = json!(["new", "old", "archived"]);
    thing["properties"]["state"]["x-observed-values"] = json!(["archived"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("spec.yaml");
    std::fs::write(&file, serde_yaml::to_string(&spec).unwrap()).unwrap();
    let upstream_file = dir.path().join("upstream.json");
    std::fs::write(&upstream_file, serde_json::to_string(&collection()).unwrap()).unwrap();
    let baseline = audit_with(&collection(), &[]);
    let audit = audit::audit_provider("fixture", &file, &upstream_file, &[]).unwrap();
    assert_eq!(audit.gaps, baseline.gaps, "an observed fact is not a gap");
    let observed: Vec<(&str, &str)> = audit.observed.iter().map(|o| (o.pointer.as_str(), o.what.as_str())).collect();
    assert_eq!(
        observed,
        [
            ("/components/schemas/Thing/properties/colour", "property"),
            ("/components/schemas/Thing/properties/state", "enum value `archived`"),
        ]
    );
    assert!(baseline.observed.is_empty(), "the fixture documents everything it has");
}
