//! Query parameters that may be absent.

use progenitor_client::QueryParam;
use serde::Serialize;

/// `RequestBuilder::query` for an optional parameter. reqwest rewrites the URL on every
/// `query` call, even one that adds nothing; an operation with many optional parameters
/// (WOZTELL's lists have up to 11) paid for each absent one on every request.
pub trait OptionalQuery {
    /// Adds `name=value` when `value` is present, as progenitor's `QueryParam` would.
    fn optional_query<T: Serialize>(self, name: &str, value: &Option<T>) -> Self;
}

impl OptionalQuery for reqwest::RequestBuilder {
    fn optional_query<T: Serialize>(self, name: &str, value: &Option<T>) -> Self {
        match value {
            Some(value) => self.query(&QueryParam::new(name, value)),
            None => self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder) -> String {
        let client = reqwest::Client::new();
        build(client.get("http://127.0.0.1/list#top")).build().map(|r| r.url().to_string()).unwrap_or_default()
    }

    #[test]
    fn same_url_as_progenitor_query_param() {
        let tags = Some(vec!["a b", "c&d"]);
        let first = Some(50);
        let absent: Option<String> = None;
        let ours =
            url(|b| b.optional_query("first", &first).optional_query("after", &absent).optional_query("tags", &tags));
        let progenitor = url(|b| {
            b.query(&QueryParam::new("first", &first))
                .query(&QueryParam::new("after", &absent))
                .query(&QueryParam::new("tags", &tags))
        });
        assert_eq!(ours, progenitor);
        assert_eq!(ours, "http://127.0.0.1/list?first=50&tags=a+b&tags=c%26d#top");
        assert_eq!(url(|b| b.optional_query("after", &absent)), "http://127.0.0.1/list#top");
    }
}
