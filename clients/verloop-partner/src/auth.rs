//! Verloop's two tokens, each sent as the raw `Authorization` header value: the System User
//! token for management routes and a Phone Number token for messaging.

use std::fmt;

use reqwest::header::{AUTHORIZATION, HeaderValue};
use whatsapp_sdk_runtime::{Authorize, CredentialError, ExposeSecret, OperationSpec, SecretString};

/// The partner's System User token (from `login`): management routes, webhook signatures.
#[derive(Clone)]
pub struct SystemUserToken(Token);

/// A phone number's token (from `get_phone_token`): `send_message` for that number.
#[derive(Clone)]
pub struct PhoneNumberToken(Token);

/// A token and its `Authorization` value, built once (marked sensitive, so `Debug` hides it):
/// each request takes a cheap copy instead of building the header again.
#[derive(Clone)]
struct Token {
    secret: SecretString,
    header: HeaderValue,
}

impl SystemUserToken {
    /// Wraps a System User token.
    pub fn new(token: impl Into<String>) -> Result<Self, CredentialError> {
        checked(token.into(), "System User token").map(Self)
    }

    pub(crate) fn expose(&self) -> &str {
        self.0.secret.expose_secret()
    }
}

impl PhoneNumberToken {
    /// Wraps a Phone Number token.
    pub fn new(token: impl Into<String>) -> Result<Self, CredentialError> {
        checked(token.into(), "Phone Number token").map(Self)
    }
}

fn checked(value: String, what: &str) -> Result<Token, CredentialError> {
    if value.trim().is_empty() {
        return Err(CredentialError::new(format!("the Verloop {what} is empty")));
    }
    let mut header = HeaderValue::from_str(&value)
        .map_err(|_| CredentialError::new(format!("the Verloop {what} holds characters not allowed in a header")))?;
    header.set_sensitive(true);
    Ok(Token { secret: SecretString::from(value), header })
}

fn authorize(
    token: &Token,
    scheme: &str,
    request: &mut reqwest::Request,
    operation: &OperationSpec,
) -> Result<(), CredentialError> {
    if !operation.accepts(&[scheme]) {
        return Err(CredentialError::new(format!("`{}` does not accept the `{scheme}` credential", operation.id)));
    }
    request.headers_mut().insert(AUTHORIZATION, token.header.clone());
    Ok(())
}

impl Authorize for SystemUserToken {
    fn authorize(&self, request: &mut reqwest::Request, operation: &OperationSpec) -> Result<(), CredentialError> {
        authorize(&self.0, "systemUserToken", request, operation)
    }

    fn secret_values(&self) -> Vec<String> {
        vec![self.0.secret.expose_secret().to_string()]
    }
}

impl Authorize for PhoneNumberToken {
    fn authorize(&self, request: &mut reqwest::Request, operation: &OperationSpec) -> Result<(), CredentialError> {
        authorize(&self.0, "phoneNumberToken", request, operation)
    }

    fn secret_values(&self) -> Vec<String> {
        vec![self.0.secret.expose_secret().to_string()]
    }
}

impl fmt::Debug for SystemUserToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SystemUserToken(***)")
    }
}

impl fmt::Debug for PhoneNumberToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PhoneNumberToken(***)")
    }
}
