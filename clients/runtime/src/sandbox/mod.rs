//! A local stand-in for a provider (feature `sandbox`): every operation of a spec answered with
//! its documented example, after the credential and required-parameter checks the spec implies;
//! a failed check gets 401 or 422 (an unknown route 404) in the provider's own error shape.
//!
//! The route table comes from a generated crate (`SANDBOX_ROUTES`); each client crate's
//! `sandbox` feature wraps this with its provider's table.

mod answer;
pub mod routes;
mod server;

pub use answer::{SandboxAnswer, SandboxRequest, answer};
pub use routes::RouteTable;
pub use server::{Sandbox, SandboxError};
