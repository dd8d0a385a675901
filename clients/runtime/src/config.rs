use std::fmt;
#[cfg(feature = "rate-limit")]
use std::sync::Arc;
use std::time::Duration;

use crate::RetryPolicy;
#[cfg(feature = "rate-limit")]
use crate::limit::RateLimiter;
use crate::redirect::redirect_policy;
use crate::tls::RootCertificates;
use crate::transport::Timeouts;

/// Transport settings shared by every client: base URL, timeouts, retries, user agent, trusted
/// root certificates, and optionally a `reqwest::Client` of the caller's (its own timeouts then
/// apply).
///
/// https goes through the TLS backend of the crate's features: `rustls` (the default: rustls
/// with the ring crypto provider), `rustls-aws-lc` (rustls with aws-lc-rs) or `native-tls` (the
/// platform's library, OpenSSL on Linux); with more than one enabled, `native-tls` wins, then
/// `rustls-aws-lc`. Both rustls backends check certificates with the platform's verifier, as
/// reqwest does.
#[derive(Clone)]
pub struct Config {
    base_url: String,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    user_agent: String,
    http_client: Option<reqwest::Client>,
    root_certificates: RootCertificates,
    drift_detection: bool,
    member_drift_sampling: u32,
    #[cfg(feature = "rate-limit")]
    rate_limiter: Option<Arc<dyn RateLimiter>>,
    #[cfg(feature = "rate-limit")]
    rate_limit_account: Option<Arc<str>>,
}

