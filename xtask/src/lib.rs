//! The project's build tasks: `cargo xtask regen [--check]`.

pub mod config;
pub mod generate;
pub mod postprocess;
pub mod spec;
