//! `cargo xtask` acts on the checkout it is run in. Checkouts that share a target directory
//! share the xtask binary: Cargo reuses the one built in the first for the second. Here one
//! binary, built in this checkout, runs in two copies of it, as `cargo run` starts it there; a
//! root fixed at compile time would make each act on the checkout it was built in.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A property only the second checkout's spec has.
const ADDED_FIELD: &str = "checkout_b_only_field";

#[test]
fn each_checkout_regenerates_checks_and_audits_itself() {
    let scratch = tempfile::tempdir().unwrap();
    let (first, second) = (scratch.path().join("first"), scratch.path().join("second"));
    copy_checkout(&workspace_root(), &first);
    copy_checkout(&workspace_root(), &second);
    let generated = Path::new("generated/wapio-api/src/generated.rs");

    let check = xtask(&first, &["regen", "--check"]);
    assert!(check.status.success(), "a fresh copy is up to date: {}", text(&check.stderr));
    assert!(text(&check.stderr).contains(&first.join("generated").display().to_string()), "names the tree it read");

    add_optional_field(&second.join("specs/wapio.yaml"));
    let first_before = std::fs::read(first.join(generated)).unwrap();

    let stale = xtask(&second, &["regen", "--check"]);
    assert!(!stale.status.success(), "the second's generated code is stale: {}", text(&stale.stderr));
    assert!(text(&stale.stderr).contains("stale: generated/wapio-api/src/generated.rs"), "{}", text(&stale.stderr));
    assert!(text(&stale.stderr).contains(&second.join("specs").display().to_string()), "names the tree it read");
    // Started by hand in a subdirectory, without Cargo: the root is found from there.
    let by_hand = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["regen", "--check"])
        .current_dir(second.join("specs"))
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .unwrap();
    assert!(!by_hand.status.success(), "the second's generated code is stale: {}", text(&by_hand.stderr));
    assert!(text(&by_hand.stderr).contains(&second.join("specs").display().to_string()), "names the tree it read");

    let regen = xtask(&second, &["regen"]);
    assert!(regen.status.success(), "{}", text(&regen.stderr));
    let second_after = std::fs::read_to_string(second.join(generated)).unwrap();
    assert!(second_after.contains(ADDED_FIELD), "regen wrote the second checkout's generated/");
    assert_eq!(std::fs::read(first.join(generated)).unwrap(), first_before, "the first checkout is untouched");
    assert!(xtask(&second, &["regen", "--check"]).status.success(), "the second is up to date after regen");

    let first_audit = xtask(&first, &["audit", "wapio"]);
    assert!(first_audit.status.success(), "the first's specs are complete: {}", text(&first_audit.stdout));
    assert!(!text(&first_audit.stdout).contains(ADDED_FIELD), "the first's audit sees only its own specs");
    assert!(text(&first_audit.stdout).contains(&first.join("specs").display().to_string()));
    let second_audit = xtask(&second, &["audit", "wapio"]);
    assert!(!second_audit.status.success(), "the field exists only in the second's spec");
    assert!(text(&second_audit.stdout).contains(ADDED_FIELD), "{}", text(&second_audit.stdout));
}

#[test]
fn outside_a_checkout_it_stops_and_writes_nothing() {
    let outside = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["regen"])
        .current_dir(outside.path())
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let message = text(&output.stderr);
    assert!(message.contains("not inside a checkout of this repository"), "{message}");
    assert!(message.contains("xtask/providers.toml"), "names what it looked for: {message}");
    assert!(message.contains(&outside.path().display().to_string()), "names where it looked: {message}");
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0, "nothing was written");
}

/// The binary run as `cargo xtask ARGS` in `checkout` runs it: started there, with Cargo's
/// `CARGO_MANIFEST_DIR` naming that checkout's `xtask/`.
fn xtask(checkout: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(checkout)
        .env("CARGO_MANIFEST_DIR", checkout.join("xtask"))
        .output()
        .expect("the xtask runs")
}

/// The checkout holding this test (whose binary is under test), found as the xtask finds it.
fn workspace_root() -> PathBuf {
    xtask::config::workspace_root().expect("the tests run inside a checkout")
}

/// The checkout's files as a clone would have them (no target directory, git metadata or npm
/// packages), including uncommitted edits, so the xtask under test is this one.
fn copy_checkout(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if matches!(name.to_str(), Some("target" | ".git" | "node_modules")) {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_checkout(&entry.path(), &to.join(&name));
        } else {
            std::fs::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
}

/// Adds an optional property to Wapio's `CreateSessionRequest`.
fn add_optional_field(spec: &Path) {
    let text = std::fs::read_to_string(spec).unwrap();
    let anchor = "    CreateSessionRequest:\n      type: object\n      description: What to create a session with.\n      properties:\n";
    assert!(text.contains(anchor), "the spec still has CreateSessionRequest in this layout");
    let field = format!("        {ADDED_FIELD}:\n          type: string\n          description: Only here.\n");
    std::fs::write(spec, text.replacen(anchor, &format!("{anchor}{field}"), 1)).unwrap();
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// No code reads files through a path fixed when it was compiled: Cargo shares binaries (the
/// xtask, tests, benches) between checkouts that share a target directory.
#[test]
fn no_source_reads_files_through_a_compile_time_manifest_dir() {
    let mut offenders = Vec::new();
    for dir in ["xtask", "clients", "tests"] {
        rust_sources(&workspace_root().join(dir), &mut offenders);
    }
    offenders.retain(|(_, line)| !line.trim_start().starts_with("//") && line.contains("env!(\"CARGO_MANIFEST_DIR\")"));
    assert!(offenders.is_empty(), "find the root at run time (`xtask::config::workspace_root`): {offenders:?}");
}

fn rust_sources(dir: &Path, lines: &mut Vec<(PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && path.file_name().is_some_and(|name| name != "target" && name != "node_modules") {
            rust_sources(&path, lines);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            lines.extend(text.lines().map(|line| (path.clone(), line.to_string())));
        }
    }
}