impl Config {
    /// Defaults: connect timeout 10 s, request timeout 60 s, 3 retries, this crate's user agent.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            user_agent: concat!("whatsapp-sdk-rust/", env!("CARGO_PKG_VERSION")).to_string(),
            http_client: None,
            root_certificates: RootCertificates::default(),
            drift_detection: true,
            member_drift_sampling: 256,
            #[cfg(feature = "rate-limit")]
            rate_limiter: None,
            #[cfg(feature = "rate-limit")]
            rate_limit_account: None,
        }
    }

    /// Whether responses are checked for spec drift (on by default): members, enum values,
    /// statuses and content types the spec does not describe, each a `tracing` event (target
    /// `whatsapp_sdk::drift`) and on the response or error (`drift()`).
    pub fn with_drift_detection(mut self, enabled: bool) -> Self {
        self.drift_detection = enabled;
        self
    }

    pub(crate) fn drift_detection(&self) -> bool {
        self.drift_detection
    }

    /// Checks for members the spec does not declare on the first response of each operation
    /// and then on one in `every` (256 by default; 1 checks every response). Looking for them
    /// costs about a quarter of a decode, and a member the API added shows in every response
    /// that has it. Enum values, statuses and content types are checked on every response.
    pub fn with_member_drift_sampling(mut self, every: u32) -> Self {
        self.member_drift_sampling = every.max(1);
        self
    }

    pub(crate) fn member_drift_sampling(&self) -> u32 {
        self.member_drift_sampling
    }

    /// Waits for `limiter` before each request (and each retry), keyed by the client's
    /// credential (or [`Config::with_rate_limit_account`]), and tells it about a 429's
    /// `Retry-After`. Clients made from this config, and their clones, share it. None by
    /// default: nothing is waited for.
    ///
    /// ```
    /// use whatsapp_sdk_runtime::limit::{LocalLimiter, Rate};
    /// let config = whatsapp_sdk_runtime::Config::new("https://api.wapio.io")
    ///     .with_rate_limiter(LocalLimiter::new(Rate::per_second(50).with_burst(10)));
    /// # let _ = config;
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "rate-limit")))]
    #[cfg(feature = "rate-limit")]
    pub fn with_rate_limiter(mut self, limiter: impl RateLimiter) -> Self {
        self.rate_limiter = Some(Arc::new(limiter));
        self
    }

    #[cfg(feature = "rate-limit")]
    pub(crate) fn rate_limiter(&self) -> Option<&Arc<dyn RateLimiter>> {
        self.rate_limiter.as_ref()
    }

    /// Counts requests against the budget named `account` instead of one per credential.
    /// Name it when several credentials draw from one provider budget: Wapio limits an
    /// account, and each of its session keys (`bps_sk_…`) would otherwise get a budget of its
    /// own. The name is written to the limiter's store as it is, so it must not be secret (an
    /// account id, not a token).
    ///
    /// ```
    /// use whatsapp_sdk_runtime::limit::{LocalLimiter, Rate};
    /// let config = whatsapp_sdk_runtime::Config::new("https://api.wapio.io")
    ///     .with_rate_limiter(LocalLimiter::new(Rate::per_second(50)))
    ///     .with_rate_limit_account("acc_42");
    /// # let _ = config;
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "rate-limit")))]
    #[cfg(feature = "rate-limit")]
    pub fn with_rate_limit_account(mut self, account: impl Into<String>) -> Self {
        self.rate_limit_account = Some(account.into().into());
        self
    }

    #[cfg(feature = "rate-limit")]
    pub(crate) fn rate_limit_account(&self) -> Option<&Arc<str>> {
        self.rate_limit_account.as_ref()
    }

    /// Sends requests to `base_url` instead of the provider's default.
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// Time allowed to establish a connection.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole request, per attempt.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Retries after the first attempt; 0 disables retrying.
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.retry.max_retries = max_retries;
        self
    }

    /// Replaces the whole retry policy.
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The `User-Agent` sent with every request.
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Trusts the certificates of `pem` (one or more `-----BEGIN CERTIFICATE-----` sections;
    /// other sections are skipped) as roots, besides the platform's, with every TLS backend:
    /// for a private CA, or a test server's self-signed certificate. Fails, naming the problem,
    /// when the text holds no certificate or one the TLS backend cannot use as a root.
    ///
    /// ```
    /// # fn run(pem: &[u8]) -> Result<(), whatsapp_sdk_runtime::ConfigError> {
    /// let config = whatsapp_sdk_runtime::Config::new("https://api.internal.example").with_root_certificate(pem)?;
    /// # Ok(()) }
    /// ```
    pub fn with_root_certificate(mut self, pem: &[u8]) -> Result<Self, ConfigError> {
        self.root_certificates.add_pem(pem).map_err(ConfigError)?;
        Ok(self)
    }

    /// Uses the caller's `reqwest::Client` (its pool, proxy and TLS settings; the timeouts, user
    /// agent, redirect policy and root certificates of this config are then not applied). Start
    /// it from [`http_client_builder`](Self::http_client_builder) to keep them, or build it with
    /// [`redirect_policy`](crate::redirect_policy) so that a redirect cannot take a credential
    /// to another origin.
    pub fn with_http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The timeouts this config applies (none when the caller supplied the `reqwest::Client`).
    pub(crate) fn timeouts(&self) -> Timeouts {
        match self.http_client {
            Some(_) => Timeouts::default(),
            None => Timeouts { connect: Some(self.connect_timeout), request: Some(self.timeout) },
        }
    }

    /// The `reqwest::Client` to send with: the caller's, or one built from these settings
    /// (redirects followed only within the origin: [`redirect_policy`](crate::redirect_policy)).
    pub fn http_client(&self) -> Result<reqwest::Client, ConfigError> {
        if let Some(client) = &self.http_client {
            return Ok(client.clone());
        }
        self.http_client_builder()?.build().map_err(|e| ConfigError(e.without_url().to_string()))
    }

    /// A `reqwest::ClientBuilder` with these settings (timeouts, user agent, redirect policy,
    /// the TLS backend of the enabled feature and the root certificates), for a client of your
    /// own to pass to [`with_http_client`](Self::with_http_client) with more settings (a proxy,
    /// pool limits). With the default `rustls` feature, build `reqwest::Client`s from here:
    /// `reqwest::Client::new()` panics unless a rustls crypto provider is installed for the
    /// process, because reqwest's only built-in provider is aws-lc-rs (feature `rustls-aws-lc`).
    /// Leave its TLS settings alone (`http1_only` included): the rustls backend hands reqwest a
    /// ready-made configuration, which those settings do not change.
    pub fn http_client_builder(&self) -> Result<reqwest::ClientBuilder, ConfigError> {
        let builder = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(&self.user_agent)
            .redirect(redirect_policy());
        self.root_certificates.apply(builder).map_err(ConfigError)
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut config = f.debug_struct("Config");
        config
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field("http_client", &self.http_client.as_ref().map(|_| "caller-supplied"))
            .field("root_certificates", &self.root_certificates.len())
            .field("drift_detection", &self.drift_detection)
            .field("member_drift_sampling", &self.member_drift_sampling);
        #[cfg(feature = "rate-limit")]
        config.field("rate_limiter", &self.rate_limiter).field("rate_limit_account", &self.rate_limit_account);
        config.finish()
    }
}

/// The HTTP client could not be built (for instance, no TLS backend could be initialised, or a
/// root certificate is unusable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot build the HTTP client: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}
