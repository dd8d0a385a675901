//! Workspace-level tests live in `tests/tests/`. The README's Rust examples are compiled here
//! as doctests, so the README cannot drift from the crates.
#![doc = include_str!("../../README.md")]
