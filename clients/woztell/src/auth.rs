//! WOZTELL credentials: the access token, and the signed context (Payload + SignedContext
//! headers) that flow, catalog and analytics routes require.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use serde::Serialize;
use whatsapp_sdk_runtime::{Authorize, CredentialError, ExposeSecret, OperationSpec, SecretString};

/// The header carrying the payload JSON.
pub const PAYLOAD_HEADER: &str = "X-Woztell-Payload";
/// The header carrying `<signature>.<base64(payload JSON)>`.
pub const SIGNED_CONTEXT_HEADER: &str = "X-Woztell-SignedContext";

/// A WOZTELL access token. It travels in URLs (`accessToken=` on reads): errors and logs
/// never show it.
#[derive(Clone)]
pub struct AccessToken(SecretString);

impl AccessToken {
    /// Wraps an access token.
    pub fn new(token: impl Into<String>) -> Result<Self, CredentialError> {
        let token = token.into();
        if token.trim().is_empty() {
            return Err(CredentialError::new("the WOZTELL access token is empty"));
        }
        Ok(Self(SecretString::from(token)))
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(***)")
    }
}

/// The payload a signed context vouches for, serialised once, compactly, in this key order.
#[derive(Serialize)]
struct Payload<'a> {
    app: &'a str,
    #[serde(rename = "appIntegration")]
    app_integration: &'a str,
    channel: &'a str,
}

/// The `X-Woztell-Payload` and `X-Woztell-SignedContext` header values for one app
/// integration and channel, built from the `appIntegrationSignature` WOZTELL issued.
#[derive(Clone)]
pub struct SignedContext {
    payload: HeaderValue,
    signed: HeaderValue,
}

impl SignedContext {
    /// Builds the context: the payload is `{"app":…,"appIntegration":…,"channel":…}` (compact,
    /// in that order) and the signed context is `<signature>.<base64(payload)>`.
    pub fn new(signature: &str, app: &str, app_integration: &str, channel: &str) -> Result<Self, CredentialError> {
        let payload = serde_json::to_string(&Payload { app, app_integration, channel })
            .map_err(|_| CredentialError::new("the signed-context payload cannot be serialised"))?;
        let signed = format!("{signature}.{}", STANDARD.encode(payload.as_bytes()));
        let payload = HeaderValue::from_str(&payload)
            .map_err(|_| CredentialError::new("the signed-context payload is not a valid header value"))?;
        let mut signed = HeaderValue::from_str(&signed)
            .map_err(|_| CredentialError::new("the appIntegrationSignature is not a valid header value"))?;
        signed.set_sensitive(true);
        Ok(Self { payload, signed })
    }

    /// The `X-Woztell-Payload` value (not secret: it names the app, integration and channel).
    pub fn payload(&self) -> &str {
        self.payload.to_str().unwrap_or_default()
    }
}

impl fmt::Debug for SignedContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedContext").field("payload", &self.payload()).field("signed", &"***").finish()
    }
}

/// What a client holds: the access token, and a signed context for the clients that have one.
#[derive(Clone)]
pub(crate) struct Credentials {
    pub(crate) token: AccessToken,
    pub(crate) signed: Option<SignedContext>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials").field("token", &self.token).field("signed", &self.signed).finish()
    }
}

impl Authorize for Credentials {
    fn authorize(&self, request: &mut reqwest::Request, operation: &OperationSpec) -> Result<(), CredentialError> {
        let alternative = operation
            .security
            .iter()
            .find(|schemes| {
                self.signed.is_some() || !schemes.iter().any(|s| *s == "signedContext" || *s == "woztellPayload")
            })
            .ok_or_else(|| CredentialError::new(format!("`{}` needs a signed context", operation.id)))?;
        for scheme in alternative.iter() {
            match *scheme {
                "accessToken" => match operation.credential_body_field {
                    Some(field) => insert_body_field(request, field, self.token.0.expose_secret())?,
                    None => {
                        request.url_mut().query_pairs_mut().append_pair("accessToken", self.token.0.expose_secret());
                    }
                },
                "woztellPayload" | "signedContext" => {
                    let signed = self.signed.as_ref().ok_or_else(|| CredentialError::new("no signed context"))?;
                    let headers = request.headers_mut();
                    headers.insert(HeaderName::from_static("x-woztell-payload"), signed.payload.clone());
                    headers.insert(HeaderName::from_static("x-woztell-signedcontext"), signed.signed.clone());
                }
                other => return Err(CredentialError::new(format!("unknown security scheme `{other}`"))),
            }
        }
        Ok(())
    }

    fn secret_values(&self) -> Vec<String> {
        let mut secrets = vec![self.token.0.expose_secret().to_string()];
        if let Some(signed) = &self.signed {
            let value = signed.signed.to_str().unwrap_or_default();
            // The whole header value, and the signature before the payload's `.`.
            secrets.extend([value.to_string(), value.split('.').next().unwrap_or_default().to_string()]);
        }
        secrets
    }
}

/// Adds `field` to the request's JSON object body (creating `{}` when there is none).
fn insert_body_field(request: &mut reqwest::Request, field: &str, value: &str) -> Result<(), CredentialError> {
    let mut body = match request.body().and_then(reqwest::Body::as_bytes) {
        Some(bytes) if !bytes.is_empty() => serde_json::from_slice::<serde_json::Value>(bytes)
            .map_err(|_| CredentialError::new("the request body is not JSON; the access token cannot be added"))?,
        _ => serde_json::Value::Object(Default::default()),
    };
    let object = body.as_object_mut().ok_or_else(|| CredentialError::new("the request body is not a JSON object"))?;
    object.insert(field.to_string(), serde_json::Value::String(value.to_string()));
    let bytes = serde_json::to_vec(&body).map_err(|_| CredentialError::new("the request body cannot be serialised"))?;
    *request.body_mut() = Some(bytes.into());
    request.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(())
}
