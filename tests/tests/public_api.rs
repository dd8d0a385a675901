//! progenitor's error type appears nowhere in the public API of the crates users depend on:
//! every operation returns the client crate's `Error`. Checked over rustdoc's JSON output of
//! each crate (the runtime, the generated crates, the client crates with every feature), which
//! lists every public item with the types it names.
//!
//! rustdoc's JSON output is unstable; `RUSTC_BOOTSTRAP=1`, given to rustdoc alone (by a shell
//! wrapper, hence Unix only), lets the stable toolchain write it. The dependencies are checked
//! as usual, in the workspace's target directory: set for all of cargo, the flag would reach
//! the build scripts that read it (proc-macro2's, thiserror's, anyhow's) and rebuild every
//! crate above them, here and again in the next build.
#![cfg(unix)]

use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// (package, features) whose public API is checked.
const CRATES: [(&str, &str); 8] = [
    ("whatsapp-sdk-runtime", "sandbox"),
    ("wapio-api", ""),
    ("verloop-partner-api", ""),
    ("woztell-api", ""),
    ("wapio", "sandbox,httpmock"),
    ("verloop-partner", "sandbox,httpmock"),
    ("woztell", "sandbox,httpmock"),
    ("whatsapp-messaging", ""),
];

/// A `rustdoc` that takes unstable options: the toolchain's, run with `RUSTC_BOOTSTRAP=1`.
fn unstable_rustdoc(dir: &Path) -> PathBuf {
    let real = std::env::var("RUSTDOC").unwrap_or_else(|_| "rustdoc".into());
    let wrapper = dir.join("rustdoc");
    std::fs::write(&wrapper, format!("#!/bin/sh\nRUSTC_BOOTSTRAP=1 exec '{real}' \"$@\"\n")).unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    wrapper
}

/// rustdoc's JSON of every crate in `CRATES`, in that order. One `cargo doc` documents them all:
/// their dependencies are resolved and checked once, for all of them.
fn rustdoc_json(rustdoc: &Path) -> Vec<Value> {
    let target = support::target_dir();
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(support::workspace_root())
        .env("RUSTDOC", rustdoc)
        .env("RUSTDOCFLAGS", "-Zunstable-options --output-format json")
        .env("CARGO_TARGET_DIR", &target)
        .args(["doc", "--quiet", "--no-deps", "--lib"]);
    let mut features = Vec::new();
    for (package, package_features) in CRATES {
        command.args(["--package", package]);
        features.extend(
            package_features.split(',').filter(|feature| !feature.is_empty()).map(|f| format!("{package}/{f}")),
        );
    }
    command.args(["--features", &features.join(",")]);
    let output = command.output().expect("cargo runs");
    assert!(output.status.success(), "cargo doc: {}", String::from_utf8_lossy(&output.stderr));
    CRATES
        .iter()
        .map(|(package, _)| {
            let file = target.join("doc").join(format!("{}.json", package.replace('-', "_")));
            serde_json::from_slice(&std::fs::read(&file).expect("rustdoc wrote its JSON"))
                .expect("rustdoc's JSON parses")
        })
        .collect()
}

/// Every place in the crate's public items that names an item of `external_crate` called `name`:
/// a type (`resolved_path` to it) or a re-export (`use` of it).
fn mentions(doc: &Value, external_crate: &str, name: &str) -> Vec<String> {
    let crate_ids: Vec<u64> = doc["external_crates"]
        .as_object()
        .expect("external_crates")
        .iter()
        .filter(|(_, krate)| krate["name"] == external_crate)
        .filter_map(|(id, _)| id.parse().ok())
        .collect();
    let target_ids: Vec<u64> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .filter(|(_, summary)| {
            summary["crate_id"].as_u64().is_some_and(|id| crate_ids.contains(&id))
                && summary["path"].as_array().and_then(|path| path.last()).is_some_and(|last| last == name)
        })
        .filter_map(|(id, _)| id.parse().ok())
        .collect();
    let mut found = Vec::new();
    for (id, item) in doc["index"].as_object().expect("index") {
        let label = format!("{} (item {id})", item["name"].as_str().unwrap_or("<unnamed>"));
        walk(item, &mut |node| {
            if let Some(import) = node.get("use")
                && import["source"]
                    .as_str()
                    .is_some_and(|source| source.starts_with(external_crate) && source.ends_with(name))
            {
                found.push(format!("{label}: re-exports {}", import["source"]));
            }
            if node.get("path").is_some() && node["id"].as_u64().is_some_and(|id| target_ids.contains(&id)) {
                found.push(format!("{label}: names {}", node["path"]));
            }
        });
    }
    found
}

fn walk(node: &Value, visit: &mut impl FnMut(&Value)) {
    match node {
        Value::Object(members) => {
            visit(node);
            members.values().for_each(|member| walk(member, visit));
        }
        Value::Array(elements) => elements.iter().for_each(|element| walk(element, visit)),
        _ => {}
    }
}

#[test]
fn progenitors_error_type_is_not_in_any_public_api() {
    let rustdoc = unstable_rustdoc(&support::scratch_dir("public-api"));
    for ((package, _), doc) in CRATES.iter().zip(rustdoc_json(&rustdoc)) {
        let leaks = mentions(&doc, "progenitor_client", "Error");
        assert!(leaks.is_empty(), "{package} exposes progenitor's Error:\n{}", leaks.join("\n"));
        if package.ends_with("-api") {
            // The scan sees progenitor's items where they are public: the generated `Client`
            // implements its `ClientInfo`.
            assert!(
                !mentions(&doc, "progenitor_client", "ClientInfo").is_empty(),
                "{package}: the scan found no progenitor item at all"
            );
        }
    }
}
