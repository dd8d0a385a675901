//! The Wapio client: the generated operations, bound to one credential.

use std::marker::PhantomData;

use whatsapp_sdk_runtime::{Config, Runtime};

use crate::Error;
use crate::auth::{AccountToken, Credential, SessionKey};
use crate::operations::{AccountTokenOperations, SessionKeyOperations};

/// Where Wapio serves its API.
pub const DEFAULT_BASE_URL: &str = "https://api.wapio.io";

/// The default configuration (`https://api.wapio.io`, the default timeouts and retries), to
/// adjust and pass to [`Client::with_config`].
pub fn config() -> Config {
    Config::new(DEFAULT_BASE_URL)
}

/// A Wapio client holding one credential.
///
/// `Client<AccountToken>` offers every operation (through [`AccountTokenOperations`]);
/// `Client<SessionKey>` only those a session key may call (through [`SessionKeyOperations`]).
/// Bring the traits into scope with `use wapio::prelude::*`.
///
/// A session key reaches its session's routes:
///
/// ```no_run
/// use wapio::prelude::*;
/// let key = wapio::SessionKey::new("bps_sk_example").unwrap();
/// let client = wapio::Client::new(key).unwrap();
/// let _ = client.get_session("sess_123");
/// ```
///
/// but not the PAT-only ones (`create_session`, `delete_session`, `regenerate_session_key`):
///
/// ```compile_fail,E0599
/// use wapio::prelude::*;
/// let key = wapio::SessionKey::new("bps_sk_example").unwrap();
/// let client = wapio::Client::new(key).unwrap();
/// let _ = client.create_session(wapio::types::CreateSessionRequest::default());
/// ```
#[derive(Debug, Clone)]
pub struct Client<C: Credential = AccountToken> {
    raw: wapio_api::Client,
    credential: PhantomData<C>,
}

impl<C: Credential> Client<C> {
    /// A client for `https://api.wapio.io` with the default timeouts and retries.
    pub fn new(credential: C) -> Result<Self, Error> {
        Self::with_config(config(), credential)
    }

    /// A client with the given base URL, timeouts, retry policy or `reqwest::Client`.
    pub fn with_config(config: Config, credential: C) -> Result<Self, Error> {
        let http = config.http_client()?;
        let runtime = Runtime::new(credential, &config);
        Ok(Self { raw: wapio_api::Client::new_with_client(config.base_url(), http, runtime), credential: PhantomData })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        use whatsapp_sdk_runtime::ClientInfo;
        self.raw.baseurl()
    }

    pub(crate) fn raw(&self) -> &wapio_api::Client {
        &self.raw
    }
}

impl AccountTokenOperations for Client<AccountToken> {
    fn raw_client(&self) -> &wapio_api::Client {
        &self.raw
    }
}

impl SessionKeyOperations for Client<SessionKey> {
    fn raw_client(&self) -> &wapio_api::Client {
        &self.raw
    }
}
