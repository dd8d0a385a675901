//! Workspace-level tests live in `tests/tests/`. The README's Rust examples (and those of each
//! published crate's README) are compiled here as doctests, so the READMEs cannot drift from the
//! crates.
#![doc = include_str!("../../README.md")]

/// The README each published crate ships (compiled here as doctests too).
pub mod crate_readmes {
    #[doc = include_str!("../../clients/wapio/README.md")]
    pub mod wapio {}
    #[doc = include_str!("../../clients/verloop-partner/README.md")]
    pub mod verloop_partner {}
    #[doc = include_str!("../../clients/woztell/README.md")]
    pub mod woztell {}
    #[doc = include_str!("../../clients/runtime/README.md")]
    pub mod runtime {}
    #[doc = include_str!("../../clients/messaging/README.md")]
    pub mod messaging {}
}
