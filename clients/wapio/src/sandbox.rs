//! A local Wapio stand-in (feature `sandbox`): every operation answers its documented
//! example once the credential and the parameters the spec requires are present; otherwise
//! 401 or 422 (an unknown route 404) in Wapio's own error shape. The route table is
//! `wapio_api::SANDBOX_ROUTES`, written by `cargo xtask regen` from the spec.

pub use whatsapp_sdk_runtime::sandbox::{Sandbox, SandboxError};

/// Starts the sandbox on a free port of 127.0.0.1; point a client at [`Sandbox::url`].
pub async fn start() -> Result<Sandbox, SandboxError> {
    Sandbox::start(wapio_api::SANDBOX_ROUTES, None).await
}

/// Starts the sandbox on `port` of 127.0.0.1.
pub async fn start_on(port: u16) -> Result<Sandbox, SandboxError> {
    Sandbox::start(wapio_api::SANDBOX_ROUTES, Some(port)).await
}
