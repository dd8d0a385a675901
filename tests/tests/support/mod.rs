//! Helpers shared by the workspace's integration tests; a test file uses them with `mod support;`.
//!
//! Each test binary compiles its own copy and uses only part of it, hence `dead_code` is allowed.
#![allow(dead_code)]

pub mod postman;
pub mod prism;

use std::path::PathBuf;

/// The workspace root (the directory holding `specs/`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent directory").to_path_buf()
}
