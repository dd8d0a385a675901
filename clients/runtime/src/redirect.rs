//! Redirects: followed only within the origin of the request, and only a few times.
//!
//! reqwest's default policy follows up to 10 redirects anywhere and, on a change of origin,
//! strips only `Authorization`-like headers: a credential in another header (WOZTELL's signed
//! context) or in a JSON body (resent on 307/308) would reach the other origin. A provider API
//! has no reason to send a client elsewhere, so such a redirect ends the request with an error.

use std::fmt;

use reqwest::StatusCode;
use reqwest::redirect::{Attempt, Policy};

/// Redirects followed within the origin before giving up.
pub const MAX_REDIRECTS: usize = 5;

/// The redirect policy every client built from a [`Config`](crate::Config) uses. A
/// caller-supplied `reqwest::Client` should be built with it too:
/// `reqwest::Client::builder().redirect(whatsapp_sdk_runtime::redirect_policy())`.
pub fn redirect_policy() -> Policy {
    Policy::custom(decide)
}

fn decide(attempt: Attempt<'_>) -> reqwest::redirect::Action {
    let status = attempt.status();
    let target = attempt.url().origin();
    let same_origin = attempt.previous().first().is_some_and(|first| first.origin() == target);
    if !same_origin {
        let origin = target.ascii_serialization();
        return attempt.error(RedirectError { status, kind: Kind::OtherOrigin(origin) });
    }
    if attempt.previous().len() > MAX_REDIRECTS {
        return attempt.error(RedirectError { status, kind: Kind::TooMany });
    }
    attempt.follow()
}

/// A redirect that was not followed. Names the status and the target's origin (scheme, host,
/// port), never its path or query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectError {
    status: StatusCode,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    OtherOrigin(String),
    TooMany,
}

impl RedirectError {
    /// The redirect's status (301, 302, 303, 307, 308).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The origin the provider redirected to, when it is not the provider's own.
    pub fn target_origin(&self) -> Option<&str> {
        match &self.kind {
            Kind::OtherOrigin(origin) => Some(origin),
            Kind::TooMany => None,
        }
    }

    /// The policy's error inside a reqwest error, if that is what ended the request.
    pub(crate) fn find(error: &reqwest::Error) -> Option<Self> {
        let mut current: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
        while let Some(error) = current {
            if let Some(redirect) = error.downcast_ref::<RedirectError>() {
                return Some(redirect.clone());
            }
            current = error.source();
        }
        None
    }
}

impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::OtherOrigin(origin) => {
                write!(f, "HTTP {} redirect to another origin ({origin}) not followed", self.status.as_u16())
            }
            Kind::TooMany => {
                write!(f, "HTTP {} redirect not followed: more than {MAX_REDIRECTS} redirects", self.status.as_u16())
            }
        }
    }
}

impl std::error::Error for RedirectError {}
