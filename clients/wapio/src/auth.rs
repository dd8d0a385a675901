//! Wapio credentials: an account PAT (`bps_pat_…`) or a session-scoped key (`bps_sk_…`).
//!
//! They are distinct types: [`Client<SessionKey>`](crate::Client) only offers the operations a
//! session key may call, so a PAT-only call with a session key does not compile.

use std::fmt;

use reqwest::header::{AUTHORIZATION, HeaderValue};
use whatsapp_sdk_runtime::{Authorize, CredentialError, OperationSpec};

/// An account personal access token (`bps_pat_…`): every operation of the account.
#[derive(Clone)]
pub struct AccountToken(Bearer);

/// A session-scoped API key (`bps_sk_…`): only the operations on its own session.
#[derive(Clone)]
pub struct SessionKey(Bearer);

/// The `Authorization: Bearer …` value, built once (marked sensitive, so `Debug` hides it):
/// each request takes a cheap copy instead of formatting the header again.
#[derive(Clone)]
struct Bearer(HeaderValue);

/// A Wapio credential; implemented by [`AccountToken`] and [`SessionKey`] only.
pub trait Credential: Authorize + Clone + private::Sealed {}

impl AccountToken {
    /// The documented prefix of an account PAT.
    pub const PREFIX: &'static str = "bps_pat_";

    /// Wraps an account PAT, rejecting a value that is not one (e.g. a session key).
    pub fn new(token: impl Into<String>) -> Result<Self, CredentialError> {
        checked(token.into(), Self::PREFIX, "account token").map(Self)
    }
}

impl SessionKey {
    /// The documented prefix of a session-scoped key.
    pub const PREFIX: &'static str = "bps_sk_";

    /// Wraps a session-scoped key, rejecting a value that is not one (e.g. an account PAT).
    pub fn new(key: impl Into<String>) -> Result<Self, CredentialError> {
        checked(key.into(), Self::PREFIX, "session key").map(Self)
    }
}

fn checked(value: String, prefix: &str, what: &str) -> Result<Bearer, CredentialError> {
    if !value.starts_with(prefix) || value.len() == prefix.len() {
        return Err(CredentialError::new(format!("a Wapio {what} starts with `{prefix}`")));
    }
    let mut header = HeaderValue::try_from(format!("Bearer {value}"))
        .map_err(|_| CredentialError::new(format!("the Wapio {what} holds characters not allowed in a header")))?;
    header.set_sensitive(true);
    Ok(Bearer(header))
}

impl Bearer {
    fn apply(&self, request: &mut reqwest::Request) {
        request.headers_mut().insert(AUTHORIZATION, self.0.clone());
    }

    fn secret(&self) -> Vec<String> {
        let value = self.0.to_str().unwrap_or_default();
        vec![value.strip_prefix("Bearer ").unwrap_or(value).to_string()]
    }
}

impl Authorize for AccountToken {
    fn authorize(&self, request: &mut reqwest::Request, operation: &OperationSpec) -> Result<(), CredentialError> {
        if !operation.accepts(&["accountToken"]) {
            return Err(CredentialError::new(format!("`{}` does not accept an account token", operation.id)));
        }
        self.0.apply(request);
        Ok(())
    }

    fn secret_values(&self) -> Vec<String> {
        self.0.secret()
    }
}

impl Authorize for SessionKey {
    fn authorize(&self, request: &mut reqwest::Request, operation: &OperationSpec) -> Result<(), CredentialError> {
        if !operation.accepts(&["sessionKey"]) {
            return Err(CredentialError::new(format!(
                "`{}` needs an account token (bps_pat_…); a session key cannot call it",
                operation.id
            )));
        }
        self.0.apply(request);
        Ok(())
    }

    fn secret_values(&self) -> Vec<String> {
        self.0.secret()
    }
}

impl Credential for AccountToken {}
impl Credential for SessionKey {}

mod private {
    pub trait Sealed {}
    impl Sealed for super::AccountToken {}
    impl Sealed for super::SessionKey {}
}

impl fmt::Debug for AccountToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccountToken(bps_pat_***)")
    }
}

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionKey(bps_sk_***)")
    }
}
