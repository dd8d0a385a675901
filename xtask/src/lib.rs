//! The workspace's maintenance tasks, as a library so that `tests/` can drive them.

pub mod bench;
pub mod config;
pub mod generate;
pub mod postprocess;
pub mod regen;
pub mod spec;
