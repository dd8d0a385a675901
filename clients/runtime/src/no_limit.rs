//! Without the `rate-limit` feature no limiter can be configured: `SharedLimit` has no values,
//! so the runtime's hooks compile to nothing and the build has no limiter's dependencies.

use std::sync::Arc;
use std::time::Duration;

use crate::{Config, Error, OperationSpec, Runtime};

pub(crate) enum SharedLimit {}

impl SharedLimit {
    pub(crate) fn of(_: &Config) -> Option<Arc<Self>> {
        None
    }

    pub(crate) async fn admit<E>(&self, _: &Runtime, _: &'static OperationSpec) -> Result<(), Error<E>> {
        match *self {}
    }

    pub(crate) async fn around_retry(
        &self,
        _: &Runtime,
        _: Option<&OperationSpec>,
        _: reqwest::Result<reqwest::Response>,
        _: Option<(reqwest::Request, Duration)>,
    ) -> Box<(reqwest::Result<reqwest::Response>, Option<(reqwest::Request, Duration)>)> {
        match *self {}
    }
}
