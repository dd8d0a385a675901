//! The workspace's maintenance tasks, as a library so that `tests/` can drive them.

pub mod audit;
pub mod bench;
pub mod config;
pub mod diff;
pub mod drift;
pub mod generate;
pub mod git;
pub mod postprocess;
pub mod regen;
pub mod release;
pub mod sandbox;
pub mod spec;
