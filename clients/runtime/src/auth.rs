use std::fmt;

use crate::OperationSpec;

/// A credential that knows how to authorize a request for a given operation.
///
/// Implementations hold secrets: their `Debug` must print `***` in place of each one.
pub trait Authorize: fmt::Debug + Send + Sync + 'static {
    /// Adds the credential to `request` the way `operation` expects it.
    fn authorize(&self, request: &mut reqwest::Request, operation: &OperationSpec) -> Result<(), CredentialError>;

    /// The secret values this credential sends, so that error messages can remove them where
    /// a provider echoes one back. Called only when an error is described.
    fn secret_values(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A request could not be authorized; the message names what is missing, never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialError {
    message: String,
}

impl CredentialError {
    /// An error with a message that must not contain secrets.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CredentialError {}

/// The credential of a client that only calls public routes (`security: []`, such as a login).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCredential;

impl Authorize for NoCredential {
    fn authorize(&self, _: &mut reqwest::Request, operation: &OperationSpec) -> Result<(), CredentialError> {
        Err(CredentialError::new(format!("`{}` needs a credential", operation.id)))
    }
}
