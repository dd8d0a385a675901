//! Helpers shared by the workspace's integration tests (`crate::support`).

pub mod prism;
pub mod routes;
pub mod tls;

use std::path::PathBuf;

/// The root of the checkout under test (the directory holding `specs/`), found at run time as
/// the xtask finds it: a test binary built in one checkout may run for another that shares its
/// target directory.
pub fn workspace_root() -> PathBuf {
    xtask::config::workspace_root().expect("the tests run inside a checkout")
}

/// Runs git in `dir` as a test's throwaway repository (fixed author, no user or system
/// configuration) and returns its trimmed standard output.
pub fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// The workspace's target directory (`CARGO_TARGET_TMPDIR` is its `tmp`). The tests that run
/// cargo themselves (the drift probe, the compatibility callers, rustdoc's JSON) build there
/// too, so that they reuse what `cargo test` and each other built: a cargo that runs tests no
/// longer holds the directory's lock.
pub fn target_dir() -> PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("the target directory").to_path_buf()
}

/// An empty directory for a scratch workspace, at the same place on every run: its crates are
/// then rebuilt in place, where a new temporary path would leave one more build of them in the
/// target directory each time. The place is this workspace's own (named by a hash of its path),
/// so that workspaces sharing a target directory do not share it.
pub fn scratch_dir(name: &str) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    workspace_root().hash(&mut hasher);
    let workspace = format!("{:016x}", hasher.finish());
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("scratch-workspaces").join(workspace).join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Makes `dir` a workspace of the given `members` for crates generated from a copy of the
/// specs: the provider list, this workspace's lock file, and its package settings and
/// dependencies (path dependencies pointing back here, so the runtime is this one).
pub fn scratch_workspace_manifest(dir: &std::path::Path, members: &[&str]) {
    let root = workspace_root();
    std::fs::create_dir_all(dir.join("xtask")).unwrap();
    std::fs::copy(root.join("xtask/providers.toml"), dir.join("xtask/providers.toml")).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let dependencies = &manifest[manifest.find("[workspace.dependencies]").unwrap()..];
    let dependencies = dependencies.replace("path = \"", &format!("path = \"{}/", root.display()));
    let package =
        &manifest[manifest.find("[workspace.package]").unwrap()..manifest.find("[workspace.dependencies]").unwrap()];
    let members = members.iter().map(|member| format!("{member:?}")).collect::<Vec<_>>().join(", ");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!("[workspace]\nresolver = \"3\"\nmembers = [{members}]\n\n{package}{dependencies}"),
    )
    .unwrap();
}

/// A URL-encoded text decoded; invalid UTF-8 is replaced rather than refused, so a test can
/// show what was sent.
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// `value` with every `null` object member removed, recursively: the generated types leave
/// `None` out when serializing, and the specs give `null` and an absent member one meaning.
pub fn without_nulls(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(members) => Value::Object(
            members.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), without_nulls(v))).collect(),
        ),
        Value::Array(elements) => Value::Array(elements.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// Every value of the header `name` that the request carried, as text.
pub fn header_values(sent: &wiremock::Request, name: &str) -> Vec<String> {
    sent.headers.get_all(name).iter().map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).collect()
}

/// The one request a contract case sent, with what is wrong in its method, path (decoded) and
/// query (in any order); `Err` when the server did not receive exactly one request. Callers add
/// their provider's own checks to the list.
pub fn request_line_problems<'a>(
    received: &'a [wiremock::Request],
    method: &str,
    path: &str,
    query: &[(String, String)],
) -> Result<(&'a wiremock::Request, Vec<String>), Vec<String>> {
    let [sent] = received else {
        return Err(vec![format!("expected exactly one request, the server received {}", received.len())]);
    };
    let mut problems = Vec::new();
    if sent.method.as_str() != method {
        problems.push(format!("method: sent {}, expected {method}", sent.method));
    }
    let sent_path = percent_decode(sent.url.path());
    if sent_path != path {
        problems.push(format!("path: sent {sent_path}, expected {path}"));
    }
    let mut sent_query: Vec<(String, String)> = sent.url.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
    let mut expected_query = query.to_vec();
    sent_query.sort();
    expected_query.sort();
    if sent_query != expected_query {
        problems.push(format!("query: sent {sent_query:?}, expected {expected_query:?}"));
    }
    Ok((sent, problems))
}
