//! The two handles: [`Management`] (System User token) and [`Messaging`] (Phone Number token).
//! Each offers only the operations its token may call, so sending with the System User token,
//! or managing with a phone token, does not compile.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Mutex;
use whatsapp_sdk_runtime::{Authorize, Config, NoCredential, Runtime};

use crate::Error;
use crate::auth::{PhoneNumberToken, SystemUserToken};
use crate::operations::{PhoneNumberTokenOperations, PublicOperations, SystemUserTokenOperations};
use crate::types::LoginRequest;

/// Where Verloop serves the Partner API.
pub const DEFAULT_BASE_URL: &str = "https://partners.verloop.com/api/v2";

fn raw_client(config: &Config, credential: impl Authorize) -> Result<verloop_partner_api::Client, Error> {
    let http = config.http_client()?;
    let runtime = Runtime::new(credential, config);
    Ok(verloop_partner_api::Client::new_with_client(config.base_url(), http, runtime))
}

/// `config` holding its built `reqwest::Client`, so that the handles made from it (login,
/// management, one per phone token) share one connection pool instead of building one each.
fn with_one_pool(config: Config) -> Result<Config, Error> {
    let http = config.http_client()?;
    Ok(config.with_http_client(http))
}

/// The default configuration, to adjust and pass to [`Management::with_config`] or
/// [`Management::login_with_config`].
pub fn config() -> Config {
    Config::new(DEFAULT_BASE_URL)
}

/// Management routes, authorized with the System User token.
///
/// ```compile_fail,E0599
/// use verloop_partner::prelude::*;
/// let management = Management::new(SystemUserToken::new("token").unwrap()).unwrap();
/// // Sending needs a Phone Number token: this does not compile.
/// let _ = management.send_message(verloop_partner::types::SendMessageRequest::builder().messages(vec![]));
/// ```
#[derive(Debug, Clone)]
pub struct Management {
    raw: verloop_partner_api::Client,
    config: Config,
    token: SystemUserToken,
    phone_tokens: Arc<Mutex<HashMap<(String, String), Messaging>>>,
}

impl Management {
    /// A management handle for the default base URL.
    pub fn new(token: SystemUserToken) -> Result<Self, Error> {
        Self::with_config(config(), token)
    }

    /// A management handle with the given base URL, timeouts, retries or `reqwest::Client`.
    pub fn with_config(config: Config, token: SystemUserToken) -> Result<Self, Error> {
        let config = with_one_pool(config)?;
        let raw = raw_client(&config, token.clone())?;
        Ok(Self { raw, config, token, phone_tokens: Arc::default() })
    }

    /// Logs in with the partner account (`POST /auth`) and returns a handle holding the
    /// System User token it issues.
    pub async fn login(username: &str, password: &str) -> Result<Self, Error> {
        Self::login_with_config(config(), username, password).await
    }

    /// [`Management::login`] with a configuration of the caller's.
    pub async fn login_with_config(config: Config, username: &str, password: &str) -> Result<Self, Error> {
        let config = with_one_pool(config)?;
        let public = Public { raw: raw_client(&config, NoCredential)? };
        let body = LoginRequest::builder().username(username).password(password);
        let response = public.login(body).send().await?.into_inner();
        let token =
            response.system_user_token.ok_or_else(|| Error::credential("login returned no system_user_token"))?;
        Self::with_config(config, SystemUserToken::new(token)?)
    }

    /// The System User token, for verifying webhooks ([`crate::webhook::Verifier::new`]).
    pub fn token(&self) -> &SystemUserToken {
        &self.token
    }

    /// A messaging handle for one phone number of one client, authorized with that number's
    /// token (`get_phone_token`). The token is fetched once per `(client_id, phone_id)` and
    /// cached, so repeated sends do not re-fetch it; [`Management::forget_phone_token`] drops it.
    pub async fn phone_token(&self, client_id: &str, phone_id: &str) -> Result<Messaging, Error> {
        let key = (client_id.to_string(), phone_id.to_string());
        // Held across the fetch, so concurrent callers fetch a number's token once.
        let mut cache = self.phone_tokens.lock().await;
        if let Some(messaging) = cache.get(&key) {
            return Ok(messaging.clone());
        }
        let response = self.get_phone_token().client_id(client_id).phone_id(phone_id).send().await?.into_inner();
        let token = response.token.ok_or_else(|| Error::credential("get_phone_token returned no token"))?;
        let messaging = Messaging { raw: raw_client(&self.config, PhoneNumberToken::new(token)?)? };
        cache.insert(key, messaging.clone());
        Ok(messaging)
    }

    /// Drops the cached token of a phone number (for instance after Verloop rejected it).
    pub async fn forget_phone_token(&self, client_id: &str, phone_id: &str) {
        self.phone_tokens.lock().await.remove(&(client_id.to_string(), phone_id.to_string()));
    }

    pub(crate) fn raw(&self) -> &verloop_partner_api::Client {
        &self.raw
    }
}

/// Messaging for one phone number, authorized with its Phone Number token.
///
/// ```compile_fail,E0599
/// use verloop_partner::prelude::*;
/// let messaging = Messaging::new(PhoneNumberToken::new("token").unwrap()).unwrap();
/// // Management needs the System User token: this does not compile.
/// let _ = messaging.list_templates();
/// ```
#[derive(Debug, Clone)]
pub struct Messaging {
    raw: verloop_partner_api::Client,
}

impl Messaging {
    /// A messaging handle for a Phone Number token obtained elsewhere.
    pub fn new(token: PhoneNumberToken) -> Result<Self, Error> {
        Self::with_config(config(), token)
    }

    /// [`Messaging::new`] with a configuration of the caller's.
    pub fn with_config(config: Config, token: PhoneNumberToken) -> Result<Self, Error> {
        Ok(Self { raw: raw_client(&config, token)? })
    }
}

/// The unauthenticated routes (only `login`).
struct Public {
    raw: verloop_partner_api::Client,
}

impl PublicOperations for Public {
    fn raw_client(&self) -> &verloop_partner_api::Client {
        &self.raw
    }
}

impl SystemUserTokenOperations for Management {
    fn raw_client(&self) -> &verloop_partner_api::Client {
        &self.raw
    }
}

impl PhoneNumberTokenOperations for Messaging {
    fn raw_client(&self) -> &verloop_partner_api::Client {
        &self.raw
    }
}
