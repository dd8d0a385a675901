use std::fmt;

use sha2::{Digest, Sha256};

/// What a provider limits: a provider and an account, the account identified by a hash of the
/// credential (never the credential itself), so it can be written to a shared store.
///
/// A credential that belongs to one sender (a Verloop Phone Number token, a Wapio session key)
/// gives that sender its own key; an account-wide one (a Wapio account token, a WOZTELL access
/// token) one key for the account. Credentials that share one provider budget (Wapio limits an
/// account, whichever of its session keys sends) name it with
/// [`Config::with_rate_limit_account`](crate::Config::with_rate_limit_account).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LimitKey {
    provider: &'static str,
    account: String,
}

impl LimitKey {
    /// A key of your own: `account` is written to the store as it is, so it must not be secret.
    pub fn new(provider: &'static str, account: impl Into<String>) -> Self {
        Self { provider, account: account.into() }
    }

    /// The key of a credential's secret values: the first 128 bits of SHA-256 over the
    /// provider and the values.
    pub(crate) fn of_credential(provider: &'static str, secrets: &[String]) -> Self {
        let mut hash = Sha256::new();
        hash.update(provider.as_bytes());
        for secret in secrets {
            hash.update([0]);
            hash.update(secret.as_bytes());
        }
        Self { provider, account: hex::encode(&hash.finalize()[..16]) }
    }

    /// The provider (`wapio`).
    pub fn provider(&self) -> &'static str {
        self.provider
    }

    /// The account: a hash of the credential, or the value given to [`LimitKey::new`].
    pub fn account(&self) -> &str {
        &self.account
    }
}

/// `provider:account`, as stores name the key.
impl fmt::Display for LimitKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.provider, self.account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_from_the_credential_without_holding_it() {
        let key = LimitKey::of_credential("wapio", &["bps_pat_secret".into()]);
        assert_eq!(key.account().len(), 32);
        assert!(!key.to_string().contains("secret"));
        assert_eq!(key, LimitKey::of_credential("wapio", &["bps_pat_secret".into()]));
        assert_ne!(key, LimitKey::of_credential("wapio", &["bps_pat_other".into()]));
        assert_ne!(key.account(), LimitKey::of_credential("woztell", &["bps_pat_secret".into()]).account());
    }
}
