//! [`Client`] holds the access token; [`SignedClient`] holds a signed context too. Routes that
//! need the signed context exist only on [`SignedClient`], so they cannot be called without it.

use whatsapp_sdk_runtime::{Config, Runtime};

use crate::Error;
use crate::auth::{AccessToken, Credentials, SignedContext};
use crate::operations::{
    AccessTokenOperations, AccessTokenSignedContextWoztellPayloadOperations, SignedContextWoztellPayloadOperations,
};

/// Where WOZTELL serves the WhatsApp Cloud public API.
pub const DEFAULT_BASE_URL: &str = "https://api.whatsapp-cloud.woztell.sanuker.com/v1.2/api";

/// The default configuration, to adjust and pass to [`Client::with_config`].
pub fn config() -> Config {
    Config::new(DEFAULT_BASE_URL)
}

fn raw_client(config: &Config, credentials: Credentials) -> Result<woztell_api::Client, Error> {
    let http = config.http_client()?;
    let runtime = Runtime::new(credentials, config);
    Ok(woztell_api::Client::new_with_client(config.base_url(), http, runtime))
}

/// A WOZTELL client holding the access token: every operation that takes it gets it in the
/// place the API expects (query on reads, JSON body on writes).
///
/// ```compile_fail,E0599
/// use woztell::prelude::*;
/// let client = Client::new(AccessToken::new("token").unwrap()).unwrap();
/// // Flows need a signed context: this does not compile.
/// let _ = client.list_flows();
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    raw: woztell_api::Client,
    config: Config,
    token: AccessToken,
}

impl Client {
    /// A client for the default base URL.
    pub fn new(token: AccessToken) -> Result<Self, Error> {
        Self::with_config(config(), token)
    }

    /// A client with the given base URL, timeouts, retries or `reqwest::Client`.
    pub fn with_config(config: Config, token: AccessToken) -> Result<Self, Error> {
        // Built once: the signed clients made from this one share its connection pool.
        let http = config.http_client()?;
        let config = config.with_http_client(http);
        let raw = raw_client(&config, Credentials { token: token.clone(), signed: None })?;
        Ok(Self { raw, config, token })
    }

    /// A client that also sends `context` to the routes that require a signed context.
    pub fn signed(&self, context: SignedContext) -> Result<SignedClient, Error> {
        let credentials = Credentials { token: self.token.clone(), signed: Some(context) };
        Ok(SignedClient { raw: raw_client(&self.config, credentials)? })
    }

    pub(crate) fn raw(&self) -> &woztell_api::Client {
        &self.raw
    }
}

/// A WOZTELL client holding the access token and a signed context: every operation.
///
/// ```no_run
/// use woztell::prelude::*;
/// let client = Client::new(AccessToken::new("token").unwrap()).unwrap();
/// let signed = client.signed(SignedContext::new("signature", "app", "integration", "channel").unwrap()).unwrap();
/// let _ = signed.list_flows();
/// ```
#[derive(Debug, Clone)]
pub struct SignedClient {
    raw: woztell_api::Client,
}

impl SignedClient {
    pub(crate) fn raw(&self) -> &woztell_api::Client {
        &self.raw
    }
}

impl AccessTokenOperations for Client {
    fn raw_client(&self) -> &woztell_api::Client {
        &self.raw
    }
}

impl AccessTokenOperations for SignedClient {
    fn raw_client(&self) -> &woztell_api::Client {
        &self.raw
    }
}

impl AccessTokenSignedContextWoztellPayloadOperations for SignedClient {
    fn raw_client(&self) -> &woztell_api::Client {
        &self.raw
    }
}

impl SignedContextWoztellPayloadOperations for SignedClient {
    fn raw_client(&self) -> &woztell_api::Client {
        &self.raw
    }
}
